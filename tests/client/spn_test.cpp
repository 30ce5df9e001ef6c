// URL parsing and the SPN a browser derives: CNAME canonicalization (the wrong-SPN trap) and the port option.
#include "client/spn.hpp"

#include <catch2/catch.hpp>

using namespace kerbpool;
using client::SpnOptions;
using client::Url;
using client::UrlScheme;

namespace {

Url url(std::string_view text) {
  auto u = client::parseUrl(text);
  INFO(std::string(text) + ": " + (u.ok() ? std::string() : u.error().message()));
  REQUIRE(u.ok());
  return *u;
}

void addContoso(client::DnsZone& zone) {
  REQUIRE(zone.addA("lb01.contoso.test", "127.0.0.1").ok());
  REQUIRE(zone.addA("fe01.contoso.test", "127.0.0.2").ok());
  REQUIRE(zone.addCname("pool.contoso.test", "lb01.contoso.test").ok());
  REQUIRE(zone.addCname("web.contoso.test", "pool.contoso.test").ok());
}

std::string spnOf(const client::DnsZone& zone, std::string_view text, SpnOptions options = {}) {
  auto d = client::deriveSpn(url(text), zone, options);
  REQUIRE(d.ok());
  return d->spn;
}

}  // namespace

TEST_CASE("url: scheme host port and target", "[client][spn]") {
  struct Row {
    const char* text;
    UrlScheme scheme;
    const char* host;
    std::uint16_t port;
    bool portExplicit;
    const char* target;
    const char* hostHeader;
  };
  const Row rows[] = {
      {"http://pool.contoso.test", UrlScheme::Http, "pool.contoso.test", 80, false, "/", "pool.contoso.test"},
      {"HTTPS://Pool.Contoso.Test/", UrlScheme::Https, "pool.contoso.test", 443, false, "/",
       "pool.contoso.test"},
      {"http://pool.contoso.test:8080/a/b?x=1#frag", UrlScheme::Http, "pool.contoso.test", 8080, true,
       "/a/b?x=1", "pool.contoso.test:8080"},
      {"https://pool.contoso.test:443/x", UrlScheme::Https, "pool.contoso.test", 443, true, "/x",
       "pool.contoso.test"},
      {"http://pool.contoso.test?q", UrlScheme::Http, "pool.contoso.test", 80, false, "/?q",
       "pool.contoso.test"},
      {"http://127.0.0.1:1234/", UrlScheme::Http, "127.0.0.1", 1234, true, "/", "127.0.0.1:1234"},
      {"http://[::1]:8080/p", UrlScheme::Http, "::1", 8080, true, "/p", "[::1]:8080"},
      {"http://[::1]", UrlScheme::Http, "::1", 80, false, "/", "[::1]"},
  };
  for (const auto& row : rows) {
    INFO(row.text);
    Url u = url(row.text);
    CHECK(u.scheme == row.scheme);
    CHECK(u.host == row.host);
    CHECK(u.port == row.port);
    CHECK(u.portExplicit == row.portExplicit);
    CHECK(u.target == row.target);
    CHECK(u.hostHeader() == row.hostHeader);
  }
  CHECK(url("http://pool.contoso.test:8080/a").text() == "http://pool.contoso.test:8080/a");
}

TEST_CASE("url: malformed URLs are typed errors", "[client][spn]") {
  struct Row {
    const char* text;
    const char* code;
  };
  const Row rows[] = {
      {"", "empty_url"},
      {"pool.contoso.test/", "bad_scheme"},
      {"ftp://pool.contoso.test/", "bad_scheme"},
      {"://pool.contoso.test/", "bad_scheme"},
      {"http://", "missing_host"},
      {"http:///path", "missing_host"},
      {"http://:80/", "missing_host"},
      {"http://alice:pw@pool.contoso.test/", "userinfo_not_supported"},
      {"http://pool..contoso.test/", "bad_host"},
      {"http://pool_contoso!/", "bad_host"},
      {"http://[::1/", "bad_host"},
      {"http://[127.0.0.1]/", "bad_host"},
      {"http://[::1]x/", "bad_host"},
      {"http://pool.contoso.test:/", "bad_port"},
      {"http://pool.contoso.test:0/", "bad_port"},
      {"http://pool.contoso.test:65536/", "bad_port"},
      {"http://pool.contoso.test:8o/", "bad_port"},
      {"http://pool.contoso.test:-1/", "bad_port"},
      {"http://pool.contoso.test:000080/", "bad_port"},
      {"http://pool.contoso.test/a b", "bad_target"},
      {"http://pool.contoso.test/\x01", "bad_target"},
      {"http://pool.contoso.test/\xc3\xa9", "bad_target"},
  };
  for (const auto& row : rows) {
    INFO(row.text);
    auto u = client::parseUrl(row.text);
    REQUIRE_FALSE(u.ok());
    CHECK(u.error().code == row.code);
    CHECK(u.error().category == core::ErrorCategory::Decoding);
  }
}

