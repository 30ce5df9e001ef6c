#include "scenarios/lab_certificates.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

#include "core/common/http_text.hpp"
#include "core/crypto/x509.hpp"

namespace kerbpool::scenarios {

namespace {

// A certificate (public): readable by all, in the private folder.
core::Status writePublic(const std::string& path, const std::string& pem) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << pem;
  if (!out) {
    return core::makeError(core::ErrorCategory::Io, "write_failed", "cannot write " + path);
  }
  return core::okStatus();
}

// A private key held in memory only (memfd), for TLS contexts to load as /proc/self/fd/N. Sets `fd` (closed
// by the destructor) and returns that path.
core::Result<std::string> holdKey(const std::string& key, int& fd) {
  fd = ::memfd_create("kerbpool-lab-server-key", MFD_CLOEXEC);
  if (fd < 0) {
    return core::makeError(
        core::ErrorCategory::Io, "memfd_failed",
        std::string("cannot hold the lab's server key in memory: ") + std::strerror(errno));
  }
  for (std::size_t done = 0; done < key.size();) {
    const auto n = ::write(fd, key.data() + done, key.size() - done);
    if (n <= 0) {
      return core::makeError(
          core::ErrorCategory::Io, "memfd_failed",
          std::string("cannot hold the lab's server key in memory: ") + std::strerror(errno));
    }
    done += static_cast<std::size_t>(n);
  }
  return "/proc/self/fd/" + std::to_string(fd);
}

}  // namespace

core::Result<std::unique_ptr<LabCertificates>> LabCertificates::create(const Scenario& scenario,
                                                                       const core::Clock& clock) {
  std::vector<std::string> names{core::toLowerAscii(scenario.pool.fqdn)};
  for (const auto& r : scenario.dns) {
    if (std::find(names.begin(), names.end(), core::toLowerAscii(r.name)) == names.end()) {
      names.push_back(core::toLowerAscii(r.name));
    }
  }
  KP_TRY(auto bundle, core::crypto::generateTlsBundle(names, clock.now() - std::chrono::hours(24), 365));
  LabCertificateMaterial m;
  m.caCertificate = bundle.ca.certificate;
  m.serverChain = bundle.serverChain();
  m.serverKey = bundle.server.privateKey;
  // The balancer's own certificate for the same names, from the same CA (a real one holds the public
  // certificate, the nodes an internal one): what a workstation binds to when the balancer ends its TLS.
  core::crypto::ServerCertSpec spec;
  spec.dnsNames = names;
  spec.notBefore = clock.now() - std::chrono::hours(24);
  KP_TRY(auto balancer, core::crypto::issueServerCertificate(bundle.ca, spec));
  m.balancerChain = balancer.certificate + bundle.ca.certificate;
  m.balancerKey = balancer.privateKey;
  return load(m);
}

core::Result<std::unique_ptr<LabCertificates>> LabCertificates::load(const LabCertificateMaterial& m) {
  const std::pair<const char*, const std::string*> parts[] = {{"the CA certificate", &m.caCertificate},
                                                              {"the server chain", &m.serverChain},
                                                              {"the server key", &m.serverKey},
                                                              {"the balancer chain", &m.balancerChain},
                                                              {"the balancer key", &m.balancerKey}};
  for (const auto& [what, pem] : parts) {
    if (pem->rfind("-----BEGIN ", 0) != 0) {
      return core::makeError(core::ErrorCategory::Config, "bad_lab_certificates",
                             std::string(what) + " is missing or is not PEM");
    }
  }
  std::unique_ptr<LabCertificates> c(new LabCertificates());
  c->material_ = m;
  std::error_code ec;
  const auto tmp = std::filesystem::temp_directory_path(ec);
  if (ec) {
    return core::makeError(core::ErrorCategory::Io, "no_temp_dir",
                           "no temporary directory for the lab's certificates: " + ec.message());
  }
  std::string pattern = (tmp / "kerbpool-lab-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return core::makeError(core::ErrorCategory::Io, "mkdtemp_failed",
                           "cannot create a private folder in " + tmp.string() + ": " + std::strerror(errno));
  }
  c->dir_ = pattern;
  c->caFile_ = (c->dir_ / "ca.pem").string();
  c->chainFile_ = (c->dir_ / "server.pem").string();
  KP_CHECK(writePublic(c->caFile_, m.caCertificate));
  KP_CHECK(writePublic(c->chainFile_, m.serverChain));
  KP_TRY(c->keyFile_, holdKey(m.serverKey, c->keyFd_));
  c->balancerChainFile_ = (c->dir_ / "balancer.pem").string();
  KP_CHECK(writePublic(c->balancerChainFile_, m.balancerChain));
  KP_TRY(c->balancerKeyFile_, holdKey(m.balancerKey, c->balancerKeyFd_));
  return c;
}

LabCertificates::~LabCertificates() {
  for (int fd : {keyFd_, balancerKeyFd_}) {
    if (fd >= 0) {
      ::close(fd);
    }
  }
  if (!dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

}  // namespace kerbpool::scenarios
