#pragma once

#include <cstddef>
#include <string>
#include <string_view>

// The text rules every HTTP field parser of kerbpool needs (RFC 9110 5.6.3 and 5.6.2): optional whitespace
// around a value, and tokens compared without ASCII case; also how host names, SPNs and account names are
// lowered (ASCII only, whatever the locale).
namespace kerbpool::core {

// `v` without leading and trailing OWS (spaces and horizontal tabs).
inline std::string_view trimOws(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) {
    v.remove_prefix(1);
  }
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) {
    v.remove_suffix(1);
  }
  return v;
}

// `c` lowered if it is an ASCII upper-case letter (locale-free; any other octet unchanged).
inline char toLowerAscii(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// ASCII case-insensitive equality (locale-free).
inline bool equalsIgnoreAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (toLowerAscii(a[i]) != toLowerAscii(b[i])) {
      return false;
    }
  }
  return true;
}

// `v` with ASCII upper-case letters lowered (locale-free; other octets unchanged).
inline std::string toLowerAscii(std::string_view v) {
  std::string out(v);
  for (char& c : out) {
    c = toLowerAscii(c);
  }
  return out;
}

inline std::string toUpperAscii(std::string_view v) {
  std::string out(v);
  for (char& c : out) {
    c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  return out;
}

}  // namespace kerbpool::core
