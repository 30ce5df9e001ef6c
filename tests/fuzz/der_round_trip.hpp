#pragma once

// The round-trip contract of core/messages for fuzzing: a value decoded from x re-encodes to x. The DER
// engine is strict, so the only allowed differences are the two lenient reads core/messages documents
// (core/messages/field_codec.hpp), which re-encode canonically:
//   - a UInt32 field (kvno, nonce, seq-number) sent as a negative INTEGER, taken modulo 2^32;
//   - KerberosFlags sent with another length than 32 bits (missing bits 0, bits past 32 ignored).
// Anything else that differs aborts, and so does a re-encoding that does not decode to the same value.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/der/der_reader.hpp"
#include "core/der/der_tags.hpp"
#include "core/messages/codec.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace kerbpool::fuzz {

namespace detail {

inline bool sameBytes(core::BytesView a, core::BytesView b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

// `sent` is a negative INTEGER in [-2^31, 0) and `encoded` the same value plus 2^32.
inline bool isLenientUInt32(core::BytesView sent, core::BytesView encoded) {
  if (sent.empty() || encoded.empty() || sent.size() > 4 || (sent[0] & 0x80) == 0) {
    return false;
  }
  std::int64_t s = -1;
  for (std::uint8_t b : sent) {
    s = (s << 8) | b;  // sign-extended two's complement
  }
  std::int64_t e = 0;
  for (std::uint8_t b : encoded) {
    e = (e << 8) | b;
  }
  return encoded.size() <= 5 && (encoded[0] & 0x80) == 0 && e == s + (std::int64_t{1} << 32);
}

// `sent` is a BIT STRING whose first 32 bits (missing ones 0) are the 32 bits of `encoded` (unused 0).
inline bool isLenientFlags(core::BytesView sent, core::BytesView encoded) {
  if (sent.empty() || encoded.size() != 5 || encoded[0] != 0) {
    return false;
  }
  for (std::size_t i = 0; i < 4; ++i) {
    const std::uint8_t s = i + 1 < sent.size() ? sent[i + 1] : 0;
    if (s != encoded[i + 1]) {
      return false;
    }
  }
  return true;
}

inline bool sameUpToLeniency(core::BytesView sent, core::BytesView encoded, int depth = 0) {
  if (sameBytes(sent, encoded)) {
    return true;
  }
  if (depth > core::der::Reader::kMaxDepth) {
    return false;
  }
  core::der::Reader a(sent);
  core::der::Reader b(encoded);
  while (!a.atEnd() && !b.atEnd()) {
    auto x = a.readTlv("");
    auto y = b.readTlv("");
    if (!x.ok() || !y.ok() || !(x->tag == y->tag)) {
      return false;
    }
    if (sameBytes(x->encoded, y->encoded)) {
      continue;
    }
    const auto& tag = x->tag;
    if (tag.constructed) {
      if (!sameUpToLeniency(x->content, y->content, depth + 1)) {
        return false;
      }
    } else if (tag == core::der::Tag::universalPrimitive(core::der::universal::kInteger)) {
      if (!isLenientUInt32(x->content, y->content)) {
        return false;
      }
    } else if (tag == core::der::Tag::universalPrimitive(core::der::universal::kBitString)) {
      if (!isLenientFlags(x->content, y->content)) {
        return false;
      }
    } else {
      return false;
    }
  }
  return a.atEnd() && b.atEnd();
}

}  // namespace detail

// decode<T>(x); when accepted, checks the round trip described above. Returns whether x was accepted.
template <class T>
bool decodeRoundTrip(core::BytesView input, std::string_view name) {
  namespace messages = core::messages;
  auto decoded = messages::decode<T>(input);
  if (!decoded.ok()) {
    check(!decoded.error().code.empty(), std::string(name) + ": an error without a code");
    return false;
  }
  const core::Bytes encoded = messages::encode(*decoded);
  if (!detail::sameUpToLeniency(input, encoded)) {
    checkSame(input, encoded, std::string(name) + ": encode(decode(x)) != x");
  }
  auto again = messages::decode<T>(encoded);
  check(again.ok(), std::string(name) + ": its own encoding does not decode: " +
                        (again.ok() ? std::string() : again.error().message()));
  check(*again == *decoded, std::string(name) + ": decode(encode(v)) != v");
  return true;
}

}  // namespace kerbpool::fuzz
