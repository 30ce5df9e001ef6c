#include "client/credential_cache.hpp"

#include <algorithm>
#include <cctype>

namespace kerbpool::client {

CredentialCache::CredentialCache(const core::Clock& clock, CredentialCacheOptions options)
    : clock_(clock), options_(options) {}

std::string CredentialCache::keyOf(const Principal& server) {
  Principal key = server;
  for (std::size_t i = 1; i < key.name.nameString.size(); ++i) {
    for (char& c : key.name.nameString[i]) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return key.text();
}

CredentialCache::State CredentialCache::stateOf(const Credential& c) const {
  const auto now = toKerberosTimestamp(clock_.now()).seconds;
  const auto margin = options_.expiryMargin.count();
  if (now + margin >= c.endtime || now + margin < c.starttime) {
    return State::Expired;
  }
  if (c.renewable() && now + options_.renewBefore.count() >= c.endtime && *c.renewTill > c.endtime) {
    return State::NeedsRenewal;
  }
  return State::Usable;
}

void CredentialCache::storeTgt(Credential tgt) {
  std::lock_guard lock(mu_);
  tgt_ = std::move(tgt);
}

std::optional<CacheEntry> CredentialCache::tgt() {
  std::lock_guard lock(mu_);
  if (!tgt_) {
    ++misses_;
    return std::nullopt;
  }
  const State s = stateOf(*tgt_);
  if (s == State::Expired) {
    tgt_.reset();
    ++evictions_;
    ++misses_;
    return std::nullopt;
  }
  ++hits_;
  return CacheEntry{*tgt_, s == State::NeedsRenewal};
}

void CredentialCache::store(Credential service) {
  std::lock_guard lock(mu_);
  services_[keyOf(service.server)] = std::move(service);
  while (services_.size() > options_.maxServiceTickets) {
    auto soonest = std::min_element(services_.begin(), services_.end(), [](const auto& a, const auto& b) {
      return a.second.endtime < b.second.endtime;
    });
    services_.erase(soonest);
    ++evictions_;
  }
}

std::optional<CacheEntry> CredentialCache::find(const Principal& server) {
  std::lock_guard lock(mu_);
  const auto it = services_.find(keyOf(server));
  if (it == services_.end()) {
    ++misses_;
    return std::nullopt;
  }
  const State s = stateOf(it->second);
  if (s == State::Expired) {
    services_.erase(it);
    ++evictions_;
    ++misses_;
    return std::nullopt;
  }
  ++hits_;
  return CacheEntry{it->second, s == State::NeedsRenewal};
}

void CredentialCache::erase(const Principal& server) {
  std::lock_guard lock(mu_);
  services_.erase(keyOf(server));
}

std::size_t CredentialCache::evictExpired() {
  std::lock_guard lock(mu_);
  std::size_t n = 0;
  if (tgt_ && stateOf(*tgt_) == State::Expired) {
    tgt_.reset();
    ++n;
  }
  n += std::erase_if(services_, [this](const auto& kv) { return stateOf(kv.second) == State::Expired; });
  evictions_ += n;
  return n;
}

void CredentialCache::clear() {
  std::lock_guard lock(mu_);
  tgt_.reset();
  services_.clear();
}

CredentialCacheStats CredentialCache::stats() const {
  std::lock_guard lock(mu_);
  return CredentialCacheStats{hits_, misses_, evictions_, services_.size(), tgt_.has_value()};
}

}  // namespace kerbpool::client
