// Primitives checked against the MS-NLMP 4.2 values (the NTLM module's use of MD4, HMAC-MD5, MD5, RC4).
#include <catch2/catch.hpp>

#include "core/common/hex.hpp"
#include "core/crypto/openssl_backend.hpp"
#include "core/crypto/primitives.hpp"
#include "core/crypto/utf16le.hpp"
#include "tests/support/reference.hpp"

using namespace kerbpool::core;
using namespace kerbpool::core::crypto;
using kerbpool::test::hexBytes;
using kerbpool::test::loadVectors;

namespace {

Bytes utf16(std::string_view s) {
  auto r = utf8ToUtf16le(s);
  REQUIRE(r.ok());
  return *r;
}

std::string upper(std::string s) {
  for (auto& c : s) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return s;
}

}  // namespace

TEST_CASE("legacy provider is loaded for MD4 and RC4", "[crypto][primitives]") {
  CHECK(legacyAlgorithmsAvailable());
  CHECK(backendVersion().rfind("OpenSSL 3", 0) == 0);
}

TEST_CASE("MS-NLMP 4.2.4 values from MD4, HMAC-MD5, MD5 and RC4", "[crypto][primitives]") {
  const auto doc = loadVectors("ms-nlmp-ntlmv2.json");
  for (const auto& v : doc.at("vectors")) {
    INFO(v.at("name").get<std::string>());
    auto ntHash = md4(utf16(v.at("password").get<std::string>()));
    REQUIRE(ntHash.ok());
    CHECK(toHex(*ntHash) == v.at("nt_hash_ntowfv1_hex").get<std::string>());

    const std::string who = upper(v.at("user").get<std::string>()) + v.at("user_domain").get<std::string>();
    auto ntowfv2 = hmacMd5(*ntHash, utf16(who));
    REQUIRE(ntowfv2.ok());
    CHECK(toHex(*ntowfv2) == v.at("ntowfv2_hex").get<std::string>());

    auto sealedKey = rc4(hexBytes(v.at("key_exchange_key_hex")), hexBytes(v.at("random_session_key_hex")));
    REQUIRE(sealedKey.ok());
    CHECK(toHex(*sealedKey) == v.at("encrypted_random_session_key_hex").get<std::string>());

    // MS-NLMP 3.4.5.2 SIGNKEY: MD5(ExportedSessionKey || magic constant including its NUL).
    Bytes signInput = hexBytes(v.at("random_session_key_hex"));
    const std::string_view magic = "session key to client-to-server signing key magic constant";
    append(signInput, asBytes(magic));
    signInput.push_back(0);
    auto signKey = md5(signInput);
    REQUIRE(signKey.ok());
    const auto& wrap = v.at("gss_wrapex");
    CHECK(toHex(*signKey) == wrap.at("client_signing_key_hex").get<std::string>());

    // Sealing: one RC4 stream over the message and then the 8-byte checksum.
    auto stream = Rc4Stream::create(hexBytes(wrap.at("client_sealing_key_hex")));
    REQUIRE(stream.ok());
    auto sealed = stream->process(hexBytes(wrap.at("plaintext_hex")));
    REQUIRE(sealed.ok());
    CHECK(toHex(*sealed) == wrap.at("sealed_data_hex").get<std::string>());
    auto sealedCksum = stream->process(hexBytes(wrap.at("checksum_before_rc4_hex")));
    REQUIRE(sealedCksum.ok());
    CHECK(toHex(*sealedCksum) == wrap.at("signature_hex").get<std::string>().substr(8, 16));
  }
}

TEST_CASE("an AES chain is each block encrypted again under one key schedule", "[crypto][primitives]") {
  const Bytes key = hexBytes("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  const Bytes first = hexBytes("00112233445566778899aabbccddeeff");
  auto chain = aesEcbEncryptChain(key, first, 3);
  REQUIRE(chain.ok());
  REQUIRE(chain->size() == 48);
  auto one = aesEcbEncryptBlock(key, first);
  REQUIRE(one.ok());
  CHECK(Bytes(chain->begin(), chain->begin() + 16) == *one);
  auto second = aesEcbEncryptBlock(key, BytesView(*chain).first(16));
  REQUIRE(second.ok());
  CHECK(Bytes(chain->begin() + 16, chain->begin() + 32) == *second);
  auto third = aesEcbEncryptBlock(key, *second);
  REQUIRE(third.ok());
  CHECK(Bytes(chain->begin() + 32, chain->end()) == *third);
  for (std::size_t blocks : {std::size_t{0}, std::size_t{5}}) {
    auto bad = aesEcbEncryptChain(key, first, blocks);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == "bad_block_count");
  }
  auto badBlock = aesEcbEncryptChain(key, Bytes(15, 0), 1);
  REQUIRE_FALSE(badBlock.ok());
  CHECK(badBlock.error().code == "bad_block_length");
}

TEST_CASE("primitive argument errors are typed", "[crypto][primitives]") {
  const Bytes k16(16, 1), k24(24, 1), iv(16, 0);
  auto badKey = aesEcbEncryptBlock(k24, Bytes(16, 0));
  REQUIRE_FALSE(badKey.ok());
  CHECK(badKey.error().code == "bad_key_length");
  auto badBlock = aesEcbEncryptBlock(k16, Bytes(15, 0));
  REQUIRE_FALSE(badBlock.ok());
  CHECK(badBlock.error().code == "bad_block_length");
  auto partial = aesCbcEncrypt(k16, iv, Bytes(17, 0));
  REQUIRE_FALSE(partial.ok());
  CHECK(partial.error().code == "bad_block_length");
  auto badIv = aesCbcDecrypt(k16, Bytes(8, 0), Bytes(16, 0));
  REQUIRE_FALSE(badIv.ok());
  CHECK(badIv.error().code == "bad_iv_length");
  auto emptyRc4Key = rc4({}, Bytes(4, 0));
  REQUIRE_FALSE(emptyRc4Key.ok());
  CHECK(emptyRc4Key.error().code == "bad_key_length");
  auto zeroIter = pbkdf2HmacSha1(asBytes("p"), asBytes("s"), 0, 16);
  REQUIRE_FALSE(zeroIter.ok());
  CHECK(zeroIter.error().code == "bad_iteration_count");
  CHECK(badKey.error().category == ErrorCategory::Crypto);
}

TEST_CASE("AES-CBC decrypt inverts encrypt, and digests have their sizes", "[crypto][primitives]") {
  const Bytes key(32, 7), iv(16, 9), data(48, 0x5a);
  auto c = aesCbcEncrypt(key, iv, data);
  REQUIRE(c.ok());
  CHECK(*c != data);
  auto p = aesCbcDecrypt(key, iv, *c);
  REQUIRE(p.ok());
  CHECK(*p == data);
  CHECK(sha1({}).value().size() == 20);
  CHECK(md5({}).value().size() == 16);
  CHECK(hmacSha1({}, {}).value().size() == 20);
}

TEST_CASE("UTF-8 to UTF-16LE", "[crypto][primitives]") {
  CHECK(toHex(utf16("Ab")) == "41006200");
  CHECK(toHex(utf16("\xc3\xa9")) == "e900");              // U+00E9
  CHECK(toHex(utf16("\xf0\x9d\x84\x9e")) == "34d81edd");  // U+1D11E -> D834 DD1E
  for (std::string_view bad : {"\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xff", "a\x80"}) {
    auto r = utf8ToUtf16le(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "bad_utf8");
  }
}
