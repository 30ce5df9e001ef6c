// Session security with extended session security (MS-NLMP 3.4): keys and GSS_WrapEx from 4.2.4.4, and a
// client/server exchange of signed and sealed messages.
#include <catch2/catch.hpp>

#include "core/common/hex.hpp"
#include "core/ntlm/ntlm_flags.hpp"
#include "core/ntlm/ntlm_session.hpp"
#include "tests/support/reference.hpp"

using namespace kerbpool::core;
using namespace kerbpool::core::ntlm;
using kerbpool::test::hexBytes;
using kerbpool::test::loadVectors;
using kerbpool::test::str;

namespace {

constexpr std::uint32_t kVectorFlags = 0xe2888235;  // the 4.2.4 AUTHENTICATE flags: ESS, KEY_EXCH, 128, SEAL

}  // namespace

TEST_CASE("MS-NLMP 4.2.4.4 signing and sealing keys", "[ntlm][session]") {
  const auto doc = loadVectors("ms-nlmp-ntlmv2.json");
  for (const auto& v : doc.at("vectors")) {
    INFO(str(v, "name"));
    const Bytes key = hexBytes(v.at("random_session_key_hex"));
    const auto& w = v.at("gss_wrapex");
    CHECK(toHex(signKey(key, Direction::ClientToServer).value()) == str(w, "client_signing_key_hex"));
    CHECK(toHex(sealKey(key, kVectorFlags, Direction::ClientToServer).value()) ==
          str(w, "client_sealing_key_hex"));
    CHECK(toHex(signKey(key, Direction::ServerToClient).value()) == str(v, "server_signing_key_hex_derived"));
    CHECK(toHex(sealKey(key, kVectorFlags, Direction::ServerToClient).value()) ==
          str(v, "server_sealing_key_hex_derived"));
    // 56- and 40-bit sealing keys hash a shorter prefix.
    CHECK(sealKey(key, NTLMSSP_NEGOTIATE_56, Direction::ClientToServer).value() !=
          sealKey(key, 0, Direction::ClientToServer).value());
    CHECK(signKey(BytesView(key).first(8), Direction::ClientToServer).error().code == "bad_key_size");
  }
}

TEST_CASE("MS-NLMP 4.2.4.4 GSS_WrapEx", "[ntlm][session]") {
  const auto doc = loadVectors("ms-nlmp-ntlmv2.json");
  for (const auto& v : doc.at("vectors")) {
    INFO(str(v, "name"));
    const Bytes key = hexBytes(v.at("random_session_key_hex"));
    const auto& w = v.at("gss_wrapex");
    const Bytes plaintext = hexBytes(w.at("plaintext_hex"));
    auto client = NtlmSession::create(key, kVectorFlags, NtlmSession::Role::Client);
    REQUIRE(client.ok());
    CHECK(client->outgoingSequence() == w.at("seq_num").get<std::uint32_t>());
    auto sealed = client->seal(plaintext);
    REQUIRE(sealed.ok());
    CHECK(toHex(sealed->data) == str(w, "sealed_data_hex"));
    CHECK(toHex(sealed->signature) == str(w, "signature_hex"));
    CHECK(client->outgoingSequence() == 1);

    auto server = NtlmSession::create(key, kVectorFlags, NtlmSession::Role::Server);
    REQUIRE(server.ok());
    auto opened = server->unseal(sealed->data, sealed->signature);
    REQUIRE(opened.ok());
    CHECK(*opened == plaintext);
    CHECK(std::string(opened->begin(), opened->end()) != str(w, "plaintext_ascii"));  // it is UTF-16LE
  }
}

