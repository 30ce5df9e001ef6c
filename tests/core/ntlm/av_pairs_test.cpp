// AV_PAIR lists (MS-NLMP 2.2.2.1): the spec TargetInfo, typed views, and strict decoding.
#include <catch2/catch.hpp>

#include "core/common/hex.hpp"
#include "core/ntlm/av_pairs.hpp"
#include "tests/support/reference.hpp"

using namespace kerbpool::core;
using namespace kerbpool::core::ntlm;
using kerbpool::test::hexBytes;
using kerbpool::test::loadVectors;

TEST_CASE("MS-NLMP 4.2.4 TargetInfo decodes and re-encodes", "[ntlm][av_pairs]") {
  const auto doc = loadVectors("ms-nlmp-ntlmv2.json");
  for (const auto& v : doc.at("vectors")) {
    INFO(v.at("name").get<std::string>());
    const Bytes wire = hexBytes(v.at("target_info_hex"));
    auto list = decodeAvPairs(wire, "TargetInfo");
    REQUIRE(list.ok());
    REQUIRE(list->pairs().size() == 2);
    CHECK(list->pairs()[0].id == static_cast<std::uint16_t>(AvId::MsvAvNbDomainName));
    CHECK(list->pairs()[1].id == static_cast<std::uint16_t>(AvId::MsvAvNbComputerName));
    auto domain = list->text(AvId::MsvAvNbDomainName);
    REQUIRE(domain.ok());
    CHECK(domain->value() == v.at("user_domain").get<std::string>());
    auto server = list->text(AvId::MsvAvNbComputerName);
    REQUIRE(server.ok());
    CHECK(server->value() == v.at("server_name").get<std::string>());
    CHECK_FALSE(list->timestamp().has_value());
    CHECK_FALSE(list->flags().has_value());
    auto again = encodeAvPairs(*list);
    REQUIRE(again.ok());
    CHECK(toHex(*again) == v.at("target_info_hex").get<std::string>());
  }
}

TEST_CASE("AV pairs keep unknown and duplicate ids and typed values", "[ntlm][av_pairs]") {
  AvPairList list;
  list.add(static_cast<AvId>(0x77), Bytes{1, 2, 3});
  REQUIRE(list.setText(AvId::MsvAvDnsDomainName, "contoso.test").ok());
  list.add(AvId::MsvAvDnsDomainName, Bytes{'x', 0});
  list.setTimestamp(0x01d9aabbccddeeffULL);
  list.setFlags(kAvFlagMicPresent);
  list.set(AvId::MsvAvChannelBindings, Bytes(16, 0xcc));
  auto wire = encodeAvPairs(list);
  REQUIRE(wire.ok());
  auto back = decodeAvPairs(*wire, "test");
  REQUIRE(back.ok());
  CHECK(*back == list);
  CHECK(back->pairs().size() == 6);
  CHECK(back->timestamp() == 0x01d9aabbccddeeffULL);
  CHECK(back->flags() == kAvFlagMicPresent);
  auto dns = back->text(AvId::MsvAvDnsDomainName);
  REQUIRE(dns.ok());
  CHECK(dns->value() == "contoso.test");  // the first of the duplicates counts
  CHECK(back->find(AvId::MsvAvTargetName) == nullptr);
}

TEST_CASE("AV pair decoding refuses malformed lists with typed errors", "[ntlm][av_pairs]") {
  struct Case {
    const char* hex;
    const char* code;
  };
  const Case cases[] = {
      {"", "av_missing_eol"},
      {"0100", "av_truncated"},
      {"010004004100", "av_truncated"},                       // value runs past the end
      {"010002004100", "av_missing_eol"},                     // no EOL after the last pair
      {"01000200410000", "av_truncated"},                     // half an EOL
      {"00000100ff", "av_bad_length"},                        // EOL with a value
      {"0600030001000000000000", "av_bad_length"},            // Flags of 3 bytes
      {"070004000000000000000000", "av_bad_length"},          // Timestamp of 4 bytes
      {"0a000800000000000000000000000000", "av_bad_length"},  // ChannelBindings of 8 bytes
      {"0000000000", "av_trailing_bytes"},
      {"0100ffff", "av_truncated"},  // huge AvLen
  };
  for (const auto& c : cases) {
    INFO(c.hex);
    auto r = decodeAvPairs(hexBytes(c.hex), "CHALLENGE.TargetInfo");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().category == ErrorCategory::Decoding);
    CHECK(r.error().code == c.code);
    CHECK(r.error().detail.rfind("CHALLENGE.TargetInfo: ", 0) == 0);
  }
}

TEST_CASE("AV pair list truncated at every length is a typed error", "[ntlm][av_pairs]") {
  const auto doc = loadVectors("ms-nlmp-ntlmv2.json");
  const Bytes wire = hexBytes(doc.at("vectors").at(0).at("target_info_hex"));
  for (std::size_t n = 0; n < wire.size(); ++n) {
    INFO(n);
    auto r = decodeAvPairs(BytesView(wire).first(n), "TargetInfo");
    REQUIRE_FALSE(r.ok());
    CHECK((r.error().code == "av_truncated" || r.error().code == "av_missing_eol"));
  }
  auto prefix = decodeAvPairsPrefix(wire, "x");
  REQUIRE(prefix.ok());
  CHECK(prefix->consumed == wire.size());
}

TEST_CASE("AV pair encoding refuses an inner EOL and oversize values", "[ntlm][av_pairs]") {
  AvPairList inner;
  inner.add(AvId::MsvAvEOL, {});
  CHECK(encodeAvPairs(inner).error().code == "av_eol_inside");
  AvPairList big;
  big.add(AvId::MsvAvTargetName, Bytes(70000, 0x41));
  CHECK(encodeAvPairs(big).error().code == "av_too_long");
}
