#include "core/der/der_reader.hpp"

#include <cstring>
#include <limits>
#include <utility>

#include "core/der/der_oid.hpp"
#include "core/der/der_time.hpp"

namespace kerbpool::core::der {
namespace {

struct Header {
  Tag tag;
  std::size_t headerLength = 0;
  std::size_t contentLength = 0;
};

// Why a header did not parse; its words are made only when a caller reports it.
enum class HeaderError {
  None,
  NoTag,
  TagPastEnd,
  TagLeadingZero,
  TagTooLong,
  TagBelow31,
  NoLength,
  Indefinite,
  LengthTooLong,
  LengthPastEnd,
  LengthLeadingZero,
  LengthShortForm,
  ContentPastEnd,
};

struct HeaderFailure {
  HeaderError error = HeaderError::None;
  std::size_t value = 0;  // LengthTooLong: its octets; ContentPastEnd: the announced length
  std::size_t left = 0;   // ContentPastEnd: the octets there are
};

// The error code and detail of a failure.
std::pair<std::string, std::string> describe(const HeaderFailure& f) {
  switch (f.error) {
    case HeaderError::NoTag:
      return {"truncated", "no octets left for a tag"};
    case HeaderError::TagPastEnd:
      return {"truncated", "tag number runs past the end"};
    case HeaderError::TagLeadingZero:
      return {"non_minimal_tag", "high tag number has a leading zero group"};
    case HeaderError::TagTooLong:
      return {"tag_too_large", "tag number longer than 4 octets"};
    case HeaderError::TagBelow31:
      return {"non_minimal_tag", "tag number below 31 in the long form"};
    case HeaderError::NoLength:
      return {"truncated", "no octets left for a length"};
    case HeaderError::Indefinite:
      return {"indefinite_length", "indefinite length is not DER"};
    case HeaderError::LengthTooLong:
      return {"length_too_large", "length of " + std::to_string(f.value) + " octets"};
    case HeaderError::LengthPastEnd:
      return {"truncated", "length octets run past the end"};
    case HeaderError::LengthLeadingZero:
      return {"non_minimal_length", "long-form length with a leading zero octet"};
    case HeaderError::LengthShortForm:
      return {"non_minimal_length", "long form used for a length below 128"};
    case HeaderError::ContentPastEnd:
      return {"truncated",
              "content of " + std::to_string(f.value) + " octets, only " + std::to_string(f.left) + " left"};
    case HeaderError::None:
      break;
  }
  return {"truncated", "unreadable header"};
}

// Parses tag and length at data[0..]; on failure fills `failure` and returns nullopt.
std::optional<Header> parseHeader(BytesView data, HeaderFailure& failure) {
  const auto fail = [&failure](HeaderError e, std::size_t value = 0, std::size_t left = 0) {
    failure = HeaderFailure{e, value, left};
    return std::optional<Header>{};
  };
  // Most elements have a one-octet tag and a short-form length: taken without the general loop below.
  if (data.size() >= 2 && (data[0] & 0x1f) != 0x1f && data[1] < 0x80 && data[1] <= data.size() - 2) {
    Header h;
    h.tag.cls = static_cast<TagClass>(data[0] & 0xC0);
    h.tag.constructed = (data[0] & 0x20) != 0;
    h.tag.number = data[0] & 0x1fu;
    h.headerLength = 2;
    h.contentLength = data[1];
    return h;
  }
  if (data.empty()) {
    return fail(HeaderError::NoTag);
  }
  Header h;
  std::size_t p = 0;
  const std::uint8_t first = data[p++];
  h.tag.cls = static_cast<TagClass>(first & 0xC0);
  h.tag.constructed = (first & 0x20) != 0;
  std::uint32_t number = first & 0x1f;
  if (number == 0x1f) {
    number = 0;
    int n = 0;
    while (true) {
      if (p >= data.size()) {
        return fail(HeaderError::TagPastEnd);
      }
      const std::uint8_t b = data[p++];
      if (n == 0 && b == 0x80) {
        return fail(HeaderError::TagLeadingZero);
      }
      if (++n > 4) {
        return fail(HeaderError::TagTooLong);
      }
      number = (number << 7) | (b & 0x7f);
      if ((b & 0x80) == 0) {
        break;
      }
    }
    if (number < 31) {
      return fail(HeaderError::TagBelow31);
    }
  }
  h.tag.number = number;
  if (p >= data.size()) {
    return fail(HeaderError::NoLength);
  }
  const std::uint8_t lenByte = data[p++];
  std::size_t length = 0;
  if (lenByte < 0x80) {
    length = lenByte;
  } else if (lenByte == 0x80) {
    return fail(HeaderError::Indefinite);
  } else {
    const int n = lenByte & 0x7f;
    if (n > 4) {
      return fail(HeaderError::LengthTooLong, static_cast<std::size_t>(n));
    }
    if (data.size() - p < static_cast<std::size_t>(n)) {
      return fail(HeaderError::LengthPastEnd);
    }
    if (data[p] == 0) {
      return fail(HeaderError::LengthLeadingZero);
    }
    for (int i = 0; i < n; ++i) {
      length = (length << 8) | data[p++];
    }
    if (length < 0x80) {
      return fail(HeaderError::LengthShortForm);
    }
  }
  if (data.size() - p < length) {
    return fail(HeaderError::ContentPastEnd, length, data.size() - p);
  }
  h.headerLength = p;
  h.contentLength = length;
  return h;
}

}  // namespace

Reader::Reader(BytesView data, std::string_view path, int depth) : data_(data), depth_(depth) {
  setPath(path, {});
}

void Reader::setPath(std::string_view parent, std::string_view field) {
  const std::size_t dot = !parent.empty() && !field.empty() ? 1 : 0;
  const std::size_t total = parent.size() + dot + field.size();
  if (total <= kMaxPath) {  // the usual case
    if (!parent.empty()) {  // (memcpy from a null pointer is undefined even for 0 octets)
      std::memcpy(path_.data(), parent.data(), parent.size());
    }
    if (dot != 0) {
      path_[parent.size()] = '.';
    }
    if (!field.empty()) {
      std::memcpy(path_.data() + parent.size() + dot, field.data(), field.size());
    }
    pathLength_ = total;
    return;
  }
  // Writes the combined path's characters from `skip` on.
  std::size_t skip = 0;
  std::size_t at = 0;
  if (total > kMaxPath) {
    skip = total - (kMaxPath - 3);
    path_[0] = path_[1] = path_[2] = '.';
    at = 3;
  }
  const auto put = [&](std::string_view part) {
    for (const char c : part) {
      if (skip > 0) {
        --skip;
      } else {
        path_[at++] = c;
      }
    }
  };
  put(parent);
  put(dot != 0 ? std::string_view(".") : std::string_view());
  put(field);
  pathLength_ = at;
}

std::string Reader::fieldPath(std::string_view field) const {
  const std::string_view p = path();
  if (p.empty()) {
    return std::string(field);
  }
  if (field.empty()) {
    return std::string(p);
  }
  std::string out;
  out.reserve(p.size() + 1 + field.size());
  out += p;
  out += '.';
  out += field;
  return out;
}

Error Reader::fail(std::string code, std::string detail) const {
  return makeError(ErrorCategory::Decoding, std::move(code), std::move(detail));
}

std::optional<Tag> Reader::peekTag() const {
  HeaderFailure failure;
  auto h = parseHeader(remaining(), failure);
  if (!h) {
    return std::nullopt;
  }
  return h->tag;
}

bool Reader::peekIs(Tag t) const {
  auto p = peekTag();
  return p && *p == t;
}

Result<Tlv> Reader::readTlv(std::string_view field) {
  HeaderFailure failure;
  auto h = parseHeader(remaining(), failure);
  if (!h) {
    auto [code, detail] = describe(failure);
    return fail(std::move(code),
                detail + " at " + fieldPath(field) + " (offset " + std::to_string(pos_) + ")");
  }
  const BytesView encoded = data_.subspan(pos_, h->headerLength + h->contentLength);
  Tlv tlv{h->tag, encoded.subspan(h->headerLength), encoded};
  pos_ += encoded.size();
  return tlv;
}

Result<Tlv> Reader::readExpected(Tag expected, std::string_view field) {
  HeaderFailure failure;
  const auto h = parseHeader(remaining(), failure);
  if (h && h->tag == expected) {  // the usual case: the header is parsed once
    const BytesView encoded = data_.subspan(pos_, h->headerLength + h->contentLength);
    pos_ += encoded.size();
    return Tlv{h->tag, encoded.subspan(h->headerLength), encoded};
  }
  const std::optional<Tag> tag = h ? std::optional<Tag>(h->tag) : std::nullopt;
  if (tag && *tag != expected) {
    return fail("bad_tag",
                "expected " + expected.describe() + " at " + fieldPath(field) + ", found " + tag->describe());
  }
  if (!tag && atEnd()) {
    return fail("missing_field",
                "expected " + expected.describe() + " at " + fieldPath(field) + ", found the end");
  }
  return readTlv(field);
}

Result<Reader> Reader::enter(Tag expected, std::string_view field) {
  if (depth_ + 1 > kMaxDepth) {
    return fail("nesting_too_deep",
                "more than " + std::to_string(kMaxDepth) + " levels at " + fieldPath(field));
  }
  BytesView content;
  if (!take(expected, content)) {
    KP_TRY(Tlv tlv, readExpected(expected, field));  // names what is wrong
    content = tlv.content;
  }
  Reader child;
  child.data_ = content;
  child.depth_ = depth_ + 1;
  const std::size_t dot = pathLength_ != 0 && !field.empty() ? 1 : 0;
  if (pathLength_ + dot + field.size() <= kMaxPath) {
    // The usual case: the parent's whole buffer is copied (a fixed size, no call), then the field added.
    child.path_ = path_;
    if (dot != 0) {
      child.path_[pathLength_] = '.';
    }
    if (!field.empty()) {  // (memcpy from a null pointer is undefined even for 0 octets)
      std::memcpy(child.path_.data() + pathLength_ + dot, field.data(), field.size());
    }
    child.pathLength_ = pathLength_ + dot + field.size();
  } else {
    child.setPath(path(), field);
  }
  return child;
}

Result<Reader> Reader::enterSequence(std::string_view field) {
  return enter(Tag::sequence(), field);
}

Result<Reader> Reader::enterApplication(std::uint32_t n, std::string_view field) {
  return enter(Tag::application(n), field);
}

Result<Reader> Reader::enterContext(std::uint32_t n, std::string_view field) {
  return enter(Tag::context(n), field);
}

Result<std::optional<Reader>> Reader::enterOptionalContext(std::uint32_t n, std::string_view field) {
  if (!peekContext(n)) {
    return std::optional<Reader>();
  }
  KP_TRY(Reader r, enterContext(n, field));
  return std::optional<Reader>(std::move(r));
}

namespace {

// take()'s general case (a multi-octet tag or length), kept out of line so the usual case needs no stack
// frame.
[[gnu::noinline]] bool takeParsed(BytesView data, std::size_t& pos, Tag expected, BytesView& content) {
  HeaderFailure failure;
  const auto h = parseHeader(data.subspan(pos), failure);
  if (!h || h->tag != expected) {
    return false;
  }
  content = data.subspan(pos + h->headerLength, h->contentLength);
  pos += h->headerLength + h->contentLength;
  return true;
}

}  // namespace

bool Reader::take(Tag expected, BytesView& content) {
  // Most elements have a one-octet identifier and a short-form length: compared and taken as two octets.
  const BytesView d = remaining();
  if (expected.number < 0x1f && d.size() >= 2 && d[1] < 0x80 && d[1] <= d.size() - 2) {
    const auto identifier = static_cast<std::uint8_t>(static_cast<std::uint8_t>(expected.cls) |
                                                      (expected.constructed ? 0x20 : 0) | expected.number);
    if (d[0] != identifier) {
      return false;
    }
    content = d.subspan(2, d[1]);
    pos_ += 2 + d[1];
    return true;
  }
  return takeParsed(data_, pos_, expected, content);
}

Result<Tlv> Reader::readPrimitive(std::uint32_t number, std::string_view what, std::string_view field) {
  HeaderFailure failure;
  const auto h = parseHeader(remaining(), failure);
  if (h && h->tag.cls == TagClass::Universal && h->tag.number == number) {
    if (h->tag.constructed) {
      return fail("constructed_primitive",
                  std::string(what) + " at " + fieldPath(field) + " uses the constructed form");
    }
    // The usual case: the header is parsed once.
    const BytesView encoded = data_.subspan(pos_, h->headerLength + h->contentLength);
    pos_ += encoded.size();
    return Tlv{h->tag, encoded.subspan(h->headerLength), encoded};
  }
  return readExpected(Tag::universalPrimitive(number), field);  // names what was found instead
}

Result<std::int64_t> Reader::readInteger(std::string_view field) {
  BytesView content;
  if (!take(Tag::universalPrimitive(universal::kInteger), content)) {
    KP_TRY(Tlv tlv, readPrimitive(universal::kInteger, "INTEGER", field));  // names what is wrong
    content = tlv.content;
  }
  return integerFromContent(content, "INTEGER", field);
}

Result<std::int64_t> Reader::integerFromContent(BytesView c, std::string_view what,
                                                std::string_view field) const {
  // The field path is only built for an error message: integers are decoded on every hot path.
  const auto where = [&] { return std::string(what) + " at " + fieldPath(field); };
  if (c.empty()) {
    return fail("bad_integer", "empty " + where());
  }
  if (c.size() > 1 && ((c[0] == 0x00 && (c[1] & 0x80) == 0) || (c[0] == 0xff && (c[1] & 0x80) != 0))) {
    return fail("non_minimal_integer", where() + " is not in minimal form");
  }
  if (c.size() > 8) {
    return fail("integer_overflow", where() + " is wider than 64 bits");
  }
  std::uint64_t v = (c[0] & 0x80) != 0 ? ~std::uint64_t{0} : 0;
  for (std::uint8_t b : c) {
    v = (v << 8) | b;
  }
  return static_cast<std::int64_t>(v);
}

Result<std::int32_t> Reader::readInt32(std::string_view field) {
  KP_TRY(std::int64_t v, readInteger(field));
  if (v < std::numeric_limits<std::int32_t>::min() || v > std::numeric_limits<std::int32_t>::max()) {
    return fail("integer_overflow", "Int32 at " + fieldPath(field) + " out of range: " + std::to_string(v));
  }
  return static_cast<std::int32_t>(v);
}

Result<std::uint32_t> Reader::readUInt32(std::string_view field) {
  KP_TRY(std::int64_t v, readInteger(field));
  if (v < 0 || v > std::numeric_limits<std::uint32_t>::max()) {
    return fail("integer_overflow", "UInt32 at " + fieldPath(field) + " out of range: " + std::to_string(v));
  }
  return static_cast<std::uint32_t>(v);
}

Result<std::int64_t> Reader::readEnumerated(std::string_view field) {
  KP_TRY(Tlv tlv, readPrimitive(universal::kEnumerated, "ENUMERATED", field));
  return integerFromContent(tlv.content, "ENUMERATED", field);
}

Result<bool> Reader::readBoolean(std::string_view field) {
  KP_TRY(Tlv tlv, readPrimitive(universal::kBoolean, "BOOLEAN", field));
  if (tlv.content.size() != 1 || (tlv.content[0] != 0x00 && tlv.content[0] != 0xff)) {
    return fail("bad_boolean", "BOOLEAN at " + fieldPath(field) + " is not 00 or FF");
  }
  return tlv.content[0] == 0xff;
}

Result<Bytes> Reader::readOctetString(std::string_view field) {
  BytesView content;
  if (!take(Tag::universalPrimitive(universal::kOctetString), content)) {
    KP_TRY(Tlv tlv, readPrimitive(universal::kOctetString, "OCTET STRING", field));
    content = tlv.content;
  }
  return Bytes(content.begin(), content.end());
}

Result<std::string> Reader::readGeneralString(std::string_view field) {
  BytesView content;
  if (!take(Tag::universalPrimitive(universal::kGeneralString), content)) {
    KP_TRY(Tlv tlv, readPrimitive(universal::kGeneralString, "GeneralString", field));
    content = tlv.content;
  }
  return toString(content);
}

Result<std::string> Reader::readIa5String(std::string_view field) {
  KP_TRY(Tlv tlv, readPrimitive(universal::kIa5String, "IA5String", field));
  for (std::uint8_t b : tlv.content) {
    if (b > 0x7f) {
      return fail("bad_string", "IA5String at " + fieldPath(field) + " has a non-ASCII octet");
    }
  }
  return toString(tlv.content);
}

Result<std::int64_t> Reader::readKerberosTime(std::string_view field) {
  KP_TRY(Tlv tlv, readPrimitive(universal::kGeneralizedTime, "GeneralizedTime", field));
  auto t = parseGeneralizedTime(toString(tlv.content));
  if (!t) {
    return fail("bad_time", "KerberosTime at " + fieldPath(field) + " is not YYYYMMDDHHMMSSZ");
  }
  return *t;
}

Result<BitString> Reader::readBitString(std::string_view field) {
  KP_TRY(Tlv tlv, readPrimitive(universal::kBitString, "BIT STRING", field));
  const BytesView c = tlv.content;
  if (c.empty()) {
    return fail("bad_bit_string", "BIT STRING at " + fieldPath(field) + " has no unused-bits octet");
  }
  const std::uint8_t unused = c[0];
  if (unused > 7 || (c.size() == 1 && unused != 0)) {
    return fail("bad_bit_string", "BIT STRING at " + fieldPath(field) + " has a bad unused-bits count");
  }
  if (unused != 0 && (c.back() & ((1u << unused) - 1)) != 0) {
    return fail("bad_bit_string", "BIT STRING at " + fieldPath(field) + " has non-zero unused bits");
  }
  return BitString{Bytes(c.begin() + 1, c.end()), unused};
}

Result<Bytes> Reader::readOid(std::string_view field) {
  KP_TRY(Tlv tlv, readPrimitive(universal::kOid, "OBJECT IDENTIFIER", field));
  if (!isValidOidContent(tlv.content)) {
    return fail("bad_oid", "OBJECT IDENTIFIER at " + fieldPath(field) + " is malformed");
  }
  return Bytes(tlv.content.begin(), tlv.content.end());
}

Status Reader::readNull(std::string_view field) {
  KP_TRY(Tlv tlv, readPrimitive(universal::kNull, "NULL", field));
  if (!tlv.content.empty()) {
    return fail("bad_null", "NULL at " + fieldPath(field) + " has content");
  }
  return okStatus();
}

Status Reader::expectEnd() const {
  if (!atEnd()) {
    std::string what = "unexpected data";
    if (auto t = peekTag()) {
      what = "unexpected " + t->describe();
    }
    return fail("trailing_bytes", what + " after the last field of " +
                                      (pathLength_ == 0 ? std::string("input") : std::string(path())) + " (" +
                                      std::to_string(data_.size() - pos_) + " octets)");
  }
  return okStatus();
}

Result<Tlv> readSingle(BytesView data, std::string_view what) {
  Reader r(data, std::string(what));
  KP_TRY(Tlv tlv, r.readTlv(""));
  KP_CHECK(r.expectEnd());
  return tlv;
}

}  // namespace kerbpool::core::der
