#include "kdc/kdc_stats.hpp"

namespace kerbpool::kdc {
namespace {

std::uint64_t lookup(const std::map<std::string, std::uint64_t>& m, const std::string& k) {
  auto it = m.find(k);
  return it == m.end() ? 0 : it->second;
}

}  // namespace

void KdcStats::countRequest(const std::string& type) {
  std::lock_guard lock(mu_);
  requests_[type]++;
}

void KdcStats::countError(const std::string& rfcName) {
  std::lock_guard lock(mu_);
  errors_[rfcName]++;
}

void KdcStats::countIssued(const std::string& type) {
  std::lock_guard lock(mu_);
  issued_[type]++;
}

std::map<std::string, std::uint64_t> KdcStats::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

std::map<std::string, std::uint64_t> KdcStats::errors() const {
  std::lock_guard lock(mu_);
  return errors_;
}

std::map<std::string, std::uint64_t> KdcStats::issued() const {
  std::lock_guard lock(mu_);
  return issued_;
}

std::uint64_t KdcStats::requestCount(const std::string& type) const {
  std::lock_guard lock(mu_);
  return lookup(requests_, type);
}

std::uint64_t KdcStats::errorCount(const std::string& rfcName) const {
  std::lock_guard lock(mu_);
  return lookup(errors_, rfcName);
}

}  // namespace kerbpool::kdc
