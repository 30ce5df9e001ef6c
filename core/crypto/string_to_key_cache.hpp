#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/common/bytes.hpp"

// A bounded, thread-safe memo of AES string-to-key results: (enctype, password, salt, iteration count) ->
// key. PBKDF2 with 4096 iterations is by far the dearest step of loading a realm, and one process loads the
// same accounts again and again: the scenario loader checks a scenario's realm, then the runner builds it;
// `kerbpool list` and `compare` load every built-in scenario, whose machine and user accounts share realm,
// names and passwords. The function is pure, so remembering it changes no behaviour. Internal to core/crypto.
//
// Entries hold the password and the key; both are wiped when an entry is evicted (oldest first once
// kMaxEntries are held) or the cache is cleared.
namespace kerbpool::core::crypto {

class StringToKeyCache {
 public:
  static constexpr std::size_t kMaxEntries = 4096;

  StringToKeyCache() = default;
  ~StringToKeyCache();
  StringToKeyCache(const StringToKeyCache&) = delete;
  StringToKeyCache& operator=(const StringToKeyCache&) = delete;

  std::optional<Bytes> find(std::int32_t enctype, std::uint32_t iterations, std::string_view password,
                            std::string_view salt);
  void insert(std::int32_t enctype, std::uint32_t iterations, std::string_view password,
              std::string_view salt, BytesView key);
  void clear();
  std::size_t size() const;
  // Lookups answered from the cache since it was made (for tests and benchmarks).
  std::uint64_t hits() const;

 private:
  static std::string entryKey(std::int32_t enctype, std::uint32_t iterations, std::string_view password,
                              std::string_view salt);
  void evictOldestLocked();

  mutable std::mutex mutex_;
  std::unordered_map<std::string, Bytes> entries_;
  // Insertion order, for eviction: the entries' own keys (a map node's key stays put until it is erased).
  std::deque<const std::string*> order_;
  std::uint64_t hits_ = 0;
};

// The process-wide cache used by stringToKey() for the AES enctypes.
StringToKeyCache& stringToKeyCache();

}  // namespace kerbpool::core::crypto
