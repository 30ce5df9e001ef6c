#include "scenarios/lab_certificates.hpp"

#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <cctype>
#include <vector>

#include "core/crypto/x509.hpp"

namespace kerbpool::scenarios {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
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
  static std::atomic<unsigned> counter{0};
  std::unique_ptr<LabCertificates> c(new LabCertificates());
  std::error_code ec;
  const auto tmp = std::filesystem::temp_directory_path(ec);
  if (ec) {
    return core::makeError(core::ErrorCategory::Io, "no_temp_dir",
                           "no temporary directory for the lab's certificates: " + ec.message());
  }
  c->dir_ = tmp / ("kerbpool-lab-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
  KP_TRY(auto files, bundle.writePemFiles(c->dir_));
  c->caFile_ = files.caCertificate.string();
  c->chainFile_ = files.serverCertificate.string();
  c->keyFile_ = files.serverPrivateKey.string();
  return c;
}

LabCertificates::~LabCertificates() {
  if (!dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

}  // namespace kerbpool::scenarios
