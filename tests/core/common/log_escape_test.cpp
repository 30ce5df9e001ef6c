#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "core/common/log.hpp"

using namespace kerbpool;

TEST_CASE("log: peer text cannot forge lines or send terminal escapes", "[core][log]") {
  using core::escapeForLog;
  CHECK(escapeForLog("alice@CONTOSO.TEST") == "alice@CONTOSO.TEST");
  CHECK(escapeForLog("CONTOSO\\alice") == "CONTOSO\\alice");
  CHECK(escapeForLog("a\nkdc: forged") == "a\\x0akdc: forged");
  CHECK(escapeForLog(std::string("a\0b", 3)) == "a\\x00b");
  CHECK(escapeForLog("\x1b[31mred\r\t\x7f") == "\\x1b[31mred\\x0d\\x09\\x7f");
  // Well-formed UTF-8 stays; stray, overlong and surrogate octets do not.
  CHECK(escapeForLog("J\xc3\xa9r\xc3\xb4me \xe2\x82\xac \xf0\x9f\x94\x91") ==
        "J\xc3\xa9r\xc3\xb4me \xe2\x82\xac \xf0\x9f\x94\x91");
  CHECK(escapeForLog("\xff\xc3") == "\\xff\\xc3");
  CHECK(escapeForLog("\xc0\xaf") == "\\xc0\\xaf");
  CHECK(escapeForLog("\xed\xa0\x80") == "\\xed\\xa0\\x80");
}

TEST_CASE("log: every message goes through the escape", "[core][log]") {
  std::vector<std::string> lines;
  core::Logger::setSink([&](core::LogLevel, std::string_view, std::string_view m) { lines.emplace_back(m); });
  core::logWarn("kdc", "AS-REQ for alice\n[info] kdc: forged line");
  core::Logger::setSink({});
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] == "AS-REQ for alice\\x0a[info] kdc: forged line");
}

TEST_CASE("log: a rate limiter lets a burst through per window and counts the rest", "[core][log]") {
  core::LogRateLimiter limiter(3, 1'000'000);
  std::uint64_t suppressed = 99;
  std::int64_t t = 5'000'000;
  for (int i = 0; i < 3; ++i) {
    CHECK(limiter.allow(t, suppressed));
    CHECK(suppressed == 0);
  }
  for (int i = 0; i < 7; ++i) {
    CHECK_FALSE(limiter.allow(t + 999'999, suppressed));
  }
  CHECK(limiter.allow(t + 1'000'000, suppressed));
  CHECK(suppressed == 7);
  CHECK(limiter.allow(t + 1'000'001, suppressed));
  CHECK(suppressed == 0);
}
