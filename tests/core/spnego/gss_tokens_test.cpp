#include <catch2/catch.hpp>

#include <string>

#include "core/common/hex.hpp"
#include "core/common/rng.hpp"
#include "core/spnego/gss_tokens.hpp"
#include "tests/support/reference.hpp"

using namespace kerbpool::core;
using namespace kerbpool::core::spnego;
using kerbpool::test::hexBytes;
using kerbpool::test::loadVectors;

namespace {

GssRole roleOf(const std::string& s) {
  return s == "acceptor" ? GssRole::Acceptor : GssRole::Initiator;
}

crypto::Key aesKey(std::int32_t enctype, std::uint8_t fill) {
  return crypto::Key{enctype, Bytes(enctype == 17 ? 16 : 32, fill)};
}

Bytes concat(BytesView a, BytesView b) {
  Bytes out(a.begin(), a.end());
  append(out, b);
  return out;
}

}  // namespace

TEST_CASE("RFC 4121 MIC and Wrap vectors verify and are reproduced byte for byte",
          "[spnego][gss_tokens][vectors]") {
  const auto doc = loadVectors("rfc4121-mic-wrap-tokens.json");
  REQUIRE(doc["vectors"].size() == 4);
  for (const auto& v : doc["vectors"]) {
    CAPTURE(v["type"].get<std::string>(), v["sender"].get<std::string>());
    const crypto::Key key{v["etype"].get<std::int32_t>(), hexBytes(v["base_key_hex"].get<std::string>())};
    const GssRole sender = roleOf(v["sender"].get<std::string>());
    const Bytes token = hexBytes(v["token_hex"].get<std::string>());
    const auto flags = v["flags"].get<std::uint8_t>();
    const auto seq = v["snd_seq"].get<std::uint64_t>();
    const Bytes checksumInput = hexBytes(v["checksum_input_hex"].get<std::string>());
    const TokenParams params{sender, (flags & token_flags::kAcceptorSubkey) != 0, seq};
    CHECK(toHex(BytesView(token).first(2)) == v["tok_id_hex"].get<std::string>());

    if (v["tok_id_hex"] == "0404") {
      CHECK(signUsage(sender) == v["key_usage"].get<std::uint32_t>());
      const Bytes message = hexBytes(v["message_hex"].get<std::string>());
      CHECK(concat(message, BytesView(token).first(16)) == checksumInput);
      auto verified = verifyMicToken(key, sender, message, token);
      REQUIRE(verified.ok());
      CHECK(verified->flags == flags);
      CHECK(verified->sndSeq == seq);
      CHECK(toHex(verified->checksum) == v["checksum_hex"].get<std::string>());
      auto made = makeMicToken(key, params, message);
      REQUIRE(made.ok());
      CHECK(*made == token);
    } else {
      CHECK(sealUsage(sender) == v["key_usage"].get<std::uint32_t>());
      const Bytes payload = hexBytes(v["payload_hex"].get<std::string>());
      auto parsed = parseWrapToken(token);
      REQUIRE(parsed.ok());
      CHECK(parsed->flags == flags);
      CHECK(parsed->ec == v["ec"].get<std::uint16_t>());
      CHECK(parsed->rrc == v["rrc"].get<std::uint16_t>());
      CHECK(parsed->sndSeq == seq);
      CHECK_FALSE(parsed->sealed());
      auto unwrapped = unwrapToken(key, UnwrapParams{sender, false}, token);
      REQUIRE(unwrapped.ok());
      CHECK(unwrapped->payload == payload);
      CHECK_FALSE(unwrapped->sealed);
      CHECK(unwrapped->sndSeq == seq);
      SeededRng rng(1);
      auto made = makeWrapToken(key, WrapParams{params, false, 0, 0, false}, payload, rng);
      REQUIRE(made.ok());
      CHECK(*made == token);
      CHECK(toHex(BytesView(*made).last(12)) == v["checksum_hex"].get<std::string>());
      // Checksum input: payload || header with EC and RRC zeroed.
      Bytes zeroed(token.begin(), token.begin() + 16);
      zeroed[4] = zeroed[5] = zeroed[6] = zeroed[7] = 0;
      CHECK(concat(payload, zeroed) == checksumInput);

      // The same token as Windows would send it (RRC 12): the rotation is undone on receive.
      Bytes rotated = token;
      rotated[7] = 12;
      std::rotate(rotated.begin() + 16, rotated.end() - 12, rotated.end());
      auto fromWindows = unwrapToken(key, UnwrapParams{sender, false}, rotated);
      REQUIRE(fromWindows.ok());
      CHECK(fromWindows->payload == payload);
      auto madeRotated = makeWrapToken(key, WrapParams{params, false, 12, 0, false}, payload, rng);
      REQUIRE(madeRotated.ok());
      CHECK(*madeRotated == rotated);
    }
  }
}

