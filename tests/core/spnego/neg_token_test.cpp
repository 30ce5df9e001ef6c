#include <catch2/catch.hpp>

#include <string>

#include "core/common/hex.hpp"
#include "core/der/der_oid.hpp"
#include "core/spnego/neg_token.hpp"
#include "tests/support/reference.hpp"

using namespace kerbpool::core;
using namespace kerbpool::core::spnego;
using kerbpool::test::hexBytes;
using kerbpool::test::loadVectors;

namespace {

std::vector<std::string> dotted(const std::vector<Bytes>& oids) {
  std::vector<std::string> out;
  for (const Bytes& o : oids) {
    out.push_back(der::oidToString(o).value_or("?"));
  }
  return out;
}

Bytes oidBytes(BytesView v) {
  return Bytes(v.begin(), v.end());
}

// Every prefix of a valid token must be refused with a typed error.
template <typename Decode>
void checkEveryTruncationFails(const Bytes& token, Decode decode) {
  for (std::size_t n = 0; n < token.size(); ++n) {
    CAPTURE(n);
    auto r = decode(BytesView(token).first(n));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().category == ErrorCategory::Decoding);
    CHECK_FALSE(r.error().code.empty());
  }
}

}  // namespace

TEST_CASE("RFC 4178 vectors decode to the listed values and re-encode byte for byte", "[spnego][vectors]") {
  const auto doc = loadVectors("rfc4178-spnego-tokens.json");
  REQUIRE(doc["vectors"].size() == 2);
  int inits = 0;
  int resps = 0;
  for (const auto& v : doc["vectors"]) {
    CAPTURE(v["name"].get<std::string>());
    const Bytes token = hexBytes(v["token_hex"].get<std::string>());
    const auto& d = v["decoded"];
    auto decoded = decodeNegotiationToken(token);
    REQUIRE(decoded.ok());
    CHECK(encodeNegotiationToken(*decoded) == token);

    if (d.contains("mechTypes")) {
      ++inits;
      REQUIRE(std::holds_alternative<NegTokenInit>(*decoded));
      const auto& init = std::get<NegTokenInit>(*decoded);
      CHECK(dotted(init.mechTypes) == d["mechTypes"].get<std::vector<std::string>>());
      CHECK(init.reqFlags.has_value() == !d["reqFlags"].is_null());
      CHECK(init.mechListMic.has_value() == !d["mechListMIC"].is_null());
      CHECK_FALSE(init.negHints.has_value());
      // The MechTypeList DER as received: 30 25 06 09 ... (the mechListMIC input).
      CHECK(init.mechTypesDer == encodeMechTypeList(init.mechTypes));
      CHECK(toHex(init.mechTypesDer).rfind("302506092a864886f712010202", 0) == 0);
      // mechToken: "krb5 InitialContextToken: 60 82 02 71 | 06 09 2a864886f712010202 | TOK_ID 01 00 | AP-REQ"
      REQUIRE(init.mechToken.has_value());
      CHECK(d["mechToken"].get<std::string>().rfind("krb5 InitialContextToken: 60 82 02 71", 0) == 0);
      CHECK(toHex(BytesView(*init.mechToken).first(4)) == "60820271");
      auto krb5 = unwrapKrb5Token(*init.mechToken);
      REQUIRE(krb5.ok());
      CHECK(krb5->tokId == TokId::ApReq);
      CHECK(oidEqual(krb5->mechOid, krb5Oid()));
      CHECK(krb5->message.at(0) == 0x6e);

      // The framed first token, as carried in "Authorization: Negotiate".
      const Bytes framed = hexBytes(v["framed_initial_token_hex_derived"].get<std::string>());
      CHECK(encodeInitialToken(init) == framed);
      auto initial = decodeInitialToken(framed);
      REQUIRE(initial.ok());
      CHECK(initial->kind == InitialTokenKind::Spnego);
      REQUIRE(initial->negTokenInit.has_value());
      CHECK(encodeNegTokenInit(*initial->negTokenInit) == token);
      auto bareInit = decodeNegTokenInit(token);
      REQUIRE(bareInit.ok());
      CHECK(bareInit->mechTypes == init.mechTypes);
    } else {
      ++resps;
      REQUIRE(std::holds_alternative<NegTokenResp>(*decoded));
      const auto& resp = std::get<NegTokenResp>(*decoded);
      REQUIRE(resp.negState.has_value());
      CHECK(static_cast<int>(*resp.negState) == d["negState"].get<int>());
      CHECK(toString(*resp.negState) == d["negState_name"].get<std::string>());
      REQUIRE(resp.supportedMech.has_value());
      CHECK(der::oidToString(*resp.supportedMech) == d["supportedMech"].get<std::string>());
      CHECK(resp.responseToken.has_value() == !d["responseToken"].is_null());
      CHECK(resp.mechListMic.has_value() == !d["mechListMIC"].is_null());
      auto bare = decodeNegTokenResp(token);
      REQUIRE(bare.ok());
      CHECK(encodeNegTokenResp(*bare) == token);
    }
  }
  CHECK(inits == 1);
  CHECK(resps == 1);
}

