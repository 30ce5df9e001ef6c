#include <catch2/catch.hpp>

#include "core/common/hex.hpp"
#include "core/crypto/enctype.hpp"
#include "tests/support/reference.hpp"

using namespace kerbpool::core;
using kerbpool::test::hexBytes;

TEST_CASE("AES-CTS encrypts and decrypts the RFC 3962 appendix B messages", "[crypto][cts]") {
  const auto doc = kerbpool::test::loadVectors("rfc3962-cts.json");
  REQUIRE(doc.at("vectors").size() == 6);
  for (const auto& v : doc.at("vectors")) {
    INFO(v.at("input_ascii").get<std::string>());
    const Bytes key = hexBytes(v.at("key_hex"));
    const Bytes iv = hexBytes(v.at("iv_hex"));
    const Bytes in = hexBytes(v.at("input_hex"));
    const Bytes out = hexBytes(v.at("output_hex"));
    auto enc = crypto::aesCtsEncrypt(key, iv, in);
    REQUIRE(enc.ok());
    CHECK(toHex(*enc) == toHex(out));
    auto dec = crypto::aesCtsDecrypt(key, iv, out);
    REQUIRE(dec.ok());
    CHECK(toHex(*dec) == toHex(in));
    // The chaining state (next_iv) is C(n), which the swap leaves in the second-to-last block slot.
    const std::size_t slot = ((in.size() + 15) / 16 - 2) * 16;
    CHECK(toHex(BytesView(*enc).subspan(slot, 16)) == v.at("next_iv_hex").get<std::string>());
  }
}

TEST_CASE("AES-CTS round-trips every length from one block to five, and refuses less", "[crypto][cts]") {
  const Bytes key(32, 0x42);
  const Bytes iv(16, 0x17);
  for (std::size_t n = 16; n <= 80; ++n) {
    Bytes in(n);
    for (std::size_t i = 0; i < n; ++i) {
      in[i] = static_cast<std::uint8_t>(i * 7 + n);
    }
    auto enc = crypto::aesCtsEncrypt(key, iv, in);
    REQUIRE(enc.ok());
    CHECK(enc->size() == n);
    auto dec = crypto::aesCtsDecrypt(key, iv, *enc);
    REQUIRE(dec.ok());
    CHECK(*dec == in);
  }
  auto shortIn = crypto::aesCtsEncrypt(key, iv, Bytes(15, 0));
  REQUIRE_FALSE(shortIn.ok());
  CHECK(shortIn.error().code == "cts_input_too_short");
  auto shortCt = crypto::aesCtsDecrypt(key, iv, Bytes(3, 0));
  REQUIRE_FALSE(shortCt.ok());
  CHECK(shortCt.error().code == "cts_input_too_short");
}
