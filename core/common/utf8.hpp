#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace kerbpool::core {

// Appends the UTF-8 encoding of Unicode code point `cp` (at most 0x10FFFF; the caller has validated it).
inline void appendUtf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

// What starts at text[i] (i < text.size()): a well-formed UTF-8 sequence (RFC 3629: no overlongs, no
// surrogates, at most U+10FFFF) of `length` octets, or an ill-formed one whose `length` is its maximal
// subpart (Unicode 15, 3.9: the octets that begin a well-formed sequence without completing it, at least
// one), which a decoder replaces with one U+FFFD.
struct Utf8Scan {
  std::size_t length;
  bool wellFormed;
};

inline Utf8Scan scanUtf8(std::string_view text, std::size_t i) {
  const auto at = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char c = at(i);
  if (c < 0x80) {
    return {1, true};
  }
  std::size_t n = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    lo = c == 0xe0 ? 0xa0 : 0x80;
    hi = c == 0xed ? 0x9f : 0xbf;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    lo = c == 0xf0 ? 0x90 : 0x80;
    hi = c == 0xf4 ? 0x8f : 0xbf;
  } else {
    return {1, false};
  }
  if (i + 1 >= text.size() || at(i + 1) < lo || at(i + 1) > hi) {
    return {1, false};
  }
  for (std::size_t k = 2; k < n; ++k) {
    if (i + k >= text.size() || at(i + k) < 0x80 || at(i + k) > 0xbf) {
      return {k, false};
    }
  }
  return {n, true};
}

// Where the run that starts at text[i] ends: the run is made of well-formed multi-octet UTF-8 sequences and
// of the ASCII octets `plain(c)` accepts; it stops before anything else (or at the end). Escapers append a
// run whole and treat the octet after it one at a time.
template <class PlainAscii>
std::size_t endOfPlainRun(std::string_view text, std::size_t i, PlainAscii plain) {
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    const Utf8Scan s = c < 0x80 ? Utf8Scan{1, plain(c)} : scanUtf8(text, i);
    if (!s.wellFormed) {
      break;
    }
    i += s.length;
  }
  return i;
}

}  // namespace kerbpool::core
