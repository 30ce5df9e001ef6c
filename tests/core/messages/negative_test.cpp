// Malformed input never crashes and always yields a typed decoding error naming the field.
#include <algorithm>
#include <catch2/catch.hpp>

#include "core/der/der_writer.hpp"
#include "core/messages/ap_rep.hpp"
#include "core/messages/group_authdata.hpp"
#include "core/messages/kdc_rep.hpp"
#include "core/messages/kdc_req.hpp"
#include "core/messages/krb_error.hpp"
#include "core/messages/padata.hpp"
#include "core/messages/ticket.hpp"
#include "tests/core/messages/test_helpers.hpp"
#include "tests/support/pcapng.hpp"
#include "tests/support/reference.hpp"

using namespace kerbpool::core;
using namespace kerbpool::core::messages;
using kerbpool::test::requireDecodingError;

namespace {

Bytes referenceDer(const std::string& name) {
  const auto vectors = kerbpool::test::loadVectors("mit-krb5-asn1-reference-encodings.json");
  for (const auto& e : vectors["vectors"]) {
    if (e["name"] == name) {
      return kerbpool::test::hexBytes(e["der_hex"]);
    }
  }
  FAIL("no vector entry " << name);
  return {};
}

Bytes captureAsRep() {
  const auto file =
      kerbpool::test::readFile(kerbpool::test::referenceDir() / "captures" / "mit-kinit-kvno-curl.pcapng");
  for (auto& p : kerbpool::test::readPcapngPayloads(file)) {
    if (p.udp && p.srcPort == 18888 && !p.payload.empty() && p.payload[0] == 0x6b) {
      return std::move(p.payload);
    }
  }
  FAIL("no AS-REP in the capture");
  return {};
}

// Offset of the first (or last) occurrence of a byte pattern.
std::size_t find(const Bytes& hay, const Bytes& needle, bool last = false) {
  auto it = last ? std::find_end(hay.begin(), hay.end(), needle.begin(), needle.end())
                 : std::search(hay.begin(), hay.end(), needle.begin(), needle.end());
  REQUIRE(it != hay.end());
  return static_cast<std::size_t>(it - hay.begin());
}

template <class T>
Error decodingError(BytesView der) {
  auto r = decode<T>(der);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().category == ErrorCategory::Decoding);
  return r.error();
}

}  // namespace

TEST_CASE("a real AS-REP truncated at every length is a decoding error", "[messages][negative]") {
  for (const Bytes& full : {captureAsRep(), referenceDer("encode_krb5_as_rep")}) {
    REQUIRE(decode<AsRep>(full).ok());
    for (std::size_t n = 0; n < full.size(); ++n) {
      INFO("length " << n << " of " << full.size());
      requireDecodingError<AsRep>(BytesView(full).first(n));
    }
  }
}

TEST_CASE("wrong application tag, msg-type and pvno are rejected", "[messages][negative]") {
  const Bytes asRep = referenceDer("encode_krb5_as_rep");
  const Bytes tgsRep = referenceDer("encode_krb5_tgs_rep");

  SECTION("application tag") {
    CHECK(requireDecodingError<AsRep>(tgsRep) == "bad_app_tag");
    CHECK(requireDecodingError<TgsRep>(asRep) == "bad_app_tag");
    CHECK(requireDecodingError<AsReq>(asRep) == "bad_app_tag");
    CHECK(requireDecodingError<KrbError>(asRep) == "bad_app_tag");
    CHECK(requireDecodingError<Ticket>(referenceDer("encode_krb5_ap_rep")) == "bad_app_tag");
    CHECK(requireDecodingError<AsRep>(Bytes{}) == "bad_app_tag");
  }
  SECTION("msg-type inside a matching application tag") {
    Bytes bad = asRep;
    bad[find(bad, {0xa1, 0x03, 0x02, 0x01, 0x0b}) + 4] = 0x0d;  // AS-REP claiming msg-type 13
    const Error e = decodingError<AsRep>(bad);
    CHECK(e.code == "bad_msg_type");
    CHECK_THAT(e.detail, Catch::Contains("AS-REP.msg-type"));
  }
  SECTION("pvno 4") {
    Bytes bad = asRep;
    bad[find(bad, {0xa0, 0x03, 0x02, 0x01, 0x05}) + 4] = 0x04;
    CHECK(decodingError<AsRep>(bad).code == "bad_pvno");
  }
  SECTION("tkt-vno 4 in the nested ticket names the path") {
    Bytes bad = asRep;
    bad[find(bad, {0x61, 0x5c, 0x30, 0x5a, 0xa0, 0x03, 0x02, 0x01, 0x05}) + 8] = 0x04;
    const Error e = decodingError<AsRep>(bad);
    CHECK(e.code == "bad_pvno");
    CHECK_THAT(e.detail, Catch::Contains("AS-REP.ticket.tkt-vno"));
  }
  SECTION("a wrong type deep inside names the field path") {
    Bytes bad = asRep;
    bad[find(bad, {0xa2, 0x17, 0x04, 0x15}, true) + 2] = 0x0c;  // enc-part.cipher as UTF8String
    const Error e = decodingError<AsRep>(bad);
    CHECK(e.code == "bad_tag");
    CHECK_THAT(e.detail, Catch::Contains("AS-REP.enc-part.cipher"));
  }
}

