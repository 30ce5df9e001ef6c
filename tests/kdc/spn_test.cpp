#include <catch2/catch.hpp>

#include "kdc/spn.hpp"

using namespace kerbpool::kdc;

TEST_CASE("parseSpn: well-formed values keep their case and split into Kerberos components", "[kdc][spn]") {
  struct Row {
    const char* text;
    std::vector<std::string> components;
  };
  std::vector<Row> rows{
      {"HTTP/pool.contoso.test", {"HTTP", "pool.contoso.test"}},
      {"HOST/FE01", {"HOST", "FE01"}},
      {"MSSQLSvc/sql01.contoso.test:1433", {"MSSQLSvc", "sql01.contoso.test:1433"}},
      {"ldap/dc01.contoso.test/contoso.test", {"ldap", "dc01.contoso.test", "contoso.test"}},
  };
  for (const auto& row : rows) {
    INFO(row.text);
    auto spn = parseSpn(row.text);
    REQUIRE(spn.ok());
    CHECK(spn->components() == row.components);
    CHECK(spn->toString() == row.text);
  }
  auto withPort = parseSpn("MSSQLSvc/sql01.contoso.test:1433");
  REQUIRE(withPort.ok());
  CHECK(withPort->host == "sql01.contoso.test");
  CHECK(withPort->port == 1433);
}

TEST_CASE("parseSpn: malformed values are typed errors", "[kdc][spn]") {
  for (const char* bad :
       {"", "HTTP", "/pool", "HTTP/", "HTTP/:80", "HTTP/pool:0", "HTTP/pool:65536", "HTTP/pool:8x",
        "HTTP/pool:", "HTTP/pool contoso", "HTTP/pool@CONTOSO.TEST", "a/b/c/d", "ldap/dc01/"}) {
    INFO(bad);
    auto spn = parseSpn(bad);
    REQUIRE_FALSE(spn.ok());
    CHECK(spn.error().code == "bad_spn");
  }
}

TEST_CASE("spnMatchKey folds case only", "[kdc][spn]") {
  CHECK(spnMatchKey("HTTP/Pool.Contoso.TEST") == spnMatchKey("http/pool.contoso.test"));
  CHECK(spnMatchKey("HTTP/pool1") != spnMatchKey("HTTP/pool"));
}

TEST_CASE("sPNMappings: AD's default maps the listed classes, and only them, to host", "[kdc][spn]") {
  auto m = SpnMappings::activeDirectoryDefault();
  CHECK(m.size() == 53);
  for (const char* alias : {"http", "HTTP", "www", "w3svc", "cifs", "rpcss", "msdtc", "alerter", "time"}) {
    INFO(alias);
    CHECK(m.targetOf(alias) == std::optional<std::string>("host"));
  }
  for (const char* other : {"host", "ldap", "MSSQLSvc", "sip", "https", "krbtgt"}) {
    INFO(other);
    CHECK_FALSE(m.targetOf(other).has_value());
  }
  m.removeAlias("HTTP");
  CHECK_FALSE(m.targetOf("http").has_value());
}

TEST_CASE("sPNMappings: attribute values parse, malformed ones are refused", "[kdc][spn]") {
  SpnMappings m;
  CHECK_FALSE(m.targetOf("http").has_value());
  REQUIRE(m.addMappingValue("host=http,www").ok());
  CHECK(m.targetOf("WWW") == std::optional<std::string>("host"));
  for (const char* bad : {"", "host", "=http", "host=", "host=http,,www", "host=a b", "host=x/y"}) {
    INFO(bad);
    auto s = m.addMappingValue(bad);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == "bad_spn_mapping");
  }
}
