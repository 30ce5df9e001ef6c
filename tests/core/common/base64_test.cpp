#include <catch2/catch.hpp>

#include <string>
#include <string_view>

#include "core/common/base64.hpp"

using kerbpool::core::base64Decode;
using kerbpool::core::base64Encode;
using kerbpool::core::Bytes;
using kerbpool::core::ErrorCategory;
using kerbpool::core::toBytes;
using kerbpool::core::toString;

TEST_CASE("base64 encodes and decodes the RFC 4648 section 10 vectors", "[base64]") {
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    CAPTURE(plain);
    CHECK(base64Encode(toBytes(plain)) == encoded);
    auto d = base64Decode(encoded);
    REQUIRE(d.ok());
    CHECK(toString(*d) == plain);
  }
}

TEST_CASE("base64 round-trips every octet value and the NTLMSSP signature", "[base64]") {
  Bytes all;
  for (int i = 0; i < 256; ++i) {
    all.push_back(static_cast<std::uint8_t>(i));
  }
  for (std::size_t n = 0; n <= all.size(); n += 37) {
    const Bytes part(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n));
    auto d = base64Decode(base64Encode(part));
    REQUIRE(d.ok());
    CHECK(*d == part);
  }
  const std::string sig("NTLMSSP\0", 8);
  CHECK(base64Encode(toBytes(sig)).rfind("TlRMTVNTUA", 0) == 0);
}

TEST_CASE("base64 decoding is strict", "[base64]") {
  using namespace std::string_view_literals;
  const std::string_view bad[] = {
      "Zg"sv,            // missing padding
      "Zg="sv,           // short padding
      "Zm9v "sv,         // trailing space
      " Zm9v"sv,         // leading space
      "Zm 9v"sv,         // space inside
      "Zm 9"sv,          // space inside, length a multiple of 4
      "Zm9\t"sv,         // tab
      "Zm9v\r\n"sv,      // line break
      "Zm9vYg==Zm9v"sv,  // data after padding
      "Zg==="sv,         // too much padding (length)
      "Z==="sv,          // too much padding
      "===="sv,          // padding only
      "Zm=v"sv,          // padding in the middle
      "Zh=="sv,          // non-zero unused bits before "=="
      "Zm9="sv,          // non-zero unused bits before "="
      "Zm9v-_8="sv,      // URL-safe alphabet
      "Zm9v\0\0\0\0"sv,  // NUL octets
  };
  for (const std::string_view s : bad) {
    CAPTURE(s);
    auto d = base64Decode(s);
    REQUIRE_FALSE(d.ok());
    CHECK(d.error().category == ErrorCategory::Decoding);
    CHECK(d.error().code == "bad_base64");
  }
}

TEST_CASE("base64 decoding enforces the input size limit before decoding", "[base64]") {
  CHECK(base64Decode("Zm9vYmFy", 8).ok());
  auto d = base64Decode("Zm9vYmFy", 7);
  REQUIRE_FALSE(d.ok());
  CHECK(d.error().code == "input_too_large");
  // The limit applies even to text that would not decode.
  CHECK(base64Decode("!!!!!!!!", 4).error().code == "input_too_large");
}