TEST_CASE("NegTokenResp with every field round-trips", "[spnego]") {
  NegTokenResp resp;
  resp.negState = NegState::AcceptIncomplete;
  resp.supportedMech = oidBytes(msKrb5Oid());
  resp.responseToken = wrapKrb5Token(TokId::ApRep, hexBytes("6f03020105"));
  resp.mechListMic = hexBytes("040401ffffffffff0000000000000001aabbccddeeff001122334455");
  const Bytes enc = encodeNegTokenResp(resp);
  CHECK(enc[0] == 0xa1);
  auto dec = decodeNegTokenResp(enc);
  REQUIRE(dec.ok());
  CHECK(dec->negState == resp.negState);
  CHECK(dec->supportedMech == resp.supportedMech);
  CHECK(dec->responseToken == resp.responseToken);
  CHECK(dec->mechListMic == resp.mechListMic);
  // An empty NegTokenResp is a valid (if useless) encoding.
  CHECK(toHex(encodeNegTokenResp(NegTokenResp{})) == "a1023000");
  CHECK(decodeNegTokenResp(hexBytes("a1023000")).ok());
}

TEST_CASE("NegTokenInit with reqFlags and mechListMIC round-trips", "[spnego]") {
  NegTokenInit init;
  init.mechTypes = {oidBytes(krb5Oid()), oidBytes(ntlmsspOid())};
  init.reqFlags = der::BitString{{0x60}, 5};  // mutualFlag | replayFlag
  init.mechToken = wrapKrb5Token(TokId::ApReq, hexBytes("6e03020105"));
  init.mechListMic = hexBytes("0102030405");
  const Bytes enc = encodeNegTokenInit(init);
  auto dec = decodeNegTokenInit(enc);
  REQUIRE(dec.ok());
  CHECK(dec->mechTypes == init.mechTypes);
  REQUIRE(dec->reqFlags.has_value());
  CHECK(dec->reqFlags->bits == init.reqFlags->bits);
  CHECK(dec->reqFlags->unusedBits == 5);
  CHECK(dec->mechToken == init.mechToken);
  CHECK(dec->mechListMic == init.mechListMic);
  CHECK_FALSE(dec->negHints.has_value());
  CHECK(encodeNegTokenInit(*dec) == enc);
}

