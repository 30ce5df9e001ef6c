#include "core/messages/field_codec.hpp"

#include <limits>

namespace kerbpool::core::messages::wire {

Result<std::uint32_t> lenientUInt32(der::Reader& r, std::string_view field) {
  KP_TRY(std::int64_t v, r.readInteger(field));
  if (v < std::numeric_limits<std::int32_t>::min() || v > std::numeric_limits<std::uint32_t>::max()) {
    return makeError(ErrorCategory::Decoding, "integer_overflow",
                     "UInt32 at " + r.fieldPath(field) + " out of range: " + std::to_string(v));
  }
  return static_cast<std::uint32_t>(v);
}

Result<std::uint32_t> kerberosFlags(der::Reader& r, std::string_view field) {
  KP_TRY(der::BitString bits, r.readBitString(field));
  std::uint32_t out = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    out <<= 8;
    if (i < bits.bits.size()) {
      out |= bits.bits[i];
    }
  }
  return out;
}

Result<std::int32_t> microseconds(der::Reader& r, std::string_view field) {
  KP_TRY(std::int32_t v, r.readInt32(field));
  if (v < 0 || v > 999999) {
    return makeError(ErrorCategory::Decoding, "bad_microseconds",
                     "Microseconds at " + r.fieldPath(field) + " out of range: " + std::to_string(v));
  }
  return v;
}

namespace {

Result<der::Reader> enterSequenceOfApplication(der::Reader& r, std::uint32_t app, std::string_view field) {
  KP_TRY(der::Reader outer, r.enterApplication(app, field));
  KP_TRY(der::Reader seq, outer.enterSequence(""));
  KP_CHECK(outer.expectEnd());
  return seq;
}

Error badAppTag(const der::Reader& r, std::string_view field, std::string_view expected,
                const std::optional<der::Tag>& tag) {
  const std::string where = r.fieldPath(field);
  return makeError(ErrorCategory::Decoding, "bad_app_tag",
                   "expected " + std::string(expected) + " at " + (where.empty() ? "input" : where) +
                       ", found " + (tag ? tag->describe() : std::string("the end")));
}

}  // namespace

Result<der::Reader> enterApplicationSequence(der::Reader& r, std::uint32_t app, std::string_view field,
                                             std::string_view what) {
  const auto tag = r.peekTag();
  if (!tag || *tag != der::Tag::application(app)) {
    if (!tag && !r.atEnd()) {
      // Malformed tag or length octets: let the reader report the precise problem.
      KP_CHECK(r.readTlv(field));
    }
    return badAppTag(r, field, std::string(what) + " [APPLICATION " + std::to_string(app) + "]", tag);
  }
  return enterSequenceOfApplication(r, app, field);
}

Result<der::Reader> enterApplicationSequenceOneOf(der::Reader& r, std::uint32_t appA, std::uint32_t appB,
                                                  std::string_view field, std::string_view what,
                                                  std::uint32_t& found) {
  const auto tag = r.peekTag();
  if (!tag || (*tag != der::Tag::application(appA) && *tag != der::Tag::application(appB))) {
    if (!tag && !r.atEnd()) {
      KP_CHECK(r.readTlv(field));
    }
    return badAppTag(r, field,
                     std::string(what) + " [APPLICATION " + std::to_string(appA) + "] or [APPLICATION " +
                         std::to_string(appB) + "]",
                     tag);
  }
  found = tag->number;
  return enterSequenceOfApplication(r, tag->number, field);
}

Status expectPvno(der::Reader& r, std::uint32_t n, std::string_view field) {
  KP_TRY(std::int64_t v,
         readField(r, n, field, [](der::Reader& c, std::string_view f) { return c.readInteger(f); }));
  if (v != 5) {
    return makeError(
        ErrorCategory::Decoding, "bad_pvno",
        std::string(field) + " at " + r.fieldPath(field) + " is " + std::to_string(v) + ", expected 5");
  }
  return okStatus();
}

Status expectMsgType(der::Reader& r, std::uint32_t n, iana::MsgType expected) {
  KP_TRY(std::int64_t v,
         readField(r, n, "msg-type", [](der::Reader& c, std::string_view f) { return c.readInteger(f); }));
  if (v != static_cast<std::int64_t>(expected)) {
    return makeError(ErrorCategory::Decoding, "bad_msg_type",
                     "msg-type at " + r.fieldPath("msg-type") + " is " + std::to_string(v) + ", expected " +
                         std::to_string(static_cast<std::int32_t>(expected)));
  }
  return okStatus();
}

void writeKerberosFlags(der::Writer& w, std::uint32_t flags) {
  const std::uint8_t bits[4] = {static_cast<std::uint8_t>(flags >> 24),
                                static_cast<std::uint8_t>(flags >> 16), static_cast<std::uint8_t>(flags >> 8),
                                static_cast<std::uint8_t>(flags)};
  w.bitString(BytesView(bits, 4), 0);
}

}  // namespace kerbpool::core::messages::wire
