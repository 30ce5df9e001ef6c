#include "core/acceptor/replay_cache.hpp"

#include <algorithm>

#include "core/acceptor/acceptor_error.hpp"
#include "core/crypto/primitives.hpp"
#include "core/der/der_time.hpp"

namespace kerbpool::core::acceptor {

namespace {

void appendInt(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

// Length-prefixed fields, so that no two different keys serialize to the same string.
std::string serialize(const ReplayKey& key) {
  std::string out;
  appendInt(out, key.client.size());
  out += key.client;
  appendInt(out, static_cast<std::uint64_t>(key.ctime));
  appendInt(out, static_cast<std::uint64_t>(static_cast<std::uint32_t>(key.cusec)));
  out.append(key.cipherHash.begin(), key.cipherHash.end());
  return out;
}

}  // namespace

Result<ReplayKey> ReplayKey::make(std::string client, std::int64_t ctime, std::int32_t cusec,
                                  BytesView authenticatorCipher) {
  KP_TRY(Bytes hash, crypto::sha1(authenticatorCipher));
  return ReplayKey{std::move(client), ctime, cusec, std::move(hash)};
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
  KP_TRY(Bytes digest, crypto::sha1(asBytes(serialize(key))));
  Tag tag{};
  if (digest.size() != tag.size()) {
    return makeError(ErrorCategory::Crypto, "bad_digest_size",
                     "SHA-1 gave " + std::to_string(digest.size()) + " octets for a replay cache tag");
  }
  std::copy(digest.begin(), digest.end(), tag.begin());
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
