#include "core/common/base64.hpp"

#include <array>
#include <cstdint>

namespace kerbpool::core {
namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::uint8_t kInvalid = 0xff;

constexpr std::array<std::uint8_t, 256> makeDecodeTable() {
  std::array<std::uint8_t, 256> t{};
  for (auto& v : t) {
    v = kInvalid;
  }
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
    t[static_cast<std::uint8_t>(kAlphabet[i])] = static_cast<std::uint8_t>(i);
  }
  return t;
}

constexpr std::array<std::uint8_t, 256> kDecode = makeDecodeTable();

Error badBase64(std::string detail) {
  return makeError(ErrorCategory::Decoding, "bad_base64", std::move(detail));
}

}  // namespace

std::string base64Encode(BytesView data) {
  // Sized once and written through a pointer: a push_back per character (a call and a capacity check each)
  // cost five times the encoding itself.
  std::string out(base64EncodedSize(data.size()), '=');
  char* o = out.data();
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const std::uint32_t v = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8) | data[i + 2];
    *o++ = kAlphabet[(v >> 18) & 0x3f];
    *o++ = kAlphabet[(v >> 12) & 0x3f];
    *o++ = kAlphabet[(v >> 6) & 0x3f];
    *o++ = kAlphabet[v & 0x3f];
  }
  const std::size_t rest = data.size() - i;
  if (rest != 0) {  // one or two octets left: two or three symbols, then the '=' already there
    const std::uint32_t v =
        (std::uint32_t{data[i]} << 16) | (rest == 2 ? std::uint32_t{data[i + 1]} << 8 : 0);
    *o++ = kAlphabet[(v >> 18) & 0x3f];
    *o++ = kAlphabet[(v >> 12) & 0x3f];
    if (rest == 2) {
      *o++ = kAlphabet[(v >> 6) & 0x3f];
    }
  }
  return out;
}

Result<Bytes> base64Decode(std::string_view text, std::size_t maxInputChars) {
  if (text.size() > maxInputChars) {
    return makeError(ErrorCategory::Decoding, "input_too_large",
                     "base64 text of " + std::to_string(text.size()) + " characters, limit " +
                         std::to_string(maxInputChars));
  }
  if (text.size() % 4 != 0) {
    return badBase64("base64 length " + std::to_string(text.size()) + " is not a multiple of 4");
  }
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') {
    padding = (text.size() >= 2 && text[text.size() - 2] == '=') ? 2 : 1;
  }
  const std::size_t symbols = text.size() - padding;
  const auto invalidAt = [&](std::size_t i) {
    return badBase64("character " +
                     std::to_string(static_cast<unsigned>(static_cast<std::uint8_t>(text[i]))) +
                     " at offset " + std::to_string(i) + " is not in the base64 alphabet");
  };
  const auto value = [&](std::size_t i) { return kDecode[static_cast<std::uint8_t>(text[i])]; };
  // Whole quads first, three octets each (a token of a Negotiate header is a few thousand symbols); the
  // 2 or 3 symbols before the padding after.
  Bytes out(symbols * 6 / 8);
  std::size_t o = 0;
  std::size_t i = 0;
  for (; i + 4 <= symbols; i += 4) {
    const std::uint8_t a = value(i), b = value(i + 1), c = value(i + 2), d = value(i + 3);
    if (a == kInvalid || b == kInvalid || c == kInvalid || d == kInvalid) {
      for (std::size_t j = i;; ++j) {
        if (value(j) == kInvalid) {
          return invalidAt(j);
        }
      }
    }
    const std::uint32_t quad = std::uint32_t{a} << 18 | std::uint32_t{b} << 12 | std::uint32_t{c} << 6 | d;
    out[o++] = static_cast<std::uint8_t>(quad >> 16);
    out[o++] = static_cast<std::uint8_t>(quad >> 8);
    out[o++] = static_cast<std::uint8_t>(quad);
  }
  std::uint32_t acc = 0;
  int bits = 0;
  for (; i < symbols; ++i) {
    const std::uint8_t v = value(i);
    if (v == kInvalid) {
      return invalidAt(i);
    }
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = static_cast<std::uint8_t>((acc >> bits) & 0xff);
    }
  }
  // The unused low bits of the last symbol must be zero: 2 bits before "=", 4 before "==" (RFC 4648 3.5).
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
    return badBase64("non-zero padding bits in the last base64 symbol");
  }
  return out;
}

}  // namespace kerbpool::core
