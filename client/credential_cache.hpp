#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "client/credential.hpp"
#include "core/common/clock.hpp"

// One workstation user's in-memory credential cache: the TGT and service tickets by server principal.
namespace kerbpool::client {

struct CredentialCacheOptions {
  // A ticket whose endtime is this close is treated as expired (it could lapse in flight).
  std::chrono::seconds expiryMargin{60};
  // A renewable ticket this close to its endtime (and with renew-till beyond it) is due for renewal.
  std::chrono::seconds renewBefore{std::chrono::minutes(5)};
  // Service tickets kept at most; the one ending soonest is evicted first.
  std::size_t maxServiceTickets = 256;
};

struct CredentialCacheStats {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t evictions = 0;  // expired or over the limit
  std::size_t serviceTickets = 0;
  bool hasTgt = false;
};

struct CacheEntry {
  Credential credential;
  bool needsRenewal = false;  // still usable, but renewable and near its endtime
};

// Thread-safe. Times are compared with the injected Clock (the caller passes a KDC-corrected clock).
class CredentialCache {
 public:
  explicit CredentialCache(const core::Clock& clock, CredentialCacheOptions options = {});

  void storeTgt(Credential tgt);
  // The TGT if it is still usable (not within expiryMargin of its endtime, not before its starttime
  // minus the margin); an expired TGT is dropped. Counts a hit or a miss.
  std::optional<CacheEntry> tgt();
  void store(Credential service);
  // The service ticket for `server`: components compared exactly except the host part (the components
  // after the first) which is case-insensitive; the realm exactly. Expired tickets are dropped.
  std::optional<CacheEntry> find(const Principal& server);
  void erase(const Principal& server);
  // Drops every expired ticket (the TGT included); returns how many.
  std::size_t evictExpired();
  void clear();
  CredentialCacheStats stats() const;

  // The cache key of a server principal ("HTTP/pool.kerbpool.test@KERBPOOL.TEST", host part lower case).
  static std::string keyOf(const Principal& server);

 private:
  enum class State { Usable, NeedsRenewal, Expired };
  State stateOf(const Credential& c) const;

  const core::Clock& clock_;
  CredentialCacheOptions options_;
  mutable std::mutex mu_;
  std::optional<Credential> tgt_;
  std::map<std::string, Credential> services_;
  std::uint64_t hits_ = 0;
  std::uint64_t misses_ = 0;
  std::uint64_t evictions_ = 0;
};

}  // namespace kerbpool::client