TEST_CASE("sealed Wrap tokens round-trip for AES keys, both directions, with rotation",
          "[spnego][gss_tokens]") {
  SeededRng rng(42);
  const Bytes payload = toBytes("GET /index.html with a payload that spans several AES blocks");
  for (std::int32_t etype : {17, 18}) {
    const crypto::Key key = aesKey(etype, 0x3c);
    for (GssRole sender : {GssRole::Initiator, GssRole::Acceptor}) {
      for (std::uint16_t rrc : {0, 28, 1000}) {
        CAPTURE(etype, sender == GssRole::Acceptor, rrc);
        const WrapParams wp{TokenParams{sender, sender == GssRole::Acceptor, 7}, true, rrc, 0, false};
        auto token = makeWrapToken(key, wp, payload, rng);
        REQUIRE(token.ok());
        // Header in clear: 05 04, flags, FF, EC 0, RRC, SND_SEQ 7; data = 16 conf + payload + 16 + 12 mac.
        CHECK(toHex(BytesView(*token).first(4)) ==
              (sender == GssRole::Acceptor ? std::string("050407ff") : std::string("050402ff")));
        CHECK(token->size() == 16 + 16 + payload.size() + 16 + 12);
        auto parsed = parseWrapToken(*token);
        REQUIRE(parsed.ok());
        CHECK(parsed->rrc == rrc);
        CHECK(parsed->sealed());
        auto back = unwrapToken(key, UnwrapParams{sender, false}, *token);
        REQUIRE(back.ok());
        CHECK(back->payload == payload);
        CHECK(back->sealed);
        CHECK(back->sndSeq == 7);
        CHECK(((back->flags & token_flags::kAcceptorSubkey) != 0) == (sender == GssRole::Acceptor));
        // Wrong direction, wrong key.
        const GssRole other = sender == GssRole::Acceptor ? GssRole::Initiator : GssRole::Acceptor;
        CHECK(unwrapToken(key, UnwrapParams{other, false}, *token).error().code == "bad_direction");
        CHECK(unwrapToken(aesKey(etype, 0x3d), UnwrapParams{sender, false}, *token).error().category ==
              ErrorCategory::Integrity);
      }
    }
  }
}

TEST_CASE("sealed Wrap with EC filler and DCE-style rotation (RRC + EC)", "[spnego][gss_tokens]") {
  SeededRng rng(7);
  const crypto::Key key = aesKey(18, 0x11);
  const Bytes payload = toBytes("dce rpc pdu");
  const WrapParams wp{TokenParams{GssRole::Initiator, false, 99}, true, 28, 16, true};
  auto token = makeWrapToken(key, wp, payload, rng);
  REQUIRE(token.ok());
  auto back = unwrapToken(key, UnwrapParams{GssRole::Initiator, true}, *token);
  REQUIRE(back.ok());
  CHECK(back->payload == payload);
  // Read without the DCE rule, the rotation is off by EC and decryption fails cleanly.
  auto plain = unwrapToken(key, UnwrapParams{GssRole::Initiator, false}, *token);
  REQUIRE_FALSE(plain.ok());
  CHECK(plain.error().category == ErrorCategory::Integrity);
  // Non-DCE with EC filler: rotation by RRC only.
  auto t2 = makeWrapToken(key, WrapParams{TokenParams{GssRole::Initiator, false, 1}, true, 28, 5, false},
                          payload, rng);
  REQUIRE(t2.ok());
  auto b2 = unwrapToken(key, UnwrapParams{GssRole::Initiator, false}, *t2);
  REQUIRE(b2.ok());
  CHECK(b2->payload == payload);
}

