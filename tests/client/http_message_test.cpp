// The request text the workstation sends, and header lookup in a response: no sockets.
#include "client/http_message.hpp"

#include <catch2/catch.hpp>

using namespace kerbpool;
using client::formatRequest;
using client::HttpClientRequest;

TEST_CASE("http message: the request text", "[client][http]") {
  HttpClientRequest get;
  get.target = "/app?x=1";
  get.headers = {{"User-Agent", "kerbpool-workstation"}, {"Authorization", "Negotiate YIIB"}};
  CHECK(formatRequest(get, "pool.contoso.test:8080", true).value() ==
        "GET /app?x=1 HTTP/1.1\r\nHost: pool.contoso.test:8080\r\nUser-Agent: kerbpool-workstation\r\n"
        "Authorization: Negotiate YIIB\r\n\r\n");
  CHECK(formatRequest(HttpClientRequest{}, "pool.contoso.test", false).value() ==
        "GET / HTTP/1.1\r\nHost: pool.contoso.test\r\nConnection: close\r\n\r\n");
  HttpClientRequest post;
  post.method = "POST";
  CHECK(formatRequest(post, "h", true).value() == "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
  post.body = "a=b";
  CHECK(formatRequest(post, "h", true).value() ==
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\na=b");
}

TEST_CASE("http message: requests that would break the wire are refused", "[client][http]") {
  auto refused = [](HttpClientRequest r) {
    auto text = formatRequest(r, "h", true);
    REQUIRE_FALSE(text.ok());
    CHECK(text.error().code == "bad_request");
    CHECK(text.error().category == core::ErrorCategory::Encoding);
  };
  HttpClientRequest r;
  r.method = "";
  refused(r);
  r.method = "G(T";
  refused(r);
  r = {};
  r.target = "";
  refused(r);
  r.target = "/a\tb";
  refused(r);
  for (const char* owned : {"host", "Content-Length", "CONNECTION", "transfer-encoding"}) {
    INFO(owned);
    r = {};
    r.headers = {{owned, "x"}};
    refused(r);
  }
  r = {};
  r.headers = {{"X-A", std::string("a\0b", 3)}};
  refused(r);
  r.headers = {{"X A", "b"}};
  refused(r);
  r.headers = {{"X-A", "a\nb"}};
  refused(r);
}

TEST_CASE("http message: header lookup ignores case and keeps repeats", "[client][http]") {
  client::HttpClientResponse r;
  r.headers = {{"WWW-Authenticate", "Negotiate"}, {"x-kerbpool-node", "fe02"}, {"www-authenticate", "NTLM"}};
  CHECK(r.header("X-Kerbpool-Node") == "fe02");
  CHECK(r.header("WWW-AUTHENTICATE") == "Negotiate");
  CHECK(r.headerValues("www-authenticate") == std::vector<std::string_view>{"Negotiate", "NTLM"});
  CHECK_FALSE(r.header("Server"));
}
