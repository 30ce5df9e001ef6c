// NEGOTIATE / CHALLENGE / AUTHENTICATE codec: the MS-NLMP 4.2.4.3 messages field by field and byte for byte,
// the optional Version/MIC forms, and malformed input that must give typed errors.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "core/common/hex.hpp"
#include "core/common/rng.hpp"
#include "core/ntlm/ntlm_flags.hpp"
#include "core/ntlm/ntlm_messages.hpp"
#include "core/ntlm/ntlm_wire.hpp"
#include "tests/support/reference.hpp"

using namespace kerbpool::core;
using namespace kerbpool::core::ntlm;
using kerbpool::test::hexBytes;
using kerbpool::test::loadVectors;

namespace {

std::uint32_t parseHex32(const std::string& s) {
  return static_cast<std::uint32_t>(std::stoul(s, nullptr, 16));
}

Bytes sampleNegotiate() {
  NegotiateMessage m;
  m.negotiateFlags = 0xe2088297;
  m.domainName = "CONTOSO";
  m.workstation = "WS01";
  m.version = NtlmVersion{10, 0, 19041, {}, 15};
  auto r = encodeNegotiate(m);
  REQUIRE(r.ok());
  return *r;
}

struct Fixture {
  Bytes negotiate;
  Bytes challenge;
  Bytes authenticate;
};

Fixture vectorMessages() {
  const auto doc = loadVectors("ms-nlmp-ntlmv2.json");
  const auto& v = doc.at("vectors").at(0);
  return {sampleNegotiate(), hexBytes(v.at("challenge_message_hex")),
          hexBytes(v.at("authenticate_message_hex"))};
}

}  // namespace

TEST_CASE("MS-NLMP 4.2.4.3 CHALLENGE decodes to the listed fields and re-encodes identically",
          "[ntlm][messages]") {
  const auto doc = loadVectors("ms-nlmp-ntlmv2.json");
  for (const auto& v : doc.at("vectors")) {
    INFO(v.at("name").get<std::string>());
    const Bytes wire = hexBytes(v.at("challenge_message_hex"));
    CHECK(peekMessageType(wire).value() == 2);
    auto m = decodeChallenge(wire);
    REQUIRE(m.ok());
    CHECK(m->negotiateFlags == parseHex32(v.at("challenge_flags_value")));
    Bytes flagsLe;
    wire::putLe32(flagsLe, m->negotiateFlags);
    CHECK(toHex(flagsLe) == v.at("challenge_flags_hex_le_bytes").get<std::string>());
    const auto names = flagNames(m->negotiateFlags);
    const auto expectedNames = v.at("challenge_flags_names").get<std::vector<std::string>>();
    CHECK(std::set<std::string>(names.begin(), names.end()) ==
          std::set<std::string>(expectedNames.begin(), expectedNames.end()));
    CHECK(m->targetName == v.at("server_name").get<std::string>());
    CHECK(toHex(m->serverChallenge) == v.at("server_challenge_hex").get<std::string>());
    REQUIRE(m->targetInfo.has_value());
    auto info = encodeAvPairs(*m->targetInfo);
    REQUIRE(info.ok());
    CHECK(toHex(*info) == v.at("target_info_hex").get<std::string>());
    REQUIRE(m->version.has_value());
    CHECK(m->version->productMajorVersion == 6);
    CHECK(m->version->productBuild == 6000);
    CHECK(m->version->ntlmRevisionCurrent == 15);
    auto again = encodeChallenge(*m);
    REQUIRE(again.ok());
    CHECK(toHex(*again) == toHex(wire));
  }
}

TEST_CASE("MS-NLMP 4.2.4.3 AUTHENTICATE decodes to the listed fields and re-encodes identically",
          "[ntlm][messages]") {
  const auto doc = loadVectors("ms-nlmp-ntlmv2.json");
  for (const auto& v : doc.at("vectors")) {
    INFO(v.at("name").get<std::string>());
    const Bytes wire = hexBytes(v.at("authenticate_message_hex"));
    auto m = decodeAuthenticate(wire);
    REQUIRE(m.ok());
    CHECK(m->negotiateFlags == parseHex32(v.at("authenticate_flags_value")));
    CHECK(m->userName == v.at("user").get<std::string>());
    CHECK(m->domainName == v.at("user_domain").get<std::string>());
    CHECK(m->workstation == v.at("workstation").get<std::string>());
    CHECK(toHex(m->lmChallengeResponse) == v.at("lmv2_response_hex").get<std::string>());
    CHECK(toHex(m->ntChallengeResponse) == v.at("nt_challenge_response_hex").get<std::string>());
    CHECK(toHex(m->encryptedRandomSessionKey) == v.at("encrypted_random_session_key_hex").get<std::string>());
    REQUIRE(m->version.has_value());
    Bytes versionWire(wire.begin() + 64, wire.begin() + 72);
    CHECK(toHex(versionWire) == v.at("authenticate_version_hex").get<std::string>());
    CHECK(m->version->productMajorVersion == 5);
    CHECK(m->version->productMinorVersion == 1);
    CHECK(m->version->productBuild == 2600);
    CHECK_FALSE(m->mic.has_value());  // payload starts at 72: no MIC field in the spec example
    auto again = encodeAuthenticate(*m);
    REQUIRE(again.ok());
    CHECK(toHex(*again) == toHex(wire));
  }
}

