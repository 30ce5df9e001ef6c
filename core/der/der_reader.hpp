#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/common/bytes.hpp"
#include "core/common/result.hpp"
#include "core/der/der_tags.hpp"

namespace kerbpool::core::der {

// One decoded element: its tag, its content octets and the whole encoding (tag + length + content).
struct Tlv {
  Tag tag;
  BytesView content;
  BytesView encoded;
};

struct BitString {
  Bytes bits;                   // bit 0 is the most significant bit of bits[0]
  std::uint8_t unusedBits = 0;  // 0..7, in the last octet
};

// A strict DER reader over a borrowed buffer. It accepts definite, minimal lengths only, minimal INTEGERs,
// primitive/constructed forms as DER requires, bounded nesting, and nothing after the last element a
// caller asks for (expectEnd). Every failure is a decoding Error whose detail names the field path, e.g.
// "expected INTEGER at AS-REQ.req-body.nonce, found OCTET STRING".
class Reader {
 public:
  static constexpr int kMaxDepth = 24;

  explicit Reader(BytesView data, std::string_view path = {}, int depth = 0);

  bool atEnd() const { return pos_ >= data_.size(); }
  std::size_t offset() const { return pos_; }
  BytesView remaining() const { return data_.subspan(pos_); }
  std::string_view path() const { return std::string_view(path_.data(), pathLength_); }

  // The tag of the next element, or nullopt at the end (or if the tag octets are malformed).
  std::optional<Tag> peekTag() const;
  bool peekIs(Tag t) const;
  bool peekContext(std::uint32_t n) const { return peekIs(Tag::context(n)); }

  // Any element, checked for DER length rules.
  Result<Tlv> readTlv(std::string_view field);
  // An element that must carry this exact tag.
  Result<Tlv> readExpected(Tag expected, std::string_view field);

  // Constructed elements: a reader over the content, one level deeper.
  Result<Reader> enterSequence(std::string_view field);
  Result<Reader> enterApplication(std::uint32_t n, std::string_view field);
  Result<Reader> enterContext(std::uint32_t n, std::string_view field);  // EXPLICIT [n]
  // Present -> a reader; absent (the next tag is not [n]) -> nullopt without consuming anything.
  Result<std::optional<Reader>> enterOptionalContext(std::uint32_t n, std::string_view field);

  // Primitive values.
  Result<std::int64_t> readInteger(std::string_view field);
  Result<std::int32_t> readInt32(std::string_view field);
  Result<std::uint32_t> readUInt32(std::string_view field);
  Result<bool> readBoolean(std::string_view field);
  Result<std::int64_t> readEnumerated(std::string_view field);
  Result<Bytes> readOctetString(std::string_view field);
  Result<std::string> readGeneralString(std::string_view field);
  Result<std::string> readIa5String(std::string_view field);
  // KerberosTime: GeneralizedTime, exactly YYYYMMDDHHMMSSZ; returns seconds since the Unix epoch.
  Result<std::int64_t> readKerberosTime(std::string_view field);
  Result<BitString> readBitString(std::string_view field);
  Result<Bytes> readOid(std::string_view field);  // content octets, validated
  Status readNull(std::string_view field);

  // Fails with trailing_bytes unless every octet has been consumed.
  Status expectEnd() const;

  std::string fieldPath(std::string_view field) const;

 private:
  Error fail(std::string code, std::string detail) const;
  Result<Tlv> readPrimitive(std::uint32_t universalNumber, std::string_view what, std::string_view field);
  // The usual case of entering or reading, without a Result: an element with exactly this tag is next -> its
  // content, consumed; anything else -> false, nothing consumed (the caller's readExpected/readPrimitive then
  // reports what is wrong).
  bool take(Tag expected, BytesView& content);
  Result<Reader> enter(Tag expected, std::string_view field);
  Result<std::int64_t> integerFromContent(BytesView content, std::string_view what,
                                          std::string_view field) const;

  // The path is kept inline (no allocation per entered element: a KDC enters hundreds per request); one
  // longer than kMaxPath keeps its last characters after "...".
  static constexpr std::size_t kMaxPath = 120;
  void setPath(std::string_view parent, std::string_view field);
  Reader() = default;  // enter() fills a child in

  BytesView data_;
  std::size_t pos_ = 0;
  std::array<char, kMaxPath> path_;  // only the first pathLength_ characters are ever read
  std::size_t pathLength_ = 0;
  int depth_ = 0;
};

// Decodes exactly one element filling the whole buffer.
Result<Tlv> readSingle(BytesView data, std::string_view what);

}  // namespace kerbpool::core::der
