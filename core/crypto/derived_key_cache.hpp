#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>

#include "core/common/bytes.hpp"
#include "core/crypto/derive.hpp"

// A bounded, thread-safe memo of RFC 3961 usage keys: DK(base key, usage || kind) for Ke, Ki and Kc.
// A KDC seals and opens many messages under the same keys (krbtgt, a service's key, a TGT session key);
// deriving Ke/Ki/Kc anew for each one costs an n-fold and two AES encryptions per key. MIT keeps the same
// memo on its krb5_key objects (the dkey_list of lib/crypto/krb/derive.c). Internal to core/crypto.
//
// Set-associative: an entry's set is chosen by a hash of (base key, usage, kind); within a set the least
// recently used entry is replaced, and its key material is wiped. Each set has its own mutex. Keys longer
// than kMaxKeyBytes are not cached.
namespace kerbpool::core::crypto {

class DerivedKeyCache {
 public:
  static constexpr std::size_t kSets = 128;
  static constexpr std::size_t kWays = 4;
  static constexpr std::size_t kMaxKeyBytes = 32;

  DerivedKeyCache() = default;
  ~DerivedKeyCache();
  DerivedKeyCache(const DerivedKeyCache&) = delete;
  DerivedKeyCache& operator=(const DerivedKeyCache&) = delete;

  // The derived key if it is cached.
  std::optional<Bytes> find(BytesView baseKey, std::uint32_t usage, DerivedKeyKind kind);
  // Remembers a derived key (replacing the set's least recently used entry when the set is full).
  void insert(BytesView baseKey, std::uint32_t usage, DerivedKeyKind kind, BytesView derived);
  // Forgets (and wipes) every entry.
  void clear();
  // Entries held; at most kSets * kWays.
  std::size_t size() const;

 private:
  struct Entry {
    bool used = false;
    std::uint32_t usage = 0;
    DerivedKeyKind kind = DerivedKeyKind::Encryption;
    std::uint64_t lastUse = 0;
    Bytes base;
    Bytes derived;
  };
  struct Set {
    mutable std::mutex mutex;
    std::uint64_t tick = 0;
    std::array<Entry, kWays> ways;
  };

  static std::size_t setIndex(BytesView baseKey, std::uint32_t usage, DerivedKeyKind kind);
  static bool matches(const Entry& e, BytesView baseKey, std::uint32_t usage, DerivedKeyKind kind);
  static void wipe(Entry& e);

  std::array<Set, kSets> sets_;
};

// The process-wide cache used by deriveUsageKey(). It memoizes a pure function of its inputs, so sharing
// it between simulated nodes changes no behaviour.
DerivedKeyCache& derivedKeyCache();

}  // namespace kerbpool::core::crypto
