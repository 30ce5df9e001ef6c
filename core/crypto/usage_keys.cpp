#include "core/crypto/usage_keys.hpp"

#include <array>
#include <cstring>

#include "core/crypto/derive.hpp"
#include "core/crypto/scoped_wipe.hpp"

namespace kerbpool::core::crypto {

namespace {

struct Slot {
  bool used = false;
  std::uint32_t usage = 0;
  std::uint64_t lastUse = 0;
  std::uint64_t fingerprint = 0;  // of the base key: most slots are passed over without comparing keys
  std::size_t baseBytes = 0;
  std::array<std::uint8_t, 32> base{};
  bool encryptionReady = false;  // ke and ki hold this slot's keys
  bool checksumReady = false;    // kc does
  AesCbcKey ke;
  HmacSha1Key ki;
  HmacSha1Key kc;
};

struct Slots {
  std::array<Slot, kUsageKeySlots> slots;
  std::uint64_t tick = 0;
  ~Slots() {
    for (Slot& s : slots) {
      secureWipe(std::span<std::uint8_t>(s.base));
    }
  }
};

Slots& threadSlots() {
  thread_local Slots slots;
  return slots;
}

bool sameBase(const Slot& s, BytesView baseKey, std::uint64_t fingerprint, std::uint32_t usage) {
  return s.used && s.usage == usage && s.fingerprint == fingerprint && s.baseBytes == baseKey.size() &&
         constantTimeEqual(BytesView(s.base.data(), s.baseBytes), baseKey);
}

// The slot for (baseKey, usage): the one that has it, or the least recently used one, emptied for it.
Result<Slot*> slotFor(BytesView baseKey, std::uint32_t usage) {
  if (baseKey.size() != 16 && baseKey.size() != 32) {
    return makeError(ErrorCategory::Crypto, "bad_key_length",
                     "AES key must be 16 or 32 bytes, got " + std::to_string(baseKey.size()));
  }
  Slots& all = threadSlots();
  const std::uint64_t fingerprint = fnv1a(baseKey);  // sameBase still compares the whole key
  Slot* victim = &all.slots.front();
  for (Slot& s : all.slots) {
    if (sameBase(s, baseKey, fingerprint, usage)) {
      s.lastUse = ++all.tick;
      return &s;
    }
    if (!s.used) {
      if (victim->used) {
        victim = &s;
      }
    } else if (victim->used && s.lastUse < victim->lastUse) {
      victim = &s;
    }
  }
  secureWipe(std::span<std::uint8_t>(victim->base));
  victim->used = true;
  victim->usage = usage;
  victim->fingerprint = fingerprint;
  victim->lastUse = ++all.tick;
  victim->baseBytes = baseKey.size();
  std::memcpy(victim->base.data(), baseKey.data(), baseKey.size());
  victim->encryptionReady = false;
  victim->checksumReady = false;
  return victim;
}

// Keys `target` with DK(base, usage || kind); on failure the slot is given up (its contexts may be half
// keyed).
Status keyFromDerivation(Slot& slot, DerivedKeyKind kind, auto& target) {
  auto derived = deriveUsageKey(BytesView(slot.base.data(), slot.baseBytes), slot.usage, kind);
  if (!derived) {
    slot.used = false;
    return std::move(derived).error();
  }
  ScopedWipe wipe(*derived);
  auto keyed = target.setKey(*derived);
  if (!keyed) {
    slot.used = false;
    return std::move(keyed).error();
  }
  return okStatus();
}

}  // namespace

Result<EncryptionKeys> threadEncryptionKeys(BytesView baseKey, std::uint32_t usage) {
  KP_TRY(Slot * slot, slotFor(baseKey, usage));
  if (!slot->encryptionReady) {
    KP_CHECK(keyFromDerivation(*slot, DerivedKeyKind::Encryption, slot->ke));
    KP_CHECK(keyFromDerivation(*slot, DerivedKeyKind::Integrity, slot->ki));
    slot->encryptionReady = true;
  }
  return EncryptionKeys{slot->ke, slot->ki};
}

Result<HmacSha1Key*> threadChecksumKey(BytesView baseKey, std::uint32_t usage) {
  KP_TRY(Slot * slot, slotFor(baseKey, usage));
  if (!slot->checksumReady) {
    KP_CHECK(keyFromDerivation(*slot, DerivedKeyKind::Checksum, slot->kc));
    slot->checksumReady = true;
  }
  return &slot->kc;
}

std::size_t threadUsageKeySlots() {
  std::size_t n = 0;
  for (const Slot& s : threadSlots().slots) {
    n += s.used ? 1 : 0;
  }
  return n;
}

}  // namespace kerbpool::core::crypto
