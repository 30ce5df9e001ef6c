#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <mutex>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/common/bytes.hpp"
#include "core/common/clock.hpp"
#include "core/common/result.hpp"

// The authenticator replay cache of one node (RFC 4120 3.2.3; MIT's rcache). One instance per node, never
// a global: a scenario chooses whether nodes share one (a shared cache catches a token replayed to another
// node of the pool; separate caches do not).
namespace kerbpool::core::acceptor {

// What identifies an authenticator: the client, its ctime/cusec and its ciphertext (so that two clients'
// authenticators with the same time never collide), held as one SHA-1 over all four.
struct ReplayKey {
  std::string client;  // "alice@CONTOSO.TEST"
  std::int64_t ctime = 0;
  std::int32_t cusec = 0;
  // SHA-1 of the length-prefixed client, ctime, cusec and the AP-REQ authenticator's cipher octets (the
  // prefix keeps two different keys from hashing the same octets).
  std::array<std::uint8_t, 20> tag{};

  // Computes the tag. Fails only if the hash cannot run (Crypto).
  static Result<ReplayKey> make(std::string client, std::int64_t ctime, std::int32_t cusec,
                                BytesView authenticatorCipher);
};

struct ReplayCacheOptions {
  // How long an entry is kept: until (the later of the time it was seen and ctime.cusec) + window, that
  // instant included; it is dropped one microsecond later. Must be >= the verifier's max skew (an
  // authenticator older than the skew is refused as clock_skew before the cache is asked), so the default is
  // the 300 s skew.
  std::chrono::seconds window{300};
  // Bound on memory (about 90 bytes an entry). When full, expired entries are dropped first; if every entry
  // is still live, the new authenticator is refused with replay_cache_full (fail closed: accepting it
  // unrecorded would let it be replayed, evicting a live entry would let that one be replayed). A node
  // accepts at most maxEntries / window new authenticators per second in steady state: the default, about
  // 90 MB when full, sustains 3333 per second over the 300 s window.
  std::size_t maxEntries = 1'000'000;
};

// Thread-safe: every method takes the internal mutex.
class ReplayCache {
 public:
  explicit ReplayCache(const Clock& clock, ReplayCacheOptions options = {});
  ReplayCache(const ReplayCache&) = delete;
  ReplayCache& operator=(const ReplayCache&) = delete;

  // Records the authenticator if it is new. Errors (acceptor_error.hpp): replay (already seen within the
  // window; the detail names the client and ctime), replay_cache_full.
  Status checkAndInsert(const ReplayKey& key);

  // Drops every expired entry now (checkAndInsert also does it, lazily); returns how many were dropped.
  std::size_t purgeExpired();
  std::size_t size() const;
  const ReplayCacheOptions& options() const { return options_; }

 private:
  // An entry is held as its key's fixed-size tag.
  using Tag = std::array<std::uint8_t, 20>;
  struct TagHash {
    std::size_t operator()(const Tag& t) const {
      std::size_t h = 0;
      std::memcpy(&h, t.data(), sizeof h);  // the tag is a cryptographic hash: any 8 of its octets will do
      return h;
    }
  };
  using Expiry = std::pair<TimePoint, Tag>;

  std::size_t purgeLocked(TimePoint now);

  const Clock& clock_;
  ReplayCacheOptions options_;
  mutable std::mutex mu_;
  std::unordered_map<Tag, TimePoint, TagHash> entries_;                              // tag -> expiry
  std::priority_queue<Expiry, std::vector<Expiry>, std::greater<Expiry>> byExpiry_;  // earliest first
};

}  // namespace kerbpool::core::acceptor
