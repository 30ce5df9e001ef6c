#include "core/acceptor/replay_cache.hpp"

#include <algorithm>

#include "core/acceptor/acceptor_error.hpp"
#include "core/crypto/primitives.hpp"
#include "core/der/der_time.hpp"

namespace kerbpool::core::acceptor {

namespace {

void appendInt(Bytes& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<std::uint8_t>((v >> shift) & 0xff));
  }
}

}  // namespace

Result<ReplayKey> ReplayKey::make(std::string client, std::int64_t ctime, std::int32_t cusec,
                                  BytesView authenticatorCipher) {
  Bytes hashed;
  hashed.reserve(24 + client.size() + authenticatorCipher.size());
  appendInt(hashed, client.size());
  append(hashed, asBytes(client));
  appendInt(hashed, static_cast<std::uint64_t>(ctime));
  appendInt(hashed, static_cast<std::uint64_t>(static_cast<std::uint32_t>(cusec)));
  append(hashed, authenticatorCipher);
  KP_TRY(Bytes digest, crypto::sha1(hashed));
  ReplayKey key{std::move(client), ctime, cusec, {}};
  if (digest.size() != key.tag.size()) {
    return makeError(ErrorCategory::Crypto, "bad_digest_size",
                     "SHA-1 gave " + std::to_string(digest.size()) + " octets for a replay cache tag");
  }
  std::copy(digest.begin(), digest.end(), key.tag.begin());
  return key;
}

ReplayCache::ReplayCache(const Clock& clock, ReplayCacheOptions options) : clock_(clock), options_(options) {}

std::size_t ReplayCache::purgeLocked(TimePoint now) {
  std::size_t dropped = 0;
  while (!byExpiry_.empty() && byExpiry_.top().first < now) {
    entries_.erase(byExpiry_.top().second);
    byExpiry_.pop();
    ++dropped;
  }
  return dropped;
}

std::size_t ReplayCache::purgeExpired() {
  std::lock_guard lock(mu_);
  return purgeLocked(clock_.now());
}

std::size_t ReplayCache::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

Status ReplayCache::checkAndInsert(const ReplayKey& key) {
  const TimePoint now = clock_.now();
  const Tag& tag = key.tag;
  std::lock_guard lock(mu_);
  purgeLocked(now);
  if (entries_.count(tag) != 0) {
    return acceptorError(codes::kReplay, "authenticator of " + key.client + " with ctime " +
                                             der::formatGeneralizedTime(key.ctime) + "." +
                                             std::to_string(key.cusec) +
                                             " was already accepted by this node's replay cache");
  }
  if (entries_.size() >= options_.maxEntries) {
    return acceptorError(codes::kReplayCacheFull, "replay cache holds " + std::to_string(entries_.size()) +
                                                      " unexpired authenticators (limit " +
                                                      std::to_string(options_.maxEntries) +
                                                      "): refusing the authenticator of " + key.client +
                                                      " rather than forgetting one");
  }
  const TimePoint ctime = fromUnixSeconds(key.ctime) + Micros(key.cusec);
  const TimePoint expiry = std::max(now, ctime) + options_.window;
  entries_.emplace(tag, expiry);
  byExpiry_.emplace(expiry, tag);
  return okStatus();
}

}  // namespace kerbpool::core::acceptor
