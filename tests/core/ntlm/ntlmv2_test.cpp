// NTLMv2 crypto (MS-NLMP 3.3.2, 4.2.4.1-4.2.4.2) against every value in ms-nlmp-ntlmv2.json, and the
// verifying side (DC / front-end) with wrong keys, challenges and tampered proofs.
#include <catch2/catch.hpp>

#include "core/common/hex.hpp"
#include "core/ntlm/av_pairs.hpp"
#include "core/ntlm/ntlm_flags.hpp"
#include "core/ntlm/ntlm_strings.hpp"
#include "core/ntlm/ntlmv2.hpp"
#include "tests/support/reference.hpp"

using namespace kerbpool::core;
using namespace kerbpool::core::ntlm;
using kerbpool::test::hexBytes;
using kerbpool::test::loadVectors;
using kerbpool::test::str;

namespace {

std::uint64_t fileTimeOf(const nlohmann::json& v) {
  const Bytes t = hexBytes(v.at("time_hex"));
  std::uint64_t out = 0;
  for (int i = 7; i >= 0; --i) {
    out = (out << 8) | t[static_cast<std::size_t>(i)];
  }
  return out;
}

}  // namespace

TEST_CASE("MS-NLMP 4.2.4.1 NTOWFv2 LMOWFv2 and session base key", "[ntlm][ntlmv2]") {
  const auto doc = loadVectors("ms-nlmp-ntlmv2.json");
  for (const auto& v : doc.at("vectors")) {
    INFO(str(v, "name"));
    auto hash = ntHash(str(v, "password"));
    REQUIRE(hash.ok());
    CHECK(toHex(*hash) == str(v, "nt_hash_ntowfv1_hex"));
    auto nt = ntowfv2(*hash, str(v, "user"), str(v, "user_domain"));
    REQUIRE(nt.ok());
    CHECK(toHex(*nt) == str(v, "ntowfv2_hex"));
    CHECK(toHex(*nt) == str(v, "response_key_nt_hex"));
    auto fromPw = ntowfv2FromPassword(str(v, "password"), str(v, "user"), str(v, "user_domain"));
    CHECK(toHex(fromPw.value()) == str(v, "ntowfv2_hex"));
    auto lm = lmowfv2FromPassword(str(v, "password"), str(v, "user"), str(v, "user_domain"));
    CHECK(toHex(lm.value()) == str(v, "response_key_lm_hex"));

    auto proof = ntProofStr(*nt, hexBytes(v.at("server_challenge_hex")), hexBytes(v.at("temp_hex")));
    REQUIRE(proof.ok());
    CHECK(toHex(*proof) == str(v, "nt_proof_str_hex"));
    auto base = sessionBaseKey(*nt, *proof);
    REQUIRE(base.ok());
    CHECK(toHex(*base) == str(v, "session_base_key_hex"));
    CHECK(toHex(keyExchangeKey(*base)) == str(v, "key_exchange_key_hex"));
  }
}

TEST_CASE("NTOWFv2 upper-cases the user only", "[ntlm][ntlmv2]") {
  const Bytes hash = ntHash("Password").value();
  CHECK(ntowfv2(hash, "user", "Domain").value() == ntowfv2(hash, "USER", "Domain").value());
  CHECK(ntowfv2(hash, "User", "domain").value() != ntowfv2(hash, "User", "Domain").value());
  // Latin-1, Greek and Cyrillic letters fold too (Windows' 1:1 upper-casing).
  CHECK(ntowfv2(hash, "jürgen", "D").value() == ntowfv2(hash, "JÜRGEN", "D").value());
  CHECK(ntowfv2(hash, "σωκράτης", "D").value() == ntowfv2(hash, "ΣΩΚΡΆΤΗΣ", "D").value());
  CHECK(ntowfv2(hash, "иван", "D").value() == ntowfv2(hash, "ИВАН", "D").value());
  CHECK(ntowfv2(Bytes(15, 0), "u", "d").error().code == "bad_key_size");
}

TEST_CASE("MS-NLMP 4.2.4.1.3 temp and 4.2.4.2 responses", "[ntlm][ntlmv2]") {
  const auto doc = loadVectors("ms-nlmp-ntlmv2.json");
  for (const auto& v : doc.at("vectors")) {
    INFO(str(v, "name"));
    const Bytes key = hexBytes(v.at("ntowfv2_hex"));
    const Bytes serverChallenge = hexBytes(v.at("server_challenge_hex"));
    const Bytes clientChallenge = hexBytes(v.at("client_challenge_hex"));
    const Bytes targetInfo = hexBytes(v.at("target_info_hex"));

    auto temp = buildTemp(fileTimeOf(v), clientChallenge, targetInfo);
    REQUIRE(temp.ok());
    CHECK(toHex(*temp) == str(v, "temp_hex"));

    auto decoded = decodeTemp(*temp);
    REQUIRE(decoded.ok());
    CHECK(decoded->respType == 1);
    CHECK(decoded->hiRespType == 1);
    CHECK(decoded->timeStamp == fileTimeOf(v));
    CHECK(toHex(decoded->challengeFromClient) == str(v, "client_challenge_hex"));
    CHECK(encodeAvPairs(decoded->avPairs).value() == targetInfo);
    CHECK(decoded->trailingBytes == 4);

    auto lmv2 = lmv2Response(key, serverChallenge, clientChallenge);
    REQUIRE(lmv2.ok());
    CHECK(toHex(*lmv2) == str(v, "lmv2_response_hex"));

    auto response = computeClientResponse(key, serverChallenge, clientChallenge, fileTimeOf(v), targetInfo);
    REQUIRE(response.ok());
    CHECK(toHex(response->ntChallengeResponse) == str(v, "nt_challenge_response_hex"));
    CHECK(toHex(response->lmChallengeResponse) == str(v, "lmv2_response_hex"));
    CHECK(toHex(response->sessionBaseKey) == str(v, "session_base_key_hex"));
  }
}

