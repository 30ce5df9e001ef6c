#include "core/crypto/utf16le.hpp"

#include <cstdint>
#include <string>

namespace kerbpool::core::crypto {

namespace {

Error badUtf8(std::size_t offset) {
  return makeError(ErrorCategory::Crypto, "bad_utf8", "malformed UTF-8 at byte " + std::to_string(offset));
}

void putUnit(Bytes& out, std::uint32_t unit) {
  out.push_back(static_cast<std::uint8_t>(unit & 0xff));
  out.push_back(static_cast<std::uint8_t>(unit >> 8));
}

}  // namespace

Result<Bytes> utf8ToUtf16le(std::string_view utf8) {
  Bytes out;
  out.reserve(utf8.size() * 2);
  std::size_t i = 0;
  while (i < utf8.size()) {
    const std::size_t start = i;
    const auto lead = static_cast<std::uint8_t>(utf8[i++]);
    std::uint32_t cp = 0;
    std::size_t extra = 0;
    std::uint32_t min = 0;
    if (lead < 0x80) {
      cp = lead;
    } else if ((lead & 0xe0) == 0xc0) {
      cp = lead & 0x1f;
      extra = 1;
      min = 0x80;
    } else if ((lead & 0xf0) == 0xe0) {
      cp = lead & 0x0f;
      extra = 2;
      min = 0x800;
    } else if ((lead & 0xf8) == 0xf0) {
      cp = lead & 0x07;
      extra = 3;
      min = 0x10000;
    } else {
      return badUtf8(start);
    }
    for (std::size_t k = 0; k < extra; ++k) {
      if (i >= utf8.size()) {
        return badUtf8(start);
      }
      const auto cont = static_cast<std::uint8_t>(utf8[i++]);
      if ((cont & 0xc0) != 0x80) {
        return badUtf8(start);
      }
      cp = (cp << 6) | (cont & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return badUtf8(start);
    }
    if (cp >= 0x10000) {
      const std::uint32_t v = cp - 0x10000;
      putUnit(out, 0xd800 + (v >> 10));
      putUnit(out, 0xdc00 + (v & 0x3ff));
    } else {
      putUnit(out, cp);
    }
  }
  return out;
}

}  // namespace kerbpool::core::crypto
