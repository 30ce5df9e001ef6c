#include <catch2/catch.hpp>

#include "core/common/hex.hpp"
#include "core/crypto/enctype.hpp"
#include "tests/support/reference.hpp"

using namespace kerbpool::core;
using kerbpool::test::hexBytes;

namespace {

void requireError(const Status& s, ErrorCategory category, const std::string& code) {
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().category == category);
  CHECK(s.error().code == code);
}

}  // namespace

TEST_CASE("keyed checksums match MIT t_cksums for 15, 16 and -138", "[crypto][checksum]") {
  const auto doc = kerbpool::test::loadVectors("mit-krb5-checksums.json");
  std::size_t checked = 0;
  for (const auto& v : doc.at("vectors")) {
    const auto type = v.at("cksumtype").get<std::int32_t>();
    if (type == -1138) {
      // MIT-internal md5-hmac keyed with the raw key: not an interoperable checksum type, so not implemented.
      continue;
    }
    const auto usage = v.at("usage").get<std::uint32_t>();
    INFO("cksumtype " << type << " usage " << usage);
    const crypto::Key key{v.at("etype").get<std::int32_t>(), hexBytes(v.at("key_hex"))};
    const Bytes data = hexBytes(v.at("plaintext_hex"));
    const Bytes expected = hexBytes(v.at("checksum_hex"));
    const auto* info = crypto::findEnctypeByChecksum(type);
    REQUIRE(info != nullptr);
    CHECK(info->id == key.enctype);
    CHECK(info->checksumBytes == expected.size());

    auto made = crypto::makeChecksum(key, usage, data);
    REQUIRE(made.ok());
    CHECK(toHex(*made) == toHex(expected));
    CHECK(crypto::verifyChecksum(key, usage, type, data, expected).ok());

    for (std::size_t i = 0; i < expected.size(); ++i) {
      Bytes flipped = expected;
      flipped[i] ^= 0x80;
      requireError(crypto::verifyChecksum(key, usage, type, data, flipped), ErrorCategory::Integrity,
                   "bad_integrity");
    }
    requireError(
        crypto::verifyChecksum(key, usage, type, data, BytesView(expected).first(expected.size() - 1)),
        ErrorCategory::Integrity, "bad_integrity");
    requireError(crypto::verifyChecksum(key, usage + 1, type, data, expected), ErrorCategory::Integrity,
                 "bad_integrity");
    Bytes otherData = data;
    otherData.push_back(0);
    requireError(crypto::verifyChecksum(key, usage, type, otherData, expected), ErrorCategory::Integrity,
                 "bad_integrity");
    crypto::Key wrongKey = key;
    wrongKey.value.back() ^= 1;
    requireError(crypto::verifyChecksum(wrongKey, usage, type, data, expected), ErrorCategory::Integrity,
                 "bad_integrity");
    ++checked;
  }
  CHECK(checked == 3);
}

TEST_CASE("checksum type must be known and belong to the key's enctype", "[crypto][checksum][negative]") {
  const crypto::Key aes256{18, Bytes(32, 3)};
  const Bytes data = toBytes("req-body");
  auto made = crypto::makeChecksum(aes256, 6, data);
  REQUIRE(made.ok());
  CHECK(made->size() == 12);
  requireError(crypto::verifyChecksum(aes256, 6, 15, data, *made), ErrorCategory::Crypto,
               "checksum_type_mismatch");
  requireError(crypto::verifyChecksum(aes256, 6, -138, data, *made), ErrorCategory::Crypto,
               "checksum_type_mismatch");
  requireError(crypto::verifyChecksum(aes256, 6, 0x8003, data, *made), ErrorCategory::Crypto,
               "unsupported_checksum_type");
  requireError(crypto::verifyChecksum(crypto::Key{7, Bytes(8, 0)}, 6, 16, data, *made), ErrorCategory::Crypto,
               "unsupported_enctype");
}