TEST_CASE("NegTokenInit2 as Windows sends it decodes without failing", "[spnego]") {
  // MS-SPNG 2.2.1 / 3.2.5.2: a server-initiated NegTokenInit2 with negHints and no mechToken.
  NegTokenInit init;
  init.mechTypes = {oidBytes(msKrb5Oid()), oidBytes(krb5Oid()), oidBytes(ntlmsspOid())};
  init.negHints = NegHints{std::string("not_defined_in_RFC4178@please_ignore"), std::nullopt};
  const Bytes enc = encodeNegTokenInit(init);
  auto dec = decodeNegTokenInit(enc);
  REQUIRE(dec.ok());
  CHECK(dec->mechTypes == init.mechTypes);
  REQUIRE(dec->negHints.has_value());
  CHECK(*dec->negHints == *init.negHints);
  CHECK_FALSE(dec->mechListMic.has_value());
  CHECK(encodeNegTokenInit(*dec) == enc);

  // With a MIC at [4] and a hint address.
  init.negHints->hintAddress = hexBytes("c0a80001");
  init.mechListMic = hexBytes("deadbeef");
  const Bytes enc2 = encodeNegTokenInit(init);
  auto dec2 = decodeNegTokenInit(enc2);
  REQUIRE(dec2.ok());
  CHECK(dec2->mechListMic == init.mechListMic);
  CHECK(dec2->negHints->hintAddress == init.negHints->hintAddress);
  CHECK(encodeNegTokenInit(*dec2) == enc2);

  // Framed as an initial token too.
  auto initial = decodeInitialToken(encodeInitialToken(init));
  REQUIRE(initial.ok());
  CHECK(initial->negTokenInit->negHints.has_value());

  // mechListMIC at [4] without negHints is still accepted (NegTokenInit2 with negHints absent).
  const Bytes mic4 = hexBytes("a0153013a00d300b06092a864886f712010202a4020400");
  auto d4 = decodeNegTokenInit(mic4);
  REQUIRE(d4.ok());
  CHECK(d4->mechListMic == Bytes{});
}

TEST_CASE("decodeInitialToken tells SPNEGO, bare krb5 and raw NTLMSSP apart", "[spnego]") {
  const Bytes apReq = hexBytes("6e03020105");
  SECTION("bare krb5 GSS token (RFC 4559 servers see it from some clients)") {
    auto t = decodeInitialToken(wrapKrb5Token(TokId::ApReq, apReq));
    REQUIRE(t.ok());
    CHECK(t->kind == InitialTokenKind::Krb5);
    REQUIRE(t->krb5Token.has_value());
    CHECK(t->krb5Token->message == apReq);
    CHECK_FALSE(t->negTokenInit.has_value());
    // Under the MS OID as well.
    auto ms = decodeInitialToken(wrapKrb5Token(TokId::ApReq, apReq, msKrb5Oid()));
    REQUIRE(ms.ok());
    CHECK(ms->kind == InitialTokenKind::Krb5);
  }
  SECTION("raw NTLMSSP, returned untouched") {
    const Bytes ntlm = hexBytes("4e544c4d5353500001000000978208e2000000000000000000000000000000000a00");
    auto t = decodeInitialToken(ntlm);
    REQUIRE(t.ok());
    CHECK(t->kind == InitialTokenKind::RawNtlmssp);
    CHECK(t->ntlmssp == ntlm);
  }
  SECTION("NTLMSSP wrapped in SPNEGO is an ordinary SPNEGO token") {
    NegTokenInit init;
    init.mechTypes = {oidBytes(ntlmsspOid())};
    init.mechToken = hexBytes("4e544c4d5353500001000000");
    auto t = decodeInitialToken(encodeInitialToken(init));
    REQUIRE(t.ok());
    CHECK(t->kind == InitialTokenKind::Spnego);
    CHECK(t->negTokenInit->mechToken == init.mechToken);
  }
}

