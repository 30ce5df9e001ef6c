#include "net/response_rules.hpp"

#include <catch2/catch.hpp>

#include "net/connection_registry.hpp"

using namespace kerbpool;
using net::HttpResponse;

TEST_CASE("response rules: server-owned fields are dropped and Server is added", "[frontend]") {
  HttpResponse in{401, {}, "no\n", false};
  in.add("WWW-Authenticate", "Negotiate").add("WWW-Authenticate", "NTLM");
  in.add("content-length", "999").add("Transfer-Encoding", "chunked").add("CONNECTION", "keep-alive");
  auto out = net::finalizeResponse(in, "kerbpool-frontend/fe01");
  REQUIRE(out.ok());
  CHECK(out->headers == net::HeaderList{{"WWW-Authenticate", "Negotiate"},
                                             {"WWW-Authenticate", "NTLM"},
                                             {"Server", "kerbpool-frontend/fe01"}});
  CHECK(out->body == "no\n");

  HttpResponse own{200, {{"server", "custom"}}, "", false};
  auto kept = net::finalizeResponse(own, "kerbpool-frontend/fe01");
  REQUIRE(kept.ok());
  CHECK(kept->headers == net::HeaderList{{"server", "custom"}});
  CHECK(net::finalizeResponse(HttpResponse{}, "")->headers.empty());
}

TEST_CASE("response rules: 204 and 304 carry no body", "[frontend]") {
  for (unsigned status : {204u, 304u}) {
    auto out = net::finalizeResponse(HttpResponse{status, {}, "body", false}, "");
    REQUIRE(out.ok());
    CHECK(out->body.empty());
  }
}

TEST_CASE("response rules: bad statuses and header injection are refused", "[frontend]") {
  for (unsigned status : {0u, 100u, 199u, 600u, 1000u}) {
    auto out = net::finalizeResponse(HttpResponse{status, {}, "", false}, "");
    REQUIRE_FALSE(out.ok());
    CHECK(out.error().code == "bad_response_status");
  }
  for (const auto& [name, value] : net::HeaderList{{"X-A", "v\r\nSet-Cookie: evil"},
                                                        {"X-B", std::string("v\0w", 3)},
                                                        {"X-C", "v\n"},
                                                        {"", "v"},
                                                        {"Bad Name", "v"},
                                                        {"X:D", "v"}}) {
    auto out = net::finalizeResponse(HttpResponse{200, {{name, value}}, "", false}, "");
    REQUIRE_FALSE(out.ok());
    CHECK(out.error().code == "bad_response_header");
  }
}

TEST_CASE("http message: header lookup ignores case and keeps repeats", "[frontend]") {
  net::HttpRequest r;
  r.headers = {{"Host", "pool"}, {"authorization", "Negotiate a"}, {"Authorization", "NTLM b"}};
  CHECK(r.header("AUTHORIZATION") == "Negotiate a");
  CHECK(r.header("host") == "pool");
  CHECK_FALSE(r.header("Hos").has_value());
  CHECK(r.headerValues("Authorization") == std::vector<std::string_view>{"Negotiate a", "NTLM b"});
  CHECK(r.headerValues("X").empty());
}

namespace {

class CountingClosable : public net::Closable {
 public:
  void forceClose() override { closes++; }
  int closes = 0;
};

}  // namespace

TEST_CASE("connection registry: closeAll closes live connections and refuses new ones", "[frontend]") {
  net::ConnectionRegistry reg;
  auto a = std::make_shared<CountingClosable>();
  auto b = std::make_shared<CountingClosable>();
  REQUIRE(reg.add(1, a));
  REQUIRE(reg.add(2, b));
  {
    auto gone = std::make_shared<CountingClosable>();
    REQUIRE(reg.add(3, gone));
  }  // expired: skipped, not a crash
  reg.remove(2);
  reg.closeAll();
  CHECK(a->closes == 1);
  CHECK(b->closes == 0);
  CHECK_FALSE(reg.add(4, std::make_shared<CountingClosable>()));
  CHECK(reg.size() == 2);
}
