#include "core/der/der_oid.hpp"

#include <charconv>
#include <cstdint>
#include <vector>

namespace kerbpool::core::der {
namespace {

void appendBase128(Bytes& out, std::uint64_t v) {
  std::uint8_t tmp[10];
  int n = 0;
  do {
    tmp[n++] = static_cast<std::uint8_t>(v & 0x7f);
    v >>= 7;
  } while (v != 0);
  while (n > 1) {
    out.push_back(static_cast<std::uint8_t>(tmp[--n] | 0x80));
  }
  out.push_back(tmp[0]);
}

}  // namespace

bool isValidOidContent(BytesView c) {
  if (c.empty() || (c.back() & 0x80) != 0) {
    return false;
  }
  bool atArcStart = true;
  int arcLen = 0;
  for (std::uint8_t b : c) {
    if (atArcStart && b == 0x80) {
      return false;  // non-minimal arc
    }
    ++arcLen;
    if (arcLen > 9) {
      return false;  // arcs beyond 63 bits are not used by anything we speak
    }
    atArcStart = (b & 0x80) == 0;
    if (atArcStart) {
      arcLen = 0;
    }
  }
  return true;
}

std::optional<Bytes> oidFromString(std::string_view dotted) {
  std::vector<std::uint64_t> arcs;
  std::size_t pos = 0;
  while (pos <= dotted.size()) {
    std::size_t dot = dotted.find('.', pos);
    if (dot == std::string_view::npos) {
      dot = dotted.size();
    }
    std::uint64_t v = 0;
    const char* b = dotted.data() + pos;
    const char* e = dotted.data() + dot;
    auto [ptr, ec] = std::from_chars(b, e, v);
    if (ec != std::errc() || ptr != e || b == e) {
      return std::nullopt;
    }
    arcs.push_back(v);
    pos = dot + 1;
  }
  if (arcs.size() < 2 || arcs[0] > 2 || (arcs[0] < 2 && arcs[1] > 39)) {
    return std::nullopt;
  }
  Bytes out;
  appendBase128(out, arcs[0] * 40 + arcs[1]);
  for (std::size_t i = 2; i < arcs.size(); ++i) {
    appendBase128(out, arcs[i]);
  }
  return out;
}

std::optional<std::string> oidToString(BytesView c) {
  if (!isValidOidContent(c)) {
    return std::nullopt;
  }
  std::string out;
  std::uint64_t v = 0;
  bool first = true;
  for (std::uint8_t b : c) {
    v = (v << 7) | (b & 0x7f);
    if ((b & 0x80) != 0) {
      continue;
    }
    if (first) {
      const std::uint64_t a = v < 80 ? v / 40 : 2;
      out = std::to_string(a) + "." + std::to_string(v - a * 40);
      first = false;
    } else {
      out += "." + std::to_string(v);
    }
    v = 0;
  }
  return out;
}

}  // namespace kerbpool::core::der
