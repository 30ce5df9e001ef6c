#include <catch2/catch.hpp>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "core/common/hex.hpp"
#include "core/common/json_text.hpp"

using namespace kerbpool;

namespace {

std::string viaNlohmann(const std::string& text) {
  return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string viaAppend(const std::string& text) {
  std::string out = "x";
  core::appendJsonString(out, text);
  return out.substr(1);
}

std::string hexOf(const std::string& text) {
  return core::toHex(core::BytesView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

}  // namespace

TEST_CASE("json text: escapes as nlohmann's dump does", "[core][json]") {
  CHECK(viaAppend("alice") == "\"alice\"");
  CHECK(viaAppend("") == "\"\"");
  CHECK(viaAppend("CONTOSO\\alice \"q\"") == "\"CONTOSO\\\\alice \\\"q\\\"\"");
  CHECK(viaAppend(std::string("\b\f\n\r\t\x01\x1f\x7f\0", 9)) ==
        "\"\\b\\f\\n\\r\\t\\u0001\\u001f\x7f\\u0000\"");
  // Ill-formed UTF-8: one U+FFFD per maximal subpart; the octet that ended a subpart is read again.
  CHECK(viaAppend("a\xff"
                  "b") ==
        "\"a\xef\xbf\xbd"
        "b\"");
  CHECK(viaAppend("\xe2\x82"
                  "A") ==
        "\"\xef\xbf\xbd"
        "A\"");
  CHECK(viaAppend("\xf0\x9f\x94") == "\"\xef\xbf\xbd\"");
  CHECK(viaAppend("\xed\xa0\x80") == "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
  const std::string cases[] = {
      "J\xc3\xa9r\xc3\xb4me \xe2\x82\xac \xf0\x9f\x94\x91",
      "\xc0\xaf",
      "\xe0\x80\x80",
      "\xf4\x90\x80\x80",
      "\xf0\x90\x80",
      "\xc3",
      "\xc3\xc3\xa9",
      "\"\\/",
      "pool users\x1b[31m",
      "\xef\xbf\xbd",
  };
  for (const auto& text : cases) {
    INFO("input " << hexOf(text));
    CHECK(viaAppend(text) == viaNlohmann(text));
  }
}

TEST_CASE("json text: random octet strings come out as nlohmann writes them", "[core][json]") {
  // Octets drawn mostly from the ranges that matter to UTF-8 decoding (lead and continuation octets,
  // controls, quote and backslash), so ill-formed and well-formed sequences both occur often.
  std::mt19937 rng(20261206);
  const unsigned char pool[] = {'a',  '"',  '\\', 0x00, 0x09, 0x1f, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf,
                                0xc0, 0xc2, 0xdf, 0xe0, 0xe1, 0xed, 0xef, 0xf0, 0xf1, 0xf4, 0xf5, 0xff};
  std::uniform_int_distribution<std::size_t> pick(0, sizeof pool - 1);
  std::uniform_int_distribution<std::size_t> length(0, 12);
  int differing = 0;
  for (int n = 0; n < 20000; ++n) {
    std::string text(length(rng), '\0');
    for (auto& c : text) {
      c = static_cast<char>(pool[pick(rng)]);
    }
    if (viaAppend(text) != viaNlohmann(text)) {
      ++differing;
      INFO("first differing input " << hexOf(text));
      CHECK(viaAppend(text) == viaNlohmann(text));
      break;
    }
  }
  CHECK(differing == 0);
}