TEST_CASE("signed and sealed messages flow both ways in order", "[ntlm][session]") {
  const Bytes key = hexBytes("0102030405060708090a0b0c0d0e0f10");
  auto client = NtlmSession::create(key, kVectorFlags, NtlmSession::Role::Client).value();
  auto server = NtlmSession::create(key, kVectorFlags, NtlmSession::Role::Server).value();
  for (int i = 0; i < 5; ++i) {
    const Bytes request = toBytes("GET /resource/" + std::to_string(i));
    auto sig = client.sign(request);
    REQUIRE(sig.ok());
    CHECK(sig->size() == kSignatureBytes);
    CHECK(server.verify(request, *sig).ok());
    const Bytes reply = toBytes("200 OK body " + std::to_string(i));
    auto sealed = server.seal(reply);
    REQUIRE(sealed.ok());
    CHECK(sealed->data != reply);
    auto opened = client.unseal(sealed->data, sealed->signature);
    REQUIRE(opened.ok());
    CHECK(*opened == reply);
  }
  CHECK(client.outgoingSequence() == 5);
  CHECK(client.incomingSequence() == 5);
}

TEST_CASE("tampered or replayed signatures fail", "[ntlm][session]") {
  const Bytes key = hexBytes("0102030405060708090a0b0c0d0e0f10");
  const Bytes msg = toBytes("payload");
  {
    auto client = NtlmSession::create(key, kVectorFlags, NtlmSession::Role::Client).value();
    auto server = NtlmSession::create(key, kVectorFlags, NtlmSession::Role::Server).value();
    Bytes sig = client.sign(msg).value();
    sig[5] ^= 1;
    auto r = server.verify(msg, sig);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().category == ErrorCategory::Integrity);
    CHECK(r.error().code == "bad_signature");
  }
  {
    auto client = NtlmSession::create(key, kVectorFlags, NtlmSession::Role::Client).value();
    auto server = NtlmSession::create(key, kVectorFlags, NtlmSession::Role::Server).value();
    auto sealed = client.seal(msg).value();
    sealed.data[0] ^= 1;
    CHECK(server.unseal(sealed.data, sealed.signature).error().code == "bad_signature");
  }
  {
    auto client = NtlmSession::create(key, kVectorFlags, NtlmSession::Role::Client).value();
    auto server = NtlmSession::create(key, kVectorFlags, NtlmSession::Role::Server).value();
    const Bytes first = client.sign(msg).value();
    CHECK(server.verify(msg, first).ok());
    CHECK(server.verify(msg, first).error().code == "bad_signature");  // replay: wrong sequence number
  }
  {
    auto client = NtlmSession::create(key, kVectorFlags, NtlmSession::Role::Client).value();
    auto other = NtlmSession::create(key, kVectorFlags, NtlmSession::Role::Client).value();
    const Bytes sig = client.sign(msg).value();
    CHECK(other.verify(msg, sig).error().code ==
          "bad_signature");  // a client's own direction is not accepted
    CHECK(other.verify(msg, BytesView(sig).first(15)).error().code == "bad_signature_length");
  }
}

TEST_CASE("session security refuses missing ESS SEAL and bad keys", "[ntlm][session]") {
  const Bytes key(16, 0x55);
  CHECK(NtlmSession::create(key, NTLMSSP_NEGOTIATE_SEAL, NtlmSession::Role::Client).error().code ==
        "ess_required");
  CHECK(NtlmSession::create(Bytes(5, 1), kVectorFlags, NtlmSession::Role::Client).error().code ==
        "bad_key_size");
  auto signOnly = NtlmSession::create(
      key, NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY | NTLMSSP_NEGOTIATE_SIGN, NtlmSession::Role::Client);
  REQUIRE(signOnly.ok());
  CHECK(signOnly->seal(toBytes("x")).error().code == "seal_not_negotiated");
  // Without KEY_EXCH the checksum is sent in clear and still verifies.
  auto server = NtlmSession::create(key, NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY | NTLMSSP_NEGOTIATE_SIGN,
                                    NtlmSession::Role::Server);
  const Bytes sig = signOnly->sign(toBytes("x")).value();
  CHECK(server->verify(toBytes("x"), sig).ok());
}
