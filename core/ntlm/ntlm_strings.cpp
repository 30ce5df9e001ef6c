#include "core/ntlm/ntlm_strings.hpp"

#include <cstdint>

#include "core/common/utf8.hpp"
#include "core/crypto/utf16le.hpp"
#include "core/ntlm/ntlm_wire.hpp"

namespace kerbpool::core::ntlm {

namespace {

std::uint16_t upperUnit(std::uint16_t u) {
  if (u >= 'a' && u <= 'z') {
    return static_cast<std::uint16_t>(u - 0x20);
  }
  if (u < 0xe0) {
    return u;
  }
  if (u <= 0xfe) {
    return u == 0xf7 ? u : static_cast<std::uint16_t>(u - 0x20);
  }
  if (u == 0xff) {
    return 0x178;
  }
  // Latin Extended-A: upper/lower pairs, the lower-case letter one above its capital.
  if ((u >= 0x100 && u <= 0x12f) || (u >= 0x132 && u <= 0x137) || (u >= 0x14a && u <= 0x177)) {
    return (u & 1) != 0 ? static_cast<std::uint16_t>(u - 1) : u;
  }
  if ((u >= 0x139 && u <= 0x148) || (u >= 0x179 && u <= 0x17e)) {
    return (u & 1) == 0 ? static_cast<std::uint16_t>(u - 1) : u;
  }
  // Greek.
  if (u == 0x3ac) {
    return 0x386;
  }
  if (u >= 0x3ad && u <= 0x3af) {
    return static_cast<std::uint16_t>(u - 0x25);
  }
  if (u == 0x3c2) {
    return 0x3a3;
  }
  if (u >= 0x3b1 && u <= 0x3cb) {
    return static_cast<std::uint16_t>(u - 0x20);
  }
  if (u == 0x3cc) {
    return 0x38c;
  }
  if (u == 0x3cd || u == 0x3ce) {
    return static_cast<std::uint16_t>(u - 0x3f);
  }
  // Cyrillic.
  if (u >= 0x430 && u <= 0x44f) {
    return static_cast<std::uint16_t>(u - 0x20);
  }
  if (u >= 0x450 && u <= 0x45f) {
    return static_cast<std::uint16_t>(u - 0x50);
  }
  return u;
}

}  // namespace

Result<std::string> utf16leToUtf8(BytesView utf16, std::string_view field) {
  if (utf16.size() % 2 != 0) {
    return makeError(ErrorCategory::Decoding, "odd_utf16_length",
                     std::string(field) + " has an odd UTF-16LE length of " + std::to_string(utf16.size()));
  }
  std::string out;
  out.reserve(utf16.size() / 2);
  for (std::size_t i = 0; i < utf16.size(); i += 2) {
    const std::uint16_t u = wire::getLe16(utf16, i);
    if (u >= 0xd800 && u <= 0xdbff) {
      if (i + 4 <= utf16.size()) {
        const std::uint16_t low = wire::getLe16(utf16, i + 2);
        if (low >= 0xdc00 && low <= 0xdfff) {
          appendUtf8(out, 0x10000 + ((static_cast<std::uint32_t>(u - 0xd800) << 10) | (low - 0xdc00)));
          i += 2;
          continue;
        }
      }
      return makeError(ErrorCategory::Decoding, "bad_utf16",
                       std::string(field) + " has an unpaired surrogate at byte " + std::to_string(i));
    }
    if (u >= 0xdc00 && u <= 0xdfff) {
      return makeError(ErrorCategory::Decoding, "bad_utf16",
                       std::string(field) + " has an unpaired surrogate at byte " + std::to_string(i));
    }
    appendUtf8(out, u);
  }
  return out;
}

Result<Bytes> encodeNtlmString(std::string_view text, bool unicode, std::string_view field) {
  if (!unicode) {
    return toBytes(text);
  }
  auto r = crypto::utf8ToUtf16le(text);
  if (!r.ok()) {
    return makeError(ErrorCategory::Encoding, "bad_utf8", std::string(field) + ": " + r.error().detail);
  }
  return std::move(r).value();
}

Result<std::string> decodeNtlmString(BytesView wire, bool unicode, std::string_view field) {
  if (!unicode) {
    return toString(wire);
  }
  return utf16leToUtf8(wire, field);
}

Bytes upperCaseUtf16le(BytesView utf16) {
  Bytes out(utf16.begin(), utf16.end());
  for (std::size_t i = 0; i + 1 < out.size(); i += 2) {
    wire::setLe16(out, i, upperUnit(wire::getLe16(out, i)));
  }
  return out;
}

}  // namespace kerbpool::core::ntlm
