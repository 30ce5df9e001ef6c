#include <catch2/catch.hpp>

#include "core/common/hex.hpp"
#include "core/spnego/gss_checksum.hpp"
#include "tests/support/reference.hpp"

using namespace kerbpool::core;
using namespace kerbpool::core::spnego;
using kerbpool::test::hexBytes;

TEST_CASE("0x8003 checksum without delegation: 24 octets, little-endian fields", "[spnego][checksum]") {
  GssChecksum c;
  c.flags = gss_flags::kMutual | gss_flags::kSequence | gss_flags::kReplay | gss_flags::kConf |
            gss_flags::kInteg;  // 0x3e, what MIT's gss_init_sec_context asks for with mutual auth
  auto enc = encodeGssChecksum(c);
  REQUIRE(enc.ok());
  CHECK(toHex(*enc) ==
        "10000000"
        "00000000000000000000000000000000"
        "3e000000");
  auto dec = decodeGssChecksum(*enc);
  REQUIRE(dec.ok());
  CHECK(dec->flags == 0x3e);
  CHECK(dec->has(gss_flags::kMutual));
  CHECK_FALSE(dec->has(gss_flags::kDeleg));
  CHECK_FALSE(dec->krbCred.has_value());
  CHECK(dec->exts.empty());
  CHECK(dec->bnd == std::array<std::uint8_t, 16>{});
}

TEST_CASE("0x8003 checksum with delegation keeps the KRB-CRED raw", "[spnego][checksum]") {
  GssChecksum c;
  for (std::size_t i = 0; i < c.bnd.size(); ++i) {
    c.bnd[i] = static_cast<std::uint8_t>(0xa0 + i);
  }
  c.flags = gss_flags::kDeleg | gss_flags::kMutual | 0x4000;
  c.krbCred = hexBytes("7682012c30820128a003020105a103020116");  // a KRB-CRED prefix, not decoded here
  c.krbCred->resize(0x130, 0x00);
  auto enc = encodeGssChecksum(c);
  REQUIRE(enc.ok());
  CHECK(enc->size() == 24 + 4 + 0x130);
  CHECK(toHex(BytesView(*enc).subspan(20, 8)) ==
        "03400000"
        "0100"
        "3001");  // flags, DlgOpt=1, Dlgth=0x130
  auto dec = decodeGssChecksum(*enc);
  REQUIRE(dec.ok());
  CHECK(dec->bnd == c.bnd);
  CHECK(dec->flags == c.flags);
  REQUIRE(dec->krbCred.has_value());
  CHECK(*dec->krbCred == *c.krbCred);
  CHECK(dec->exts.empty());

  // Extensions after the delegation are kept too.
  c.exts = hexBytes("00000001000000020102");
  auto withExts = encodeGssChecksum(c);
  REQUIRE(withExts.ok());
  auto dec2 = decodeGssChecksum(*withExts);
  REQUIRE(dec2.ok());
  CHECK(dec2->exts == c.exts);
  CHECK(*dec2->krbCred == *c.krbCred);
}

TEST_CASE("0x8003 checksum encoding refuses inconsistent input", "[spnego][checksum]") {
  GssChecksum c;
  c.flags = gss_flags::kDeleg;
  CHECK(encodeGssChecksum(c).error().code == "deleg_flag_mismatch");
  c.flags = 0;
  c.krbCred = Bytes{0x76};
  CHECK(encodeGssChecksum(c).error().code == "deleg_flag_mismatch");
  c.flags = gss_flags::kDeleg;
  c.krbCred = Bytes(0x10000, 0);
  CHECK(encodeGssChecksum(c).error().code == "deleg_too_large");
  CHECK(encodeGssChecksum(c).error().category == ErrorCategory::Encoding);
}

TEST_CASE("0x8003 checksum decoding fails with typed errors", "[spnego][checksum][negative]") {
  GssChecksum c;
  c.flags = gss_flags::kDeleg | gss_flags::kMutual;
  c.krbCred = Bytes(40, 0x76);
  const Bytes good = *encodeGssChecksum(c);

  SECTION("every truncation") {
    for (std::size_t n = 0; n < good.size(); ++n) {
      CAPTURE(n);
      auto d = decodeGssChecksum(BytesView(good).first(n));
      REQUIRE_FALSE(d.ok());
      CHECK(d.error().category == ErrorCategory::Decoding);
      if (n < 24) {
        CHECK(d.error().code == "checksum_too_short");
      } else if (n < 28) {
        CHECK(d.error().code == "truncated");
      } else {
        CHECK(d.error().code == "bad_deleg_length");
      }
    }
  }
  SECTION("Lgth other than 16") {
    for (std::uint8_t lgth : {0, 15, 17, 0xff}) {
      Bytes t = good;
      t[0] = lgth;
      CHECK(decodeGssChecksum(t).error().code == "bad_bnd_length");
    }
    Bytes t = good;
    t[3] = 0x01;  // 0x01000010
    CHECK(decodeGssChecksum(t).error().code == "bad_bnd_length");
  }
  SECTION("DlgOpt other than 1") {
    Bytes t = good;
    t[24] = 0x02;
    CHECK(decodeGssChecksum(t).error().code == "bad_dlg_opt");
    t[24] = 0x00;
    t[25] = 0x01;  // big-endian 1
    CHECK(decodeGssChecksum(t).error().code == "bad_dlg_opt");
  }
  SECTION("Dlgth past the end") {
    Bytes t = good;
    t[26] = 41;
    CHECK(decodeGssChecksum(t).error().code == "bad_deleg_length");
    t[26] = 0xff;
    t[27] = 0xff;
    CHECK(decodeGssChecksum(t).error().code == "bad_deleg_length");
  }
  SECTION("DELEG clear: everything after 24 octets is Exts") {
    Bytes t = good;
    t[20] = gss_flags::kMutual;
    auto d = decodeGssChecksum(t);
    REQUIRE(d.ok());
    CHECK_FALSE(d->krbCred.has_value());
    CHECK(d->exts.size() == good.size() - 24);
  }
}