TEST_CASE("NEGOTIATE with and without Version round-trips", "[ntlm][messages]") {
  const Bytes full = sampleNegotiate();
  auto m = decodeNegotiate(full);
  REQUIRE(m.ok());
  CHECK(m->domainName == "CONTOSO");
  CHECK(m->workstation == "WS01");
  REQUIRE(m->version.has_value());
  CHECK(m->version->productBuild == 19041);
  CHECK(encodeNegotiate(*m).value() == full);

  NegotiateMessage old;
  old.negotiateFlags = NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_NEGOTIATE_NTLM;
  auto bytes = encodeNegotiate(old);
  REQUIRE(bytes.ok());
  CHECK(bytes->size() == 32);
  auto back = decodeNegotiate(*bytes);
  REQUIRE(back.ok());
  CHECK(*back == old);
  CHECK_FALSE(back->version.has_value());
}

TEST_CASE("AUTHENTICATE with a MIC places it at offset 72 and finds it again", "[ntlm][messages]") {
  AuthenticateMessage m;
  m.negotiateFlags = NTLMSSP_NEGOTIATE_UNICODE;
  m.userName = "Ünïcødé 用户";
  m.domainName = "contoso";
  m.ntChallengeResponse = Bytes(60, 7);
  m.lmChallengeResponse = Bytes(24, 0);
  m.mic = std::array<std::uint8_t, kMicBytes>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  auto wire = encodeAuthenticate(m);
  REQUIRE(wire.ok());
  CHECK((*wire)[kAuthenticateMicOffset] == 1);
  CHECK((*wire)[kAuthenticateMicOffset + 15] == 16);
  auto back = decodeAuthenticate(*wire);
  REQUIRE(back.ok());
  CHECK(back->mic == m.mic);
  CHECK(back->version == NtlmVersion{0, 0, 0, {}, 0});  // zero Version written in front of the MIC
  CHECK(back->userName == m.userName);

  // OEM strings are raw bytes both ways.
  AuthenticateMessage oem;
  oem.userName = std::string("\x81\xfe", 2);
  auto oemWire = encodeAuthenticate(oem);
  REQUIRE(oemWire.ok());
  CHECK(decodeAuthenticate(*oemWire).value().userName == oem.userName);
}

TEST_CASE("every NTLM message truncated at every length gives a typed error", "[ntlm][messages]") {
  const Fixture f = vectorMessages();
  for (std::size_t n = 0; n < f.negotiate.size(); ++n) {
    auto r = decodeNegotiate(BytesView(f.negotiate).first(n));
    INFO("NEGOTIATE " << n);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().category == ErrorCategory::Decoding);
  }
  for (std::size_t n = 0; n < f.challenge.size(); ++n) {
    auto r = decodeChallenge(BytesView(f.challenge).first(n));
    INFO("CHALLENGE " << n);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().category == ErrorCategory::Decoding);
    CHECK((r.error().code == "truncated" || r.error().code == "buffer_out_of_range"));
  }
  for (std::size_t n = 0; n < f.authenticate.size(); ++n) {
    auto r = decodeAuthenticate(BytesView(f.authenticate).first(n));
    INFO("AUTHENTICATE " << n);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().category == ErrorCategory::Decoding);
    CHECK((r.error().code == "truncated" || r.error().code == "buffer_out_of_range"));
  }
}

TEST_CASE("bad signature and wrong message type are refused", "[ntlm][messages]") {
  const Fixture f = vectorMessages();
  Bytes badSig = f.challenge;
  badSig[0] = 'X';
  CHECK(decodeChallenge(badSig).error().code == "bad_signature");
  CHECK(peekMessageType(badSig).error().code == "bad_signature");
  CHECK(decodeAuthenticate(f.challenge).error().code == "wrong_message_type");
  CHECK(decodeNegotiate(f.authenticate).error().code == "wrong_message_type");
  CHECK(decodeChallenge(f.negotiate).error().code == "wrong_message_type");
  auto wrong = decodeAuthenticate(f.challenge);
  CHECK(wrong.error().detail == "AUTHENTICATE.MessageType is 2, expected 3");
}