TEST_CASE("length encodings that are not DER are rejected", "[messages][negative]") {
  const Bytes apRep = referenceDer("encode_krb5_ap_rep");  // 6f 33 30 31 ...
  REQUIRE(apRep[1] == 0x33);
  const Bytes content(apRep.begin() + 2, apRep.end());

  Bytes longForm{0x6f, 0x81, 0x33};  // 0x33 < 128 in the long form
  longForm.insert(longForm.end(), content.begin(), content.end());
  CHECK(requireDecodingError<ApRep>(longForm) == "non_minimal_length");

  Bytes leadingZero{0x6f, 0x82, 0x00, 0x33};
  leadingZero.insert(leadingZero.end(), content.begin(), content.end());
  CHECK(requireDecodingError<ApRep>(leadingZero) == "non_minimal_length");

  Bytes indefinite{0x6f, 0x80};
  indefinite.insert(indefinite.end(), content.begin(), content.end());
  indefinite.insert(indefinite.end(), {0x00, 0x00});
  CHECK(requireDecodingError<ApRep>(indefinite) == "indefinite_length");

  CHECK(requireDecodingError<ApRep>(Bytes{0x6f, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x30}) == "truncated");
  CHECK(requireDecodingError<ApRep>(Bytes{0x6f, 0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9}) == "length_too_large");

  Bytes nonMinimalInt = referenceDer("encode_krb5_enc_data");  // kvno a1 03 02 01 05
  const std::size_t kvno = find(nonMinimalInt, {0xa1, 0x03, 0x02, 0x01, 0x05});
  nonMinimalInt[kvno + 1] = 0x04;
  nonMinimalInt[kvno + 3] = 0x02;
  nonMinimalInt.insert(nonMinimalInt.begin() + static_cast<std::ptrdiff_t>(kvno + 4), 0x00);
  nonMinimalInt[1] += 1;
  CHECK(requireDecodingError<EncryptedData>(nonMinimalInt) == "non_minimal_integer");
}

TEST_CASE("trailing bytes are rejected at the top and inside structures", "[messages][negative]") {
  Bytes withGarbage = referenceDer("encode_krb5_as_rep");
  withGarbage.push_back(0x00);
  CHECK(requireDecodingError<AsRep>(withGarbage) == "trailing_bytes");

  // An EncryptedData with an unknown [3] after cipher.
  der::Writer w;
  w.sequence([](der::Writer& s) {
    s.context(0, [](der::Writer& c) { c.integer(18); });
    s.context(2, [](der::Writer& c) { c.octetString(toBytes("x")); });
    s.context(3, [](der::Writer& c) { c.integer(0); });
  });
  const Error e = decodingError<EncryptedData>(w.bytes());
  CHECK(e.code == "trailing_bytes");

  // Two values inside one explicit tag.
  der::Writer two;
  two.sequence([](der::Writer& s) {
    s.context(0, [](der::Writer& c) { c.integer(18).integer(17); });
    s.context(2, [](der::Writer& c) { c.octetString(toBytes("x")); });
  });
  CHECK(requireDecodingError<EncryptedData>(two.bytes()) == "trailing_bytes");
}

