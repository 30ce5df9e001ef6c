#include "core/crypto/derived_key_cache.hpp"

namespace kerbpool::core::crypto {

DerivedKeyCache::~DerivedKeyCache() {
  clear();
}

std::size_t DerivedKeyCache::setIndex(BytesView baseKey, std::uint32_t usage, DerivedKeyKind kind) {
  // The set only spreads entries; matches() compares the whole base key.
  const std::uint8_t suffix[] = {static_cast<std::uint8_t>(usage >> 24),
                                 static_cast<std::uint8_t>(usage >> 16),
                                 static_cast<std::uint8_t>(usage >> 8), static_cast<std::uint8_t>(usage),
                                 static_cast<std::uint8_t>(kind)};
  const std::uint64_t h = fnv1a(suffix, fnv1a(baseKey));
  return static_cast<std::size_t>((h ^ (h >> 32)) % kSets);
}

bool DerivedKeyCache::matches(const Entry& e, BytesView baseKey, std::uint32_t usage, DerivedKeyKind kind) {
  return e.used && e.usage == usage && e.kind == kind && constantTimeEqual(e.base, baseKey);
}

void DerivedKeyCache::wipe(Entry& e) {
  secureWipe(e.base);
  secureWipe(e.derived);
  e.base.clear();
  e.derived.clear();
  e.used = false;
}

std::optional<Bytes> DerivedKeyCache::find(BytesView baseKey, std::uint32_t usage, DerivedKeyKind kind) {
  if (baseKey.empty() || baseKey.size() > kMaxKeyBytes) {
    return std::nullopt;
  }
  Set& set = sets_[setIndex(baseKey, usage, kind)];
  std::lock_guard lock(set.mutex);
  for (Entry& e : set.ways) {
    if (matches(e, baseKey, usage, kind)) {
      e.lastUse = ++set.tick;
      return e.derived;
    }
  }
  return std::nullopt;
}

void DerivedKeyCache::insert(BytesView baseKey, std::uint32_t usage, DerivedKeyKind kind, BytesView derived) {
  if (baseKey.empty() || baseKey.size() > kMaxKeyBytes) {
    return;
  }
  Set& set = sets_[setIndex(baseKey, usage, kind)];
  std::lock_guard lock(set.mutex);
  Entry* victim = &set.ways.front();
  for (Entry& e : set.ways) {
    if (matches(e, baseKey, usage, kind)) {
      victim = &e;  // another thread derived it meanwhile: refresh in place
      break;
    }
    if (!e.used) {
      if (victim->used) {
        victim = &e;
      }
    } else if (victim->used && e.lastUse < victim->lastUse) {
      victim = &e;
    }
  }
  wipe(*victim);
  victim->used = true;
  victim->usage = usage;
  victim->kind = kind;
  victim->lastUse = ++set.tick;
  victim->base.assign(baseKey.begin(), baseKey.end());
  victim->derived.assign(derived.begin(), derived.end());
}

void DerivedKeyCache::clear() {
  for (Set& set : sets_) {
    std::lock_guard lock(set.mutex);
    for (Entry& e : set.ways) {
      wipe(e);
    }
  }
}

std::size_t DerivedKeyCache::size() const {
  std::size_t n = 0;
  for (const Set& set : sets_) {
    std::lock_guard lock(set.mutex);
    for (const Entry& e : set.ways) {
      n += e.used ? 1 : 0;
    }
  }
  return n;
}

DerivedKeyCache& derivedKeyCache() {
  // Never destroyed: crypto may run from other static destructors.
  static auto* cache = new DerivedKeyCache();
  return *cache;
}

}  // namespace kerbpool::core::crypto
