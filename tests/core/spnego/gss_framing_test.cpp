#include <catch2/catch.hpp>

#include "core/common/hex.hpp"
#include "core/spnego/gss_framing.hpp"
#include "tests/support/reference.hpp"

using namespace kerbpool::core;
using namespace kerbpool::core::spnego;
using kerbpool::test::hexBytes;

namespace {

// A stand-in AP-REQ body: only the framing is under test here.
Bytes fakeMessage(std::uint8_t appTag, std::size_t size) {
  Bytes m(size, 0x5a);
  m[0] = appTag;
  return m;
}

}  // namespace

TEST_CASE("OID constants are the DER content octets of PROTOCOL-NOTES section 7", "[spnego][gss]") {
  CHECK(toHex(krb5Oid()) == "2a864886f712010202");
  CHECK(toHex(msKrb5Oid()) == "2a864882f712010202");
  CHECK(toHex(spnegoOid()) == "2b0601050502");
  CHECK(toHex(ntlmsspOid()) == "2b06010401823702020a");
  CHECK(toHex(iakerbOid()) == "2b0601050205");
  CHECK(toHex(krb5OldOid()) == "2b05010502");
  CHECK(isKerberosMech(krb5Oid()));
  CHECK(isKerberosMech(msKrb5Oid()));
  CHECK(isKerberosMech(krb5OldOid()));
  CHECK_FALSE(isKerberosMech(spnegoOid()));
  CHECK_FALSE(isKerberosMech(ntlmsspOid()));
  CHECK_FALSE(isKerberosMech(iakerbOid()));
  CHECK(isNtlmMech(ntlmsspOid()));
  CHECK(mechName(msKrb5Oid()) == "ms-krb5");
}

TEST_CASE("InitialContextToken framing wraps and unwraps", "[spnego][gss]") {
  // Short form length.
  const Bytes inner = {0x01, 0x00, 0x6e, 0x00};
  const Bytes token = wrapInitialContextToken(krb5Oid(), inner);
  CHECK(toHex(token) == "600f06092a864886f71201020201006e00");
  auto u = unwrapInitialContextToken(token);
  REQUIRE(u.ok());
  CHECK(u->mechOid == Bytes(krb5Oid().begin(), krb5Oid().end()));
  CHECK(u->innerToken == inner);

  // Long form length (two octets), as in every real AP-REQ token.
  const Bytes big = fakeMessage(0x6e, 600);
  const Bytes t2 = wrapKrb5Token(TokId::ApReq, big);
  CHECK(toHex(BytesView(t2).first(4)) == "60820265");  // 11 (OID TLV) + 2 + 600 = 613 = 0x265
  auto k = unwrapKrb5Token(t2);
  REQUIRE(k.ok());
  CHECK(k->tokId == TokId::ApReq);
  CHECK(k->message == big);
  CHECK(oidEqual(k->mechOid, krb5Oid()));
}

TEST_CASE("krb5 tokens carry the three TOK_IDs and the MS-krb5 OID", "[spnego][gss]") {
  const std::pair<TokId, std::uint8_t> cases[] = {
      {TokId::ApReq, 0x6e}, {TokId::ApRep, 0x6f}, {TokId::KrbError, 0x7e}};
  for (const auto& [id, tag] : cases) {
    CAPTURE(toString(id));
    const Bytes msg = fakeMessage(tag, 40);
    for (BytesView mech : {krb5Oid(), msKrb5Oid()}) {
      const Bytes token = wrapKrb5Token(id, msg, mech);
      const auto raw = static_cast<std::uint16_t>(id);
      CHECK(token[2 + 11] == (raw >> 8));
      CHECK(token[2 + 12] == (raw & 0xff));
      auto k = unwrapKrb5Token(token);
      REQUIRE(k.ok());
      CHECK(k->tokId == id);
      CHECK(oidEqual(k->mechOid, mech));
      CHECK(k->message == msg);
    }
  }
}

TEST_CASE("krb5 token decoding fails with typed errors, never crashes", "[spnego][gss][negative]") {
  const Bytes good = wrapKrb5Token(TokId::ApReq, fakeMessage(0x6e, 300));

  SECTION("every truncation") {
    for (std::size_t n = 0; n < good.size(); ++n) {
      CAPTURE(n);
      auto k = unwrapKrb5Token(BytesView(good).first(n));
      REQUIRE_FALSE(k.ok());
      CHECK(k.error().category == ErrorCategory::Decoding);
      CHECK_FALSE(k.error().code.empty());
    }
  }
  SECTION("trailing data after the framed length") {
    Bytes t = good;
    t.push_back(0x00);
    CHECK(unwrapKrb5Token(t).error().code == "trailing_bytes");
  }
  SECTION("outer length too large") {
    Bytes t = good;
    t[3] += 1;
    CHECK(unwrapKrb5Token(t).error().code == "truncated");
  }
  SECTION("non-minimal outer length") {
    const Bytes t = hexBytes("60810f06092a864886f71201020201006e00");
    CHECK(unwrapKrb5Token(t).error().code == "non_minimal_length");
  }
  SECTION("indefinite outer length") {
    const Bytes t = hexBytes("608006092a864886f71201020201006e000000");
    CHECK(unwrapKrb5Token(t).error().code == "indefinite_length");
  }
  SECTION("not 0x60") {
    Bytes t = good;
    t[0] = 0x30;
    CHECK(unwrapKrb5Token(t).error().code == "not_gss_token");
  }
  SECTION("no OID") {
    CHECK(unwrapKrb5Token(hexBytes("600401006e00")).error().code == "bad_tag");
    CHECK(unwrapKrb5Token(hexBytes("6000")).error().code == "missing_field");
  }
  SECTION("malformed OID") {
    CHECK(unwrapKrb5Token(hexBytes("60080602808001006e00")).error().code == "bad_oid");
    CHECK(unwrapKrb5Token(hexBytes("6006060001006e00")).error().code == "bad_oid");
  }
  SECTION("wrong mechanism OIDs") {
    for (BytesView mech : {spnegoOid(), ntlmsspOid(), iakerbOid()}) {
      const Bytes t = wrapKrb5Token(TokId::ApReq, fakeMessage(0x6e, 10), mech);
      CHECK(unwrapKrb5Token(t).error().code == "not_krb5_mech");
    }
  }
  SECTION("wrong TOK_IDs") {
    for (const char* inner : {"0001", "0400", "0404", "0504", "0101", "ffff"}) {
      CAPTURE(inner);
      Bytes in = hexBytes(inner);
      in.push_back(0x6e);
      const Bytes t = wrapInitialContextToken(krb5Oid(), in);
      CHECK(unwrapKrb5Token(t).error().code == "bad_tok_id");
    }
  }
  SECTION("TOK_ID alone") {
    CHECK(unwrapKrb5Token(wrapInitialContextToken(krb5Oid(), hexBytes("0100"))).error().code ==
          "missing_message");
    CHECK(unwrapKrb5Token(wrapInitialContextToken(krb5Oid(), hexBytes("01"))).error().code == "truncated");
  }
  SECTION("TOK_ID that does not match the message") {
    CHECK(unwrapKrb5Token(wrapKrb5Token(TokId::ApReq, fakeMessage(0x6f, 10))).error().code ==
          "tok_id_mismatch");
    CHECK(unwrapKrb5Token(wrapKrb5Token(TokId::ApRep, fakeMessage(0x7e, 10))).error().code ==
          "tok_id_mismatch");
  }
}
