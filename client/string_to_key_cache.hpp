#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "core/common/bytes.hpp"
#include "core/common/result.hpp"
#include "core/crypto/enctype.hpp"

// string-to-key is deterministic (RFC 3961 5.3): the same password, salt, enctype and parameters always give
// the same key. AES's PBKDF2 with 4096 iterations costs milliseconds, so a simulation that logs the same user
// on from thousands of workstations keeps the result here instead of deriving it again and again. The cache
// is keyed by a SHA-1 digest of the password (the password itself is not kept). Thread-safe.
namespace kerbpool::client {

class StringToKeyCache {
 public:
  explicit StringToKeyCache(std::size_t capacity = 4096) : capacity_(capacity) {}

  // core::crypto::stringToKey, memoized. Errors are the derivation's own and are not cached.
  core::Result<core::crypto::Key> derive(std::int32_t enctype, std::string_view password,
                                         std::string_view salt, std::optional<core::BytesView> params);

  std::uint64_t hits() const { return hits_.load(); }
  std::uint64_t misses() const { return misses_.load(); }

 private:
  const std::size_t capacity_;  // beyond: new results are computed but not stored
  mutable std::shared_mutex mu_;
  std::map<std::string, core::crypto::Key> keys_;
  std::atomic<std::uint64_t> hits_{0};
  std::atomic<std::uint64_t> misses_{0};
};

}  // namespace kerbpool::client
