#include "client/dns.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <mutex>

namespace kerbpool::client {

using core::ErrorCategory;
using core::makeError;

namespace {

constexpr std::size_t kMaxName = 253;
constexpr std::size_t kMaxLabel = 63;

bool labelChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace

bool isIpLiteral(std::string_view text) {
  if (text.empty() || text.size() > 45) {
    return false;
  }
  const std::string s(text);
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

std::string normalizeDnsName(std::string_view name) {
  if (!name.empty() && name.back() == '.') {
    name.remove_suffix(1);
  }
  if (name.empty() || name.size() > kMaxName) {
    return {};
  }
  std::string out;
  out.reserve(name.size());
  std::size_t labelStart = 0;
  for (std::size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.') {
      const std::size_t len = i - labelStart;
      if (len == 0 || len > kMaxLabel || out[labelStart] == '-' || out.back() == '-') {
        return {};
      }
      if (i < name.size()) {
        out.push_back('.');
      }
      labelStart = i + 1;
      continue;
    }
    const char c = lower(name[i]);
    if (!labelChar(c)) {
      return {};
    }
    out.push_back(c);
  }
  return out;
}

core::Status DnsZone::addA(std::string_view name, std::string_view address) {
  std::string key = normalizeDnsName(name);
  if (key.empty()) {
    return makeError(ErrorCategory::Config, "bad_dns_name", "A record: '" + std::string(name) + "'");
  }
  if (!isIpLiteral(address)) {
    return makeError(ErrorCategory::Config, "bad_address",
                     "A record " + key + ": '" + std::string(address) + "' is not an IP address");
  }
  std::unique_lock lock(mu_);
  records_[key] = Record{false, std::string(address)};
  return core::okStatus();
}

core::Status DnsZone::addCname(std::string_view alias, std::string_view canonicalName) {
  std::string key = normalizeDnsName(alias);
  std::string target = normalizeDnsName(canonicalName);
  if (key.empty() || target.empty()) {
    return makeError(ErrorCategory::Config, "bad_dns_name",
                     "CNAME record: '" + std::string(alias) + "' -> '" + std::string(canonicalName) + "'");
  }
  if (key == target) {
    return makeError(ErrorCategory::Config, "cname_to_self", "CNAME record " + key + " points to itself");
  }
  std::unique_lock lock(mu_);
  records_[key] = Record{true, std::move(target)};
  return core::okStatus();
}

bool DnsZone::remove(std::string_view name) {
  const std::string key = normalizeDnsName(name);
  std::unique_lock lock(mu_);
  return records_.erase(key) > 0;
}

core::Result<DnsAnswer> DnsZone::resolve(std::string_view name) const {
  if (isIpLiteral(name)) {
    return DnsAnswer{std::string(name), std::string(name), {}};
  }
  std::string current = normalizeDnsName(name);
  if (current.empty()) {
    return makeError(ErrorCategory::Decoding, "bad_dns_name",
                     "'" + std::string(name) + "' is not a DNS name");
  }
  DnsAnswer answer;
  std::shared_lock lock(mu_);
  while (true) {
    auto it = records_.find(current);
    if (it == records_.end()) {
      std::string detail = "no record for " + current;
      if (!answer.cnameChain.empty()) {
        detail += " (CNAME target of " + answer.cnameChain.back() + ")";
      }
      return makeError(ErrorCategory::NotFound, "nxdomain", detail);
    }
    if (!it->second.isCname) {
      answer.canonicalName = current;
      answer.address = it->second.value;
      return answer;
    }
    if (std::find(answer.cnameChain.begin(), answer.cnameChain.end(), current) != answer.cnameChain.end()) {
      return makeError(ErrorCategory::Protocol, "cname_loop",
                       "CNAME chain from " + answer.cnameChain.front() + " comes back to " + current);
    }
    if (answer.cnameChain.size() >= options_.maxCnameChain) {
      return makeError(ErrorCategory::Protocol, "cname_chain_too_long",
                       "more than " + std::to_string(options_.maxCnameChain) + " CNAMEs from " +
                           answer.cnameChain.front());
    }
    answer.cnameChain.push_back(current);
    current = it->second.value;
  }
}

}  // namespace kerbpool::client
