#include "core/der/der_writer.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "core/der/der_time.hpp"

namespace kerbpool::core::der {

namespace {

// The identifier octets of `tag` at out[0..]; returns their count (at most 6).
std::size_t tagOctets(Tag tag, std::uint8_t* out) {
  const auto first =
      static_cast<std::uint8_t>(static_cast<std::uint8_t>(tag.cls) | (tag.constructed ? 0x20 : 0x00));
  if (tag.number < 31) {
    out[0] = static_cast<std::uint8_t>(first | tag.number);
    return 1;
  }
  out[0] = static_cast<std::uint8_t>(first | 0x1f);
  std::uint8_t tmp[5];
  int n = 0;
  std::uint32_t v = tag.number;
  do {
    tmp[n++] = static_cast<std::uint8_t>(v & 0x7f);
    v >>= 7;
  } while (v != 0);
  std::size_t at = 1;
  while (n > 1) {
    out[at++] = static_cast<std::uint8_t>(tmp[--n] | 0x80);
  }
  out[at++] = tmp[0];
  return at;
}

// The definite, minimal length octets of `length` at out[0..]; returns their count (at most 9).
std::size_t lengthOctets(std::size_t length, std::uint8_t* out) {
  if (length < 0x80) {
    out[0] = static_cast<std::uint8_t>(length);
    return 1;
  }
  std::size_t n = 0;
  for (std::size_t v = length; v != 0; v >>= 8) {
    ++n;
  }
  out[0] = static_cast<std::uint8_t>(0x80 | n);
  for (std::size_t i = 0; i < n; ++i) {
    out[n - i] = static_cast<std::uint8_t>(length >> (8 * i));
  }
  return n + 1;
}

}  // namespace

void appendTag(Bytes& out, Tag tag) {
  std::uint8_t octets[6];
  const std::size_t n = tagOctets(tag, octets);
  if (n == 1) {  // the usual case; push_back costs less than a range insert
    out.push_back(octets[0]);
  } else {
    out.insert(out.end(), octets, octets + n);
  }
}

void appendLength(Bytes& out, std::size_t length) {
  std::uint8_t octets[9];
  const std::size_t n = lengthOctets(length, octets);
  if (n == 1) {
    out.push_back(octets[0]);
  } else {
    out.insert(out.end(), octets, octets + n);
  }
}

namespace {

// The minimal big-endian two's complement octets of v, at the end of `octets`; returns where they start.
std::size_t integerOctets(std::int64_t v, std::array<std::uint8_t, 8>& octets) {
  if (v >= 0 && v < 0x80) {  // most INTEGERs in Kerberos (pvno, msg-type, name-type, etype, kvno...)
    octets[7] = static_cast<std::uint8_t>(v);
    return 7;
  }
  for (std::size_t i = 0; i < 8; ++i) {
    octets[i] = static_cast<std::uint8_t>((static_cast<std::uint64_t>(v) >> (56 - 8 * i)) & 0xff);
  }
  // Drop redundant leading 0x00 / 0xff octets.
  std::size_t start = 0;
  while (start + 1 < octets.size()) {
    const bool redundantZero = octets[start] == 0x00 && (octets[start + 1] & 0x80) == 0;
    const bool redundantOnes = octets[start] == 0xff && (octets[start + 1] & 0x80) != 0;
    if (!redundantZero && !redundantOnes) {
      break;
    }
    ++start;
  }
  return start;
}

}  // namespace

Bytes encodeInteger(std::int64_t v) {
  std::array<std::uint8_t, 8> octets{};
  const std::size_t start = integerOctets(v, octets);
  return Bytes(octets.begin() + static_cast<std::ptrdiff_t>(start), octets.end());
}

void Writer::grow(std::size_t n) {
  buf_.resize(std::max({buf_.size() * 2, size_ + n, std::size_t{64}}));
}

void Writer::appendLongTag(Tag tag) {
  std::uint8_t octets[6];
  const std::size_t n = tagOctets(tag, octets);
  std::memcpy(extend(n), octets, n);
}

void Writer::finishLength(std::size_t lengthAt) {
  const std::size_t length = size_ - lengthAt - 1;
  if (length < 0x80) {
    buf_[lengthAt] = static_cast<std::uint8_t>(length);
    return;
  }
  // Long form (X.690 8.1.3.5, minimal octets as DER wants): 0x80 | n, then n octets, big-endian. The content
  // moves up by the n octets the placeholder did not have.
  std::uint8_t octets[9];
  const std::size_t n = lengthOctets(length, octets);
  extend(n - 1);
  std::memmove(buf_.data() + lengthAt + n, buf_.data() + lengthAt + 1, length);
  std::memcpy(buf_.data() + lengthAt, octets, n);
}

Writer& Writer::wrap(Tag tag, BytesView content) {
  // Tag and length are formed on the stack and the element is added with one extend: every primitive of every
  // message comes through here.
  std::uint8_t header[15];
  std::size_t n = tagOctets(tag, header);
  n += lengthOctets(content.size(), header + n);
  std::uint8_t* p = extend(n + content.size());
  std::memcpy(p, header, n);
  if (!content.empty()) {
    std::memcpy(p + n, content.data(), content.size());
  }
  return *this;
}

Writer& Writer::integer(std::int64_t v) {
  std::array<std::uint8_t, 8> octets{};
  const std::size_t start = integerOctets(v, octets);
  return wrap(Tag::universalPrimitive(universal::kInteger), BytesView(octets).subspan(start));
}

Writer& Writer::enumerated(std::int64_t v) {
  std::array<std::uint8_t, 8> octets{};
  const std::size_t start = integerOctets(v, octets);
  return wrap(Tag::universalPrimitive(universal::kEnumerated), BytesView(octets).subspan(start));
}

Writer& Writer::boolean(bool v) {
  const std::uint8_t b = v ? 0xff : 0x00;
  return wrap(Tag::universalPrimitive(universal::kBoolean), BytesView(&b, 1));
}

Writer& Writer::octetString(BytesView v) {
  return wrap(Tag::universalPrimitive(universal::kOctetString), v);
}

Writer& Writer::generalString(std::string_view v) {
  return wrap(Tag::universalPrimitive(universal::kGeneralString), asBytes(v));
}

Writer& Writer::ia5String(std::string_view v) {
  return wrap(Tag::universalPrimitive(universal::kIa5String), asBytes(v));
}

Writer& Writer::kerberosTime(std::int64_t unixSeconds) {
  const std::string t = formatGeneralizedTime(unixSeconds);
  return wrap(Tag::universalPrimitive(universal::kGeneralizedTime), asBytes(t));
}

Writer& Writer::bitString(BytesView bits, std::uint8_t unusedBits) {
  Bytes content;
  content.reserve(bits.size() + 1);
  content.push_back(unusedBits);
  append(content, bits);
  return wrap(Tag::universalPrimitive(universal::kBitString), content);
}

Writer& Writer::oid(BytesView content) {
  return wrap(Tag::universalPrimitive(universal::kOid), content);
}

Writer& Writer::null() {
  return wrap(Tag::universalPrimitive(universal::kNull), {});
}

Writer& Writer::raw(BytesView encodedTlv) {
  if (!encodedTlv.empty()) {
    std::memcpy(extend(encodedTlv.size()), encodedTlv.data(), encodedTlv.size());
  }
  return *this;
}

}  // namespace kerbpool::core::der