TEST_CASE("a nesting bomb of thousands of [n] wrappers is refused without recursion trouble",
          "[messages][negative]") {
  Bytes inner{0x02, 0x01, 0x05};
  for (int i = 0; i < 5000; ++i) {
    Bytes outer;
    der::appendTag(outer, der::Tag::context(static_cast<std::uint32_t>(i % 13)));
    der::appendLength(outer, inner.size());
    append(outer, inner);
    inner = std::move(outer);
  }
  auto wrap = [](std::uint8_t tag, const Bytes& content) {
    Bytes out{tag};
    der::appendLength(out, content.size());
    append(out, content);
    return out;
  };
  const Bytes seq = wrap(0x30, inner);
  requireDecodingError<AsRep>(wrap(0x6b, seq));
  requireDecodingError<ApRep>(wrap(0x6f, seq));
  requireDecodingError<EncryptedData>(seq);
  requireDecodingError<MethodData>(wrap(0x30, seq));
  requireDecodingError<AuthorizationData>(wrap(0x30, seq));
  requireDecodingError<EncKdcRepPart>(wrap(0x7a, seq));

  // Nested SEQUENCEs and AD-IF-RELEVANT inside AD-IF-RELEVANT: only one level is ever looked into.
  Bytes seqBomb{0x05, 0x00};
  for (int i = 0; i < 5000; ++i) {
    seqBomb = wrap(0x30, seqBomb);
  }
  requireDecodingError<MethodData>(seqBomb);
  requireDecodingError<TypedData>(seqBomb);
  AuthorizationData ad{{iana::AdType::KERBPOOL_GROUPS, encodeGroupList({"deep"})}};
  for (int i = 0; i < 2000; ++i) {
    ad = AuthorizationData{{iana::AdType::AD_IF_RELEVANT, encode(ad)}};
  }
  auto groups = extractGroups(ad);
  REQUIRE(groups.ok());
  CHECK_FALSE(groups->has_value());
}

TEST_CASE("missing required fields are decoding errors", "[messages][negative]") {
  // KRB-ERROR without realm [9].
  der::Writer noRealm;
  noRealm.application(30, [](der::Writer& a) {
    a.sequence([](der::Writer& s) {
      s.context(0, [](der::Writer& c) { c.integer(5); });
      s.context(1, [](der::Writer& c) { c.integer(30); });
      s.context(4, [](der::Writer& c) { c.kerberosTime(771228197); });
      s.context(5, [](der::Writer& c) { c.integer(0); });
      s.context(6, [](der::Writer& c) { c.integer(25); });
      s.context(10, [](der::Writer& c) {
        encodeTo(c, PrincipalName{iana::NameType::KRB_NT_SRV_INST, {"krbtgt", "X"}});
      });
    });
  });
  Error e = decodingError<KrbError>(noRealm.bytes());
  CHECK(e.code == "bad_tag");
  CHECK_THAT(e.detail, Catch::Contains("KRB-ERROR.realm"));

  // EncryptedData without cipher.
  der::Writer noCipher;
  noCipher.sequence([](der::Writer& s) { s.context(0, [](der::Writer& c) { c.integer(18); }); });
  e = decodingError<EncryptedData>(noCipher.bytes());
  CHECK(e.code == "missing_field");
  CHECK_THAT(e.detail, Catch::Contains("EncryptedData.cipher"));

  // AS-REQ without req-body.
  der::Writer noBody;
  noBody.application(10, [](der::Writer& a) {
    a.sequence([](der::Writer& s) {
      s.context(1, [](der::Writer& c) { c.integer(5); });
      s.context(2, [](der::Writer& c) { c.integer(10); });
    });
  });
  e = decodingError<AsReq>(noBody.bytes());
  CHECK(e.code == "missing_field");
  CHECK_THAT(e.detail, Catch::Contains("AS-REQ.req-body"));

  // An empty SEQUENCE where an AP-REP is expected, and an empty EncAPRepPart.
  CHECK(requireDecodingError<ApRep>(Bytes{0x6f, 0x02, 0x30, 0x00}) == "missing_field");
  CHECK(requireDecodingError<EncApRepPart>(Bytes{0x7b, 0x02, 0x30, 0x00}) == "missing_field");
}

TEST_CASE("out-of-range values are decoding errors", "[messages][negative]") {
  der::Writer badUsec;
  badUsec.sequence([](der::Writer& s) {
    s.context(0, [](der::Writer& c) { c.kerberosTime(771228197); });
    s.context(1, [](der::Writer& c) { c.integer(1000000); });
  });
  CHECK(requireDecodingError<PaEncTsEnc>(badUsec.bytes()) == "bad_microseconds");

  der::Writer hugeKvno;
  hugeKvno.sequence([](der::Writer& s) {
    s.context(0, [](der::Writer& c) { c.integer(18); });
    s.context(1, [](der::Writer& c) { c.integer(0x100000000LL); });
    s.context(2, [](der::Writer& c) { c.octetString(toBytes("x")); });
  });
  CHECK(requireDecodingError<EncryptedData>(hugeKvno.bytes()) == "integer_overflow");

  der::Writer badTime;
  badTime.sequence([](der::Writer& s) {
    s.context(0, [](der::Writer& c) {
      c.wrap(der::Tag::universalPrimitive(der::universal::kGeneralizedTime), asBytes("19940610060317.5Z"));
    });
  });
  CHECK(requireDecodingError<PaEncTsEnc>(badTime.bytes()) == "bad_time");
}