TEST_CASE("SPNEGO decoders fail with typed errors, never crash", "[spnego][negative]") {
  const auto doc = loadVectors("rfc4178-spnego-tokens.json");
  const Bytes init = hexBytes(doc["vectors"][0]["token_hex"].get<std::string>());
  const Bytes framed = hexBytes(doc["vectors"][0]["framed_initial_token_hex_derived"].get<std::string>());
  const Bytes resp = hexBytes(doc["vectors"][1]["token_hex"].get<std::string>());

  SECTION("every truncation") {
    checkEveryTruncationFails(init, [](BytesView b) { return decodeNegotiationToken(b); });
    checkEveryTruncationFails(init, [](BytesView b) { return decodeNegTokenInit(b); });
    checkEveryTruncationFails(resp, [](BytesView b) { return decodeNegotiationToken(b); });
    checkEveryTruncationFails(resp, [](BytesView b) { return decodeNegTokenResp(b); });
    checkEveryTruncationFails(framed, [](BytesView b) { return decodeInitialToken(b); });
  }
  SECTION("every single-octet corruption is either refused or still strict DER") {
    // Flip each octet of the small NegTokenResp; whatever the outcome, no crash and a typed error.
    for (std::size_t i = 0; i < resp.size(); ++i) {
      for (std::uint8_t x : {0x01, 0x80, 0xff}) {
        Bytes t = resp;
        t[i] ^= x;
        auto r = decodeNegotiationToken(t);
        if (!r.ok()) {
          CHECK_FALSE(r.error().code.empty());
        } else {
          CHECK(encodeNegotiationToken(*r) == t);
        }
      }
    }
  }
  SECTION("bad lengths") {
    Bytes t = resp;
    t[1] = 0x15;  // outer length one too long
    CHECK(decodeNegTokenResp(t).error().code == "truncated");
    t = resp;
    t[1] = 0x13;  // one too short: the inner SEQUENCE overruns
    CHECK_FALSE(decodeNegTokenResp(t).ok());
    t = resp;
    t.push_back(0x00);
    CHECK(decodeNegTokenResp(t).error().code == "trailing_bytes");
    CHECK(decodeNegTokenResp(hexBytes("a181143012a0030a0100a10b06092a864886f712010202")).error().code ==
          "non_minimal_length");
  }
  SECTION("wrong choice and wrong decoder") {
    CHECK(decodeNegotiationToken(hexBytes("a2023000")).error().code == "bad_choice");
    CHECK(decodeNegotiationToken(Bytes{}).error().code == "bad_choice");
    CHECK(decodeNegTokenInit(resp).error().code == "bad_tag");
    CHECK(decodeNegTokenResp(init).error().code == "bad_tag");
  }
  SECTION("bad field contents") {
    // negState 4
    CHECK(decodeNegTokenResp(hexBytes("a1073005a0030a0104")).error().code == "bad_neg_state");
    // negState as INTEGER instead of ENUMERATED
    CHECK(decodeNegTokenResp(hexBytes("a1073005a003020100")).error().code == "bad_tag");
    // supportedMech as OCTET STRING
    CHECK(decodeNegTokenResp(hexBytes("a1073005a1030401aa")).error().code == "bad_tag");
    // supportedMech with a malformed OID
    CHECK(decodeNegTokenResp(hexBytes("a1073005a103060180")).error().code == "bad_oid");
    // fields out of order: [1] before [0]
    CHECK(decodeNegTokenResp(hexBytes("a1143012a10b06092a864886f712010202a0030a0100")).error().code ==
          "trailing_bytes");
    // mechTypes missing
    CHECK(decodeNegTokenInit(hexBytes("a0083006a2040402aabb")).error().code == "bad_tag");
    // mechTypes holding a non-OID
    CHECK(decodeNegTokenInit(hexBytes("a0083006a00430020500")).error().code == "bad_tag");
    // MIC at [3] and again at [4]
    CHECK(decodeNegTokenInit(hexBytes("a0123010a0023000a3040402aabba4040402ccdd")).error().code ==
          "trailing_bytes");
  }
  SECTION("initial token with wrong OIDs or contents") {
    CHECK(decodeInitialToken(Bytes{}).error().code == "empty_token");
    CHECK(decodeInitialToken(hexBytes("a1023000")).error().code == "not_gss_token");
    CHECK(decodeInitialToken(hexBytes("4e544c4d535350")).error().code == "not_gss_token");  // 7 octets
    // SPNEGO framing around a NegTokenResp.
    CHECK(decodeInitialToken(wrapInitialContextToken(spnegoOid(), resp)).error().code ==
          "expected_neg_token_init");
    // NegTokenInit framed with the NTLMSSP or IAKERB OID.
    CHECK(decodeInitialToken(wrapInitialContextToken(ntlmsspOid(), init)).error().code == "unsupported_mech");
    CHECK(decodeInitialToken(wrapInitialContextToken(iakerbOid(), init)).error().code == "unsupported_mech");
    // krb5 framing with a bad TOK_ID.
    CHECK(decodeInitialToken(wrapInitialContextToken(krb5Oid(), hexBytes("04046e00"))).error().code ==
          "bad_tok_id");
  }
}