TEST_CASE("MS-NLMP 4.2.4.2.3 encrypted session key and the exported key", "[ntlm][ntlmv2]") {
  const auto doc = loadVectors("ms-nlmp-ntlmv2.json");
  for (const auto& v : doc.at("vectors")) {
    INFO(str(v, "name"));
    const Bytes kek = hexBytes(v.at("key_exchange_key_hex"));
    auto enc = encryptRandomSessionKey(kek, hexBytes(v.at("random_session_key_hex")));
    REQUIRE(enc.ok());
    CHECK(toHex(*enc) == str(v, "encrypted_random_session_key_hex"));
    const std::uint32_t flags = NTLMSSP_NEGOTIATE_KEY_EXCH | NTLMSSP_NEGOTIATE_SIGN;
    auto exported = exportedSessionKey(flags, kek, *enc);
    REQUIRE(exported.ok());
    CHECK(toHex(*exported) == str(v, "random_session_key_hex"));
    CHECK(exportedSessionKey(0, kek, {}).value() == kek);
    CHECK(exportedSessionKey(flags, kek, BytesView(*enc).first(15)).error().code == "bad_session_key_length");
    CHECK(exportedSessionKey(flags, kek, {}).error().code == "bad_session_key_length");
    CHECK(exportedSessionKey(NTLMSSP_NEGOTIATE_KEY_EXCH, kek, {}).value() == kek);
  }
}

TEST_CASE("a DC validates the MS-NLMP response from the NT hash alone", "[ntlm][ntlmv2]") {
  const auto doc = loadVectors("ms-nlmp-ntlmv2.json");
  for (const auto& v : doc.at("vectors")) {
    INFO(str(v, "name"));
    const Bytes hash = hexBytes(v.at("nt_hash_ntowfv1_hex"));
    const Bytes sc = hexBytes(v.at("server_challenge_hex"));
    const Bytes response = hexBytes(v.at("nt_challenge_response_hex"));

    auto ok = validateNtlmv2(hash, str(v, "user"), str(v, "user_domain"), sc, response);
    REQUIRE(ok.ok());
    CHECK(toHex(*ok) == str(v, "session_base_key_hex"));
    // The user name is case-insensitive, the domain is hashed as sent.
    CHECK(validateNtlmv2(hash, "USER", str(v, "user_domain"), sc, response).ok());
    CHECK(validateNtlmv2(hash, str(v, "user"), "DOMAIN", sc, response).error().code ==
          "ntlmv2_proof_mismatch");

    auto wrongPassword =
        validateNtlmv2(ntHash("password").value(), str(v, "user"), str(v, "user_domain"), sc, response);
    REQUIRE_FALSE(wrongPassword.ok());
    CHECK(wrongPassword.error().category == ErrorCategory::Integrity);
    CHECK(wrongPassword.error().code == "ntlmv2_proof_mismatch");

    Bytes otherChallenge = sc;
    otherChallenge[7] ^= 1;
    CHECK(
        validateNtlmv2(hash, str(v, "user"), str(v, "user_domain"), otherChallenge, response).error().code ==
        "ntlmv2_proof_mismatch");

    for (std::size_t i :
         {std::size_t{0}, std::size_t{15}, std::size_t{16}, std::size_t{40}, response.size() - 1}) {
      INFO("tampered byte " << i);
      Bytes tampered = response;
      tampered[i] ^= 0x80;
      CHECK(validateNtlmv2(hash, str(v, "user"), str(v, "user_domain"), sc, tampered).error().code ==
            "ntlmv2_proof_mismatch");
    }

    auto v1 = validateNtlmv2(hash, str(v, "user"), str(v, "user_domain"), sc, BytesView(response).first(24));
    REQUIRE_FALSE(v1.ok());
    CHECK(v1.error().code == "not_ntlmv2_response");
    CHECK(validateNtlmv2(hash, str(v, "user"), str(v, "user_domain"), BytesView(sc).first(4), response)
              .error()
              .code == "bad_key_size");
  }
}

TEST_CASE("temp decoding refuses malformed client blobs", "[ntlm][ntlmv2]") {
  CHECK(decodeTemp(Bytes(27, 0)).error().code == "truncated");
  CHECK(decodeTemp(Bytes(28, 0)).error().code == "av_missing_eol");
  Bytes blob(28, 0);
  append(blob, Bytes{0x01, 0x00, 0x10, 0x00, 0x41});
  CHECK(decodeTemp(blob).error().code == "av_truncated");
}

TEST_CASE("FILETIME conversion", "[ntlm][ntlmv2]") {
  CHECK(toFileTime(fromUnixSeconds(0)) == 116444736000000000ULL);
  CHECK(toFileTime(fromFileTime(0)) == 0);
  CHECK(toFileTime(fromUnixSeconds(-11644473601LL)) == 0);
  const auto t = fromUnixSeconds(1700000000) + Micros(123456);
  CHECK(fromFileTime(toFileTime(t)) == t);
}