TEST_CASE("MIC and Wrap tokens fail with typed errors, never crash", "[spnego][gss_tokens][negative]") {
  const auto doc = loadVectors("rfc4121-mic-wrap-tokens.json");
  const crypto::Key key{17, hexBytes("14f9bde6b50ec508201a97f74c4e5bd3")};
  const Bytes wrapTok = hexBytes(doc["vectors"][0]["token_hex"].get<std::string>());  // acceptor, integrity
  const Bytes micTok = hexBytes(doc["vectors"][2]["token_hex"].get<std::string>());   // acceptor MIC
  const Bytes message = hexBytes("deadbeef");
  SeededRng rng(3);
  const Bytes sealedTok = *makeWrapToken(
      key, WrapParams{TokenParams{GssRole::Acceptor, false, 5}, true, 0, 0, false}, message, rng);
  const UnwrapParams fromAcceptor{GssRole::Acceptor, false};

  SECTION("every truncation") {
    for (const Bytes* t : {&wrapTok, &sealedTok}) {
      for (std::size_t n = 0; n < t->size(); ++n) {
        CAPTURE(n);
        auto r = unwrapToken(key, fromAcceptor, BytesView(*t).first(n));
        REQUIRE_FALSE(r.ok());
        CHECK_FALSE(r.error().code.empty());
      }
    }
    for (std::size_t n = 0; n < micTok.size(); ++n) {
      CAPTURE(n);
      auto r = verifyMicToken(key, GssRole::Acceptor, message, BytesView(micTok).first(n));
      REQUIRE_FALSE(r.ok());
      CHECK_FALSE(r.error().code.empty());
      if (n < 16) {
        CHECK(r.error().code == "truncated");
      } else {
        CHECK(r.error().category == ErrorCategory::Integrity);
      }
    }
  }
  SECTION("wrong TOK_ID and filler") {
    CHECK(verifyMicToken(key, GssRole::Acceptor, message, wrapTok).error().code == "bad_tok_id");
    CHECK(unwrapToken(key, fromAcceptor, micTok).error().code == "bad_tok_id");
    for (const char* id : {"0101", "0201", "0405", "0000", "6082"}) {
      Bytes t = micTok;
      const Bytes b = hexBytes(id);
      t[0] = b[0];
      t[1] = b[1];
      CHECK(verifyMicToken(key, GssRole::Acceptor, message, t).error().code == "bad_tok_id");
    }
    Bytes badMicFiller = micTok;
    badMicFiller[7] = 0x00;
    CHECK(verifyMicToken(key, GssRole::Acceptor, message, badMicFiller).error().code == "bad_filler");
    Bytes badWrapFiller = wrapTok;
    badWrapFiller[3] = 0x00;
    CHECK(unwrapToken(key, fromAcceptor, badWrapFiller).error().code == "bad_filler");
  }
  SECTION("tampering is an integrity failure") {
    for (std::size_t i = 8; i < micTok.size(); ++i) {  // SND_SEQ and checksum
      Bytes t = micTok;
      t[i] ^= 0x01;
      CHECK(verifyMicToken(key, GssRole::Acceptor, message, t).error().category == ErrorCategory::Integrity);
    }
    CHECK(verifyMicToken(key, GssRole::Acceptor, hexBytes("deadbeee"), micTok).error().code ==
          "bad_integrity");
    Bytes t = wrapTok;
    t[16] ^= 0x01;  // payload
    CHECK(unwrapToken(key, fromAcceptor, t).error().code == "bad_integrity");
    Bytes s = sealedTok;
    s[20] ^= 0x01;
    CHECK(unwrapToken(key, fromAcceptor, s).error().category == ErrorCategory::Integrity);
  }
  SECTION("the clear header of a sealed token must match its encrypted copy") {
    Bytes s = sealedTok;
    s[15] ^= 0x01;  // SND_SEQ in clear
    CHECK(unwrapToken(key, fromAcceptor, s).error().code == "header_mismatch");
    s = sealedTok;
    s[2] |= token_flags::kAcceptorSubkey;
    CHECK(unwrapToken(key, fromAcceptor, s).error().code == "header_mismatch");
    s = sealedTok;
    s[5] = 3;  // EC 3: still decrypts, the copy says EC 0
    CHECK(unwrapToken(key, fromAcceptor, s).error().code == "header_mismatch");
    s[4] = 0xff;  // EC larger than the plaintext
    CHECK(unwrapToken(key, fromAcceptor, s).error().code == "bad_ec");
  }
  SECTION("bad EC on integrity-only tokens") {
    for (std::uint8_t ec : {0, 11, 13, 0xff}) {
      Bytes t = wrapTok;
      t[5] = ec;
      CHECK(unwrapToken(key, fromAcceptor, t).error().code == "bad_ec");
    }
  }
  SECTION("direction") {
    CHECK(verifyMicToken(key, GssRole::Initiator, message, micTok).error().code == "bad_direction");
    CHECK(unwrapToken(key, UnwrapParams{GssRole::Initiator, false}, wrapTok).error().code == "bad_direction");
  }
  SECTION("enctypes without RFC 4121 tokens") {
    const crypto::Key rc4{23, Bytes(16, 0x01)};
    CHECK(verifyMicToken(rc4, GssRole::Acceptor, message, micTok).error().code == "unsupported_enctype");
    CHECK(makeMicToken(rc4, TokenParams{}, message).error().code == "unsupported_enctype");
    CHECK(unwrapToken(rc4, fromAcceptor, wrapTok).error().code == "unsupported_enctype");
    CHECK(makeWrapToken(crypto::Key{16, Bytes(24, 1)}, WrapParams{}, message, rng).error().code ==
          "unsupported_enctype");
    CHECK(makeWrapToken(crypto::Key{999, Bytes(16, 1)}, WrapParams{}, message, rng).error().code ==
          "unsupported_enctype");
  }
}