TEST_CASE("security buffers outside the message are refused with the field named", "[ntlm][messages]") {
  const Fixture f = vectorMessages();
  Bytes padded = f.authenticate;
  padded.resize(300, 0);
  wire::setLe16(padded, 20, 48);
  wire::setLe32(padded, 24, 4096);
  auto r = decodeAuthenticate(padded);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "buffer_out_of_range");
  CHECK(r.error().detail ==
        "AUTHENTICATE.NtChallengeResponse offset 4096 + length 48 outside a 300-byte message");

  // Huge length and offset: no wrap-around.
  Bytes huge = f.authenticate;
  wire::setLe16(huge, 36, 0xffff);
  wire::setLe32(huge, 40, 0xffffffff);
  auto h = decodeAuthenticate(huge);
  REQUIRE_FALSE(h.ok());
  CHECK(h.error().detail ==
        "AUTHENTICATE.UserName offset 4294967295 + length 65535 outside a 232-byte message");

  Bytes info = f.challenge;
  wire::setLe16(info, 40, static_cast<std::uint16_t>(info.size()));
  auto c = decodeChallenge(info);
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().code == "buffer_out_of_range");
  CHECK(c.error().detail.rfind("CHALLENGE.TargetInfo offset 68 + length", 0) == 0);

  // One past the end by a single byte.
  Bytes lastByte = f.authenticate;
  wire::setLe32(lastByte, 56, static_cast<std::uint32_t>(lastByte.size() - 15));
  CHECK(decodeAuthenticate(lastByte).error().code == "buffer_out_of_range");

  // Overlapping buffers inside the message are allowed.
  Bytes overlap = f.authenticate;
  wire::setLe16(overlap, 44, 8);
  wire::setLe32(overlap, 48, 0x48);  // Workstation points at the domain's bytes
  auto o = decodeAuthenticate(overlap);
  REQUIRE(o.ok());
  CHECK(o->workstation == "Doma");
}

TEST_CASE("odd-length and malformed UTF-16 strings are typed errors", "[ntlm][messages]") {
  const Fixture f = vectorMessages();
  Bytes odd = f.authenticate;
  wire::setLe16(odd, 36, 7);  // UserName of 7 bytes
  auto r = decodeAuthenticate(odd);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "odd_utf16_length");
  CHECK(r.error().detail == "AUTHENTICATE.UserName has an odd UTF-16LE length of 7");

  Bytes surrogate = f.authenticate;
  surrogate[0x54] = 0x00;
  surrogate[0x55] = 0xdc;  // lone low surrogate as the first unit of "User"
  CHECK(decodeAuthenticate(surrogate).error().code == "bad_utf16");

  Bytes oddName = f.challenge;
  wire::setLe16(oddName, 12, 11);
  CHECK(decodeChallenge(oddName).error().code == "odd_utf16_length");

  AuthenticateMessage badUtf8;
  badUtf8.negotiateFlags = NTLMSSP_NEGOTIATE_UNICODE;
  badUtf8.userName = "\xc3";
  auto e = encodeAuthenticate(badUtf8);
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().category == ErrorCategory::Encoding);
  CHECK(e.error().code == "bad_utf8");
}

TEST_CASE("malformed TargetInfo inside a CHALLENGE is a typed error", "[ntlm][messages]") {
  const Fixture f = vectorMessages();
  Bytes noEol = f.challenge;
  wire::setLe16(noEol, 40, 0x24 - 4);  // cut the EOL off
  auto r = decodeChallenge(noEol);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "av_missing_eol");
  CHECK(r.error().detail.rfind("CHALLENGE.TargetInfo: ", 0) == 0);

  Bytes cut = f.challenge;
  wire::setLe16(cut, 40, 0x24 - 6);
  CHECK(decodeChallenge(cut).error().code == "av_truncated");
}

TEST_CASE("messages over the size limit are refused", "[ntlm][messages]") {
  const Fixture f = vectorMessages();
  CHECK(decodeAuthenticate(f.authenticate, 100).error().code == "message_too_large");
  Bytes big = f.authenticate;
  big.resize(kDefaultMaxMessageBytes + 1, 0);
  CHECK(decodeAuthenticate(big).error().code == "message_too_large");
  CHECK(decodeAuthenticate(f.authenticate, f.authenticate.size()).ok());

  AuthenticateMessage tooLong;
  tooLong.ntChallengeResponse = Bytes(0x10000, 1);
  CHECK(encodeAuthenticate(tooLong).error().code == "field_too_long");
}

TEST_CASE("random corruption of the vector messages never crashes", "[ntlm][messages]") {
  const Fixture f = vectorMessages();
  SeededRng rng(20240611);
  int accepted = 0;
  for (int round = 0; round < 3000; ++round) {
    const Bytes* base = round % 3 == 0 ? &f.negotiate : round % 3 == 1 ? &f.challenge : &f.authenticate;
    Bytes m = *base;
    const auto flips = 1 + rng.below(4);
    for (std::uint64_t i = 0; i < flips; ++i) {
      m[rng.below(m.size())] = static_cast<std::uint8_t>(rng.below(256));
    }
    if (rng.below(4) == 0) {
      m.resize(rng.below(m.size() + 1));
    }
    auto n = decodeNegotiate(m);
    auto c = decodeChallenge(m);
    auto a = decodeAuthenticate(m);
    for (const Error* e :
         {n.ok() ? nullptr : &n.error(), c.ok() ? nullptr : &c.error(), a.ok() ? nullptr : &a.error()}) {
      if (e != nullptr) {
        CHECK(e->category == ErrorCategory::Decoding);
        CHECK_FALSE(e->code.empty());
      }
    }
    accepted += (n.ok() ? 1 : 0) + (c.ok() ? 1 : 0) + (a.ok() ? 1 : 0);
  }
  CHECK(accepted > 0);
}
