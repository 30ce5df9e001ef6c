#include <catch2/catch.hpp>

#include <string>

#include "core/common/base64.hpp"
#include "core/spnego/negotiate_header.hpp"
#include "tests/support/reference.hpp"

using namespace kerbpool::core;
using namespace kerbpool::core::spnego;
using kerbpool::test::hexBytes;

TEST_CASE("Negotiate and NTLM header values parse and format", "[spnego][header]") {
  SECTION("bare challenge") {
    auto h = parseAuthHeader("Negotiate");
    REQUIRE(h.ok());
    CHECK(h->scheme == AuthScheme::Negotiate);
    CHECK_FALSE(h->token.has_value());
    CHECK(formatAuthHeader(*h) == "Negotiate");
    CHECK(formatAuthHeader(AuthScheme::Ntlm) == "NTLM");
  }
  SECTION("token, scheme case-insensitive, surrounding blanks ignored") {
    const Bytes tok = hexBytes("a1143012a0030a0100a10b06092a864886f712010202");
    const std::string b64 = base64Encode(tok);
    for (const std::string& v :
         {"Negotiate " + b64, "negotiate " + b64, "NEGOTIATE   " + b64, " \tNegotiate " + b64 + " \t"}) {
      CAPTURE(v);
      auto h = parseAuthorization(v);
      REQUIRE(h.ok());
      CHECK(h->scheme == AuthScheme::Negotiate);
      CHECK(h->token == tok);
    }
    CHECK(formatAuthHeader(AuthScheme::Negotiate, BytesView(tok)) == "Negotiate " + b64);
    CHECK(formatAuthHeader(AuthHeader{AuthScheme::Negotiate, tok}) == "Negotiate " + b64);
  }
  SECTION("NTLM with a raw NTLMSSP message") {
    auto h = parseAuthorization("NTLM TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAGAbEdAAAADw==");
    REQUIRE(h.ok());
    CHECK(h->scheme == AuthScheme::Ntlm);
    REQUIRE(h->token.has_value());
    CHECK(toString(BytesView(*h->token).first(8)) == std::string("NTLMSSP\0", 8));
    CHECK(parseAuthHeader("ntlm").ok());
  }
  SECTION("the size limit is inclusive") {
    const Bytes tok(300, 0x42);
    const std::string v = formatAuthHeader(AuthScheme::Negotiate, BytesView(tok));
    CHECK(parseAuthorization(v, 300).ok());
    CHECK(parseAuthorization(v, 299).error().code == "token_too_large");
    // 299 octets still need 400 characters: the check after decoding catches it.
    CHECK(parseAuthorization(v, 298).error().code == "token_too_large");
  }
}

TEST_CASE("Negotiate header values fail with typed errors", "[spnego][header][negative]") {
  const auto code = [](std::string_view v) {
    auto h = parseAuthorization(v);
    REQUIRE_FALSE(h.ok());
    CHECK(h.error().category == ErrorCategory::Decoding);
    return h.error().code;
  };
  CHECK(code("") == "bad_scheme");
  CHECK(code("   ") == "bad_scheme");
  CHECK(code("Basic dXNlcjpwYXNz") == "bad_scheme");
  CHECK(code("Kerberos YIIC") == "bad_scheme");
  CHECK(code("Negotiate,NTLM") == "bad_scheme");
  CHECK(code("Negotiate\tYIIC") == "bad_scheme");  // the separator must be SP
  CHECK(code("Negotiatex YIIC") == "bad_scheme");
  CHECK(code("Negotiate") == "empty_token");
  CHECK(code("Negotiate   ") == "empty_token");
  CHECK(code("NTLM") == "empty_token");
  CHECK(code("Negotiate YII") == "bad_base64");
  CHECK(code("Negotiate YIIC YIIC") == "bad_base64");
  CHECK(code("Negotiate \"YIICYIIC\"") == "bad_base64");
  CHECK(code("Negotiate realm=\"x\"") == "bad_base64");
  CHECK(code("Negotiate YIIC\r\nX-Injected: 1") == "bad_base64");
  CHECK(code("Negotiate YI-_") == "bad_base64");
  CHECK(code("Negotiate Zh==") == "bad_base64");
  // Oversized header: refused by length, before any decoding.
  const std::string huge = "Negotiate " + std::string(base64EncodedSize(kDefaultMaxTokenBytes) + 4, 'A');
  CHECK(code(huge) == "token_too_large");
  const std::string hugeGarbage = "Negotiate " + std::string(200000, '!');
  CHECK(code(hugeGarbage) == "token_too_large");
  // Exactly at the default limit is fine.
  const std::string atLimit = formatAuthHeader(AuthScheme::Negotiate, Bytes(kDefaultMaxTokenBytes, 0x60));
  CHECK(parseAuthorization(atLimit).ok());
  // The scheme in a detail is truncated and printable, the token never appears.
  auto e = parseAuthorization(std::string(100, 'Z') + "\x01 secret");
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().detail.find("secret") == std::string::npos);
  CHECK(e.error().detail.size() < 100);
}