TEST_CASE("spn: a CNAME to the load balancer gives the wrong SPN", "[client][spn]") {
  client::DnsZone zone;
  addContoso(zone);
  auto d = client::deriveSpn(url("http://pool.contoso.test/"), zone);
  REQUIRE(d.ok());
  CHECK(d->spn == "HTTP/lb01.contoso.test");  // what Windows asks for: nobody holds it
  CHECK(d->canonicalized);
  CHECK(d->urlHost == "pool.contoso.test");
  CHECK(d->spnHost == "lb01.contoso.test");
  CHECK(d->dns.address == "127.0.0.1");
  CHECK(spnOf(zone, "http://web.contoso.test/") == "HTTP/lb01.contoso.test");

  // Without canonicalization the URL's name is used.
  SpnOptions asTyped;
  asTyped.canonicalizeCname = false;
  auto typed = client::deriveSpn(url("http://pool.contoso.test/"), zone, asTyped);
  REQUIRE(typed.ok());
  CHECK(typed->spn == "HTTP/pool.contoso.test");
  CHECK_FALSE(typed->canonicalized);
  CHECK(typed->dns.address == "127.0.0.1");
}

TEST_CASE("spn: an A record for the pool name gives the right SPN", "[client][spn]") {
  client::DnsZone zone;
  addContoso(zone);
  REQUIRE(zone.addA("pool.contoso.test", "127.0.0.1").ok());
  CHECK(spnOf(zone, "http://POOL.contoso.test/") == "HTTP/pool.contoso.test");
  CHECK(spnOf(zone, "https://pool.contoso.test/") == "HTTP/pool.contoso.test");
  CHECK(spnOf(zone, "http://fe01.contoso.test/x") == "HTTP/fe01.contoso.test");
}

TEST_CASE("spn: the port option adds non-default ports only", "[client][spn]") {
  client::DnsZone zone;
  addContoso(zone);
  REQUIRE(zone.addA("pool.contoso.test", "127.0.0.1").ok());
  SpnOptions port;
  port.includePort = true;
  CHECK(spnOf(zone, "http://pool.contoso.test:8080/") == "HTTP/pool.contoso.test");  // option off by default
  CHECK(spnOf(zone, "http://pool.contoso.test:8080/", port) == "HTTP/pool.contoso.test:8080");
  CHECK(spnOf(zone, "http://pool.contoso.test/", port) == "HTTP/pool.contoso.test");
  CHECK(spnOf(zone, "https://pool.contoso.test:443/", port) == "HTTP/pool.contoso.test");
  CHECK(spnOf(zone, "https://pool.contoso.test:80/", port) == "HTTP/pool.contoso.test:80");
  // Both options together: the canonical name with the URL's port.
  CHECK(spnOf(zone, "http://web.contoso.test:8443/", port) == "HTTP/pool.contoso.test:8443");

  auto unknown = client::deriveSpn(url("http://nowhere.contoso.test/"), zone);
  CHECK(unknown.error().code == "nxdomain");
}

TEST_CASE("spn: a browser that takes the resolved address asks for HTTP/<address>", "[client][spn]") {
  client::DnsZone zone;
  addContoso(zone);
  SpnOptions address;
  address.useAddress = true;
  CHECK(spnOf(zone, "http://pool.contoso.test/", address) == "HTTP/127.0.0.1");
  CHECK(spnOf(zone, "http://fe01.contoso.test/", address) == "HTTP/127.0.0.2");
  address.includePort = true;
  CHECK(spnOf(zone, "http://pool.contoso.test:8080/", address) == "HTTP/127.0.0.1:8080");
}
