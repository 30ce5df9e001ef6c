// FAST structures (RFC 6113 5.4) built in code: round trips and typed refusals. The real MIT bytes are
// round-tripped and decrypted in tests/core/capture/mit_capture_decrypt_test.cpp.
#include <catch2/catch.hpp>

#include "core/iana/name_type.hpp"
#include "core/messages/fast.hpp"
#include "tests/core/messages/test_helpers.hpp"

using namespace kerbpool::core;
using namespace kerbpool::core::messages;
using kerbpool::test::requireDecodingError;
using kerbpool::test::requireRoundTrip;

TEST_CASE("FAST request and reply structures round-trip", "[messages][fast]") {
  PaFxFastRequest req;
  req.armor = KrbFastArmor{1, Bytes{0x6e, 0x00}};
  req.reqChecksum = Checksum{16, Bytes(12, 0xab)};
  req.encFastReq = EncryptedData{18, std::nullopt, Bytes(40, 0xcd)};
  const Bytes reqDer = encode(req);
  CHECK(reqDer.at(0) == 0xa0);  // CHOICE armored-data [0]
  CHECK(requireRoundTrip<PaFxFastRequest>(reqDer) == req);
  req.armor.reset();
  CHECK(requireRoundTrip<PaFxFastRequest>(encode(req)) == req);

  KrbFastReq inner;
  inner.fastOptions = 0;
  inner.reqBody.realm = "CONTOSO.TEST";
  inner.reqBody.sname = PrincipalName{iana::NameType::KRB_NT_PRINCIPAL, {"HTTP", "pool.contoso.test"}};
  inner.reqBody.till = 1795000000;
  inner.reqBody.nonce = 42;
  inner.reqBody.etype = {18, 17};
  CHECK(requireRoundTrip<KrbFastReq>(encode(inner)) == inner);

  KrbFastResponse resp;
  resp.strengthenKey = EncryptionKey{18, Bytes(32, 7)};
  resp.finished =
      KrbFastFinished{1795000000, 12, "CONTOSO.TEST",
                      PrincipalName{iana::NameType::KRB_NT_PRINCIPAL, {"alice"}}, Checksum{16, Bytes(12, 1)}};
  resp.nonce = 0xfffffff0u;
  CHECK(requireRoundTrip<KrbFastResponse>(encode(resp)) == resp);

  const PaFxFastReply reply{EncryptedData{18, std::nullopt, Bytes(50, 3)}};
  CHECK(requireRoundTrip<PaFxFastReply>(encode(reply)) == reply);
}

TEST_CASE("FAST structures refuse malformed bytes with typed errors", "[messages][fast]") {
  const PaFxFastReply reply{EncryptedData{18, std::nullopt, Bytes(50, 3)}};
  Bytes der = encode(reply);
  SECTION("an unknown CHOICE alternative") {
    der[0] = 0xa1;
    requireDecodingError<PaFxFastReply>(der);
    requireDecodingError<PaFxFastRequest>(der);
  }
  SECTION("truncated") {
    der.pop_back();
    requireDecodingError<PaFxFastReply>(der);
  }
  SECTION("trailing bytes") {
    der.push_back(0);
    requireDecodingError<PaFxFastReply>(der);
  }
  SECTION("a request without its req-checksum") {
    requireDecodingError<PaFxFastRequest>(Bytes{0xa0, 0x02, 0x30, 0x00});
  }
  SECTION("a response without its nonce") {
    requireDecodingError<KrbFastResponse>(Bytes{0x30, 0x04, 0xa0, 0x02, 0x30, 0x00});
  }
}
