#include "scenarios/lab_certificates.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <algorithm>
#include <cctype>
#include <vector>

#include "core/crypto/x509.hpp"

namespace kerbpool::scenarios {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// A certificate (public): readable by all, in the private folder.
core::Status writePublic(const std::string& path, const std::string& pem) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << pem;
  if (!out) {
    return core::makeError(core::ErrorCategory::Io, "write_failed", "cannot write " + path);
  }
  return core::okStatus();
}

}  // namespace

core::Result<std::unique_ptr<LabCertificates>> LabCertificates::create(const Scenario& scenario,
                                                                       const core::Clock& clock) {
  std::vector<std::string> names{lower(scenario.pool.fqdn)};
  for (const auto& r : scenario.dns) {
    if (std::find(names.begin(), names.end(), lower(r.name)) == names.end()) {
      names.push_back(lower(r.name));
    }
  }
  KP_TRY(auto bundle, core::crypto::generateTlsBundle(names, clock.now() - std::chrono::hours(24), 365));
  std::unique_ptr<LabCertificates> c(new LabCertificates());
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
  KP_CHECK(writePublic(c->caFile_, bundle.ca.certificate));
  KP_CHECK(writePublic(c->chainFile_, bundle.serverChain()));
  c->keyFd_ = ::memfd_create("kerbpool-lab-server-key", MFD_CLOEXEC);
  if (c->keyFd_ < 0) {
    return core::makeError(core::ErrorCategory::Io, "memfd_failed",
                           std::string("cannot hold the lab's server key in memory: ") + std::strerror(errno));
  }
  const std::string& key = bundle.server.privateKey;
  for (std::size_t done = 0; done < key.size();) {
    const auto n = ::write(c->keyFd_, key.data() + done, key.size() - done);
    if (n <= 0) {
      return core::makeError(core::ErrorCategory::Io, "memfd_failed",
                             std::string("cannot hold the lab's server key in memory: ") + std::strerror(errno));
    }
    done += static_cast<std::size_t>(n);
  }
  c->keyFile_ = "/proc/self/fd/" + std::to_string(c->keyFd_);
  return c;
}

LabCertificates::~LabCertificates() {
  if (keyFd_ >= 0) {
    ::close(keyFd_);
  }
  if (!dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

}  // namespace kerbpool::scenarios
