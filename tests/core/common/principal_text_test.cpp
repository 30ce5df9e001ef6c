#include "core/common/principal_text.hpp"

#include <catch2/catch.hpp>

using kerbpool::core::PrincipalParseOptions;
using kerbpool::core::PrincipalText;

TEST_CASE("principal text: MIT forms parse into components and realm", "[principal_text]") {
  struct Case {
    std::string text;
    std::vector<std::string> components;
    std::string realm;
  };
  const std::vector<Case> cases = {
      {"HTTP/pool.contoso.test@CONTOSO.TEST", {"HTTP", "pool.contoso.test"}, "CONTOSO.TEST"},
      {"alice@CONTOSO.TEST", {"alice"}, "CONTOSO.TEST"},
      {"alice", {"alice"}, "DEFAULT.TEST"},
      {"host/fe01.contoso.test", {"host", "fe01.contoso.test"}, "DEFAULT.TEST"},
      {"a\\/b@R", {"a/b"}, "R"},
      {"a\\@b@R", {"a@b"}, "R"},
      {"a\\\\b@R", {"a\\b"}, "R"},
      {"a\\n\\t\\b\\0x@R", {std::string("a\n\t\b\0x", 6)}, "R"},
      {"a\\qb@R", {"aqb"}, "R"},
      {"a//b@R", {"a", "", "b"}, "R"},
      {"alice@", {"alice"}, ""},
      {"a@R\\/S\\@T", {"a"}, "R/S@T"},
      {"krbtgt/CONTOSO.TEST@CONTOSO.TEST", {"krbtgt", "CONTOSO.TEST"}, "CONTOSO.TEST"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto p = PrincipalText::parse(c.text, "DEFAULT.TEST");
    REQUIRE(p.ok());
    CHECK(p->components == c.components);
    CHECK(p->realm == c.realm);
    // Formatting escapes what needs it, so parsing the output gives the same principal back.
    auto again = PrincipalText::parse(p->format());
    REQUIRE(again.ok());
    CHECK(*again == *p);
  }
}

TEST_CASE("principal text: format escapes like krb5_unparse_name", "[principal_text]") {
  CHECK(PrincipalText{{"HTTP", "pool.contoso.test"}, "CONTOSO.TEST"}.format() ==
        "HTTP/pool.contoso.test@CONTOSO.TEST");
  CHECK(PrincipalText{{"a/b", "c@d", "e\\f"}, "R@S/T"}.format() == "a\\/b/c\\@d/e\\\\f@R\\@S\\/T");
  CHECK(PrincipalText{{std::string("x\n\t\b\0", 5)}, "R"}.format() == "x\\n\\t\\b\\0@R");
  CHECK(PrincipalText{{"HTTP", "www"}, "R"}.formatWithoutRealm() == "HTTP/www");
  CHECK(kerbpool::core::formatPrincipal({"alice"}, "R") == "alice@R");
}

TEST_CASE("principal text: enterprise names keep the first '@' in the name", "[principal_text]") {
  PrincipalParseOptions opts;
  opts.enterprise = true;
  opts.defaultRealm = "CONTOSO.TEST";
  auto two = PrincipalText::parse("alice@contoso.test@CONTOSO.TEST", opts);
  REQUIRE(two.ok());
  CHECK(two->components == std::vector<std::string>{"alice@contoso.test"});
  CHECK(two->realm == "CONTOSO.TEST");
  auto one = PrincipalText::parse("alice/x@contoso.test", opts);
  REQUIRE(one.ok());
  CHECK(one->components == std::vector<std::string>{"alice/x@contoso.test"});
  CHECK(one->realm == "CONTOSO.TEST");
  auto three = PrincipalText::parse("a@b@C@D", opts);
  REQUIRE_FALSE(three.ok());
  CHECK(three.error().code == "two_realm_separators");
}

TEST_CASE("principal text: malformed names are typed errors", "[principal_text]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "empty_principal"},
      {"alice\\", "trailing_backslash"},
      {"alice@R\\", "trailing_backslash"},
      {"alice@R/S", "realm_has_slash"},
      {"alice@R@S", "two_realm_separators"},
      {"alice", "missing_realm"},
  };
  for (const auto& [text, code] : cases) {
    INFO(text);
    auto p = PrincipalText::parse(text);
    REQUIRE_FALSE(p.ok());
    CHECK(p.error().code == code);
    CHECK(p.error().category == kerbpool::core::ErrorCategory::Decoding);
  }
}
