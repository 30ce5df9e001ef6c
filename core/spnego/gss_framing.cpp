#include "core/spnego/gss_framing.hpp"

#include "core/der/der_reader.hpp"
#include "core/der/der_writer.hpp"
#include "core/spnego/decoding_error.hpp"

namespace kerbpool::core::spnego {
namespace {

constexpr std::uint8_t kInitialContextTokenTag = 0x60;  // [APPLICATION 0] constructed

// The APPLICATION tag octet of the Kerberos message each TOK_ID announces.
std::uint8_t expectedMessageTag(TokId id) {
  switch (id) {
    case TokId::ApReq:
      return 0x6e;  // [APPLICATION 14]
    case TokId::ApRep:
      return 0x6f;  // [APPLICATION 15]
    case TokId::KrbError:
      return 0x7e;  // [APPLICATION 30]
  }
  return 0;
}

}  // namespace

Bytes wrapInitialContextToken(BytesView mechOid, BytesView innerToken) {
  der::Writer oid;
  oid.oid(mechOid);
  Bytes content = oid.take();
  append(content, innerToken);
  Bytes out;
  out.push_back(kInitialContextTokenTag);
  der::appendLength(out, content.size());
  append(out, content);
  return out;
}

Result<InitialContextToken> unwrapInitialContextToken(BytesView token) {
  if (token.empty() || token[0] != kInitialContextTokenTag) {
    return decodingError("not_gss_token", "GSS InitialContextToken must start with 0x60");
  }
  der::Reader outer(token, "InitialContextToken");
  KP_TRY(der::Tlv tlv, outer.readExpected(der::Tag::application(0), ""));
  KP_CHECK(outer.expectEnd());
  der::Reader inner(tlv.content, "InitialContextToken");
  KP_TRY(Bytes mechOid, inner.readOid("thisMech"));
  const BytesView rest = inner.remaining();
  return InitialContextToken{std::move(mechOid), Bytes(rest.begin(), rest.end())};
}

std::string_view toString(TokId id) {
  switch (id) {
    case TokId::ApReq:
      return "AP-REQ";
    case TokId::ApRep:
      return "AP-REP";
    case TokId::KrbError:
      return "KRB-ERROR";
  }
  return "unknown";
}

Bytes wrapKrb5Token(TokId tokId, BytesView message, BytesView mechOid) {
  const auto id = static_cast<std::uint16_t>(tokId);
  Bytes inner;
  inner.reserve(2 + message.size());
  inner.push_back(static_cast<std::uint8_t>(id >> 8));
  inner.push_back(static_cast<std::uint8_t>(id & 0xff));
  append(inner, message);
  return wrapInitialContextToken(mechOid, inner);
}

Result<Krb5Token> unwrapKrb5Token(BytesView token) {
  KP_TRY(InitialContextToken framed, unwrapInitialContextToken(token));
  if (!isKerberosMech(framed.mechOid)) {
    return decodingError("not_krb5_mech", "krb5 token: thisMech is not a Kerberos 5 mechanism OID");
  }
  const Bytes& inner = framed.innerToken;
  if (inner.size() < 2) {
    return decodingError("truncated", "krb5 token: no room for the 2-octet TOK_ID");
  }
  const auto raw = static_cast<std::uint16_t>((inner[0] << 8) | inner[1]);
  TokId id;
  switch (raw) {
    case static_cast<std::uint16_t>(TokId::ApReq):
    case static_cast<std::uint16_t>(TokId::ApRep):
    case static_cast<std::uint16_t>(TokId::KrbError):
      id = static_cast<TokId>(raw);
      break;
    default:
      return decodingError("bad_tok_id", "krb5 token: unknown TOK_ID " + std::to_string(inner[0]) + " " +
                                             std::to_string(inner[1]));
  }
  if (inner.size() == 2) {
    return decodingError("missing_message",
                         std::string("krb5 token: no ") + std::string(toString(id)) + " after TOK_ID");
  }
  if (inner[2] != expectedMessageTag(id)) {
    return decodingError("tok_id_mismatch", std::string("krb5 token: TOK_ID announces ") +
                                                std::string(toString(id)) +
                                                " but the message has another APPLICATION tag");
  }
  return Krb5Token{std::move(framed.mechOid), id, Bytes(inner.begin() + 2, inner.end())};
}

}  // namespace kerbpool::core::spnego
