#include "loadbalancer/proxy_rules.hpp"

#include <algorithm>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "loadbalancer/forwarding_rules.hpp"
#include "loadbalancer/http_relay.hpp"

using namespace kerbpool;
using loadbalancer::ProxyResponse;
namespace http = boost::beast::http;

namespace {

// The serialized answer with its header lines sorted (prepare_payload re-adds Content-Length at the end: the
// order of fields carries no meaning).
template <class Message>
std::string wire(const Message& msg) {
  std::ostringstream os;
  os << msg;
  const std::string text = os.str();
  const auto headEnd = text.find("\r\n\r\n");
  std::istringstream head(text.substr(0, headEnd));
  std::string startLine, line;
  std::getline(head, startLine);
  std::vector<std::string> fields;
  while (std::getline(head, line)) {
    if (line.ends_with('\r')) {
      line.pop_back();
    }
    fields.push_back(line);
  }
  std::sort(fields.begin(), fields.end());
  std::string out = startLine + "\n";
  for (const auto& f : fields) {
    out += f + "\n";
  }
  return out + "\n" + text.substr(headEnd + 4);
}

ProxyResponse answer(unsigned status, std::string body) {
  ProxyResponse res;
  res.version(11);
  res.result(status);
  res.set(http::field::content_type, "text/plain");
  res.body() = std::move(body);
  return res;
}

}  // namespace

// frameForClient leaves a node's answer alone when it already has the framing prepare_payload would give it;
// whatever path it takes, the client gets the start line, fields and body prepare_payload would have produced.
TEST_CASE("proxy rules: an answer is framed for the client as prepare_payload frames it", "[loadbalancer]") {
  auto lengthOk = answer(200, "ok");
  lengthOk.set(http::field::content_length, "2");
  auto leadingZeros = answer(200, "seven..");
  leadingZeros.set(http::field::content_length, "007");
  auto wrongLength = answer(401, "unauthorized\n");
  wrongLength.set(http::field::content_length, "3");
  auto chunked = answer(200, "decoded body");
  chunked.set(http::field::transfer_encoding, "chunked");
  auto noLength = answer(200, "no length");
  auto noContent = answer(204, "");
  for (const auto& [name, shape] : {std::pair{"Content-Length right", lengthOk},
                                    std::pair{"Content-Length with leading zeros", leadingZeros},
                                    std::pair{"Content-Length wrong", wrongLength},
                                    std::pair{"chunked", chunked}, std::pair{"no Content-Length", noLength},
                                    std::pair{"204", noContent}}) {
    for (const auto& [version, keepAlive] : {std::pair{11u, true}, std::pair{11u, false}, std::pair{10u, true}}) {
      INFO(name << " to HTTP/" << version / 10 << "." << version % 10 << (keepAlive ? " keep-alive" : " close"));
      ProxyResponse framed = shape;
      CHECK(loadbalancer::frameForClient(framed, version, keepAlive, false) == keepAlive);
      ProxyResponse reference = shape;
      reference.version(version);
      reference.keep_alive(keepAlive);
      reference.prepare_payload();
      CHECK(wire(framed) == wire(reference));
    }
  }
  CHECK(wire(lengthOk).find("\nContent-Length: 2\n") != std::string::npos);
}

namespace {

using loadbalancer::ProxyRequest;

ProxyRequest request(http::verb method, unsigned version, std::string body) {
  ProxyRequest req{method, "/owa/", version};
  req.set(http::field::host, "pool.contoso.test");
  req.body() = std::move(body);
  return req;
}

}  // namespace

// rewriteForNode finds what it changes in one walk over the fields and skips prepare_payload when the framing
// is already right; the node gets what Beast's lookups and prepare_payload would have made of the request.
TEST_CASE("proxy rules: a request is rewritten for the node as Beast's lookups and prepare_payload would",
          "[loadbalancer]") {
  auto plainGet = request(http::verb::get, 11, "");
  auto forwarded = request(http::verb::get, 11, "");
  forwarded.insert("x-forwarded-for", "10.0.0.1");
  forwarded.insert("X-Forwarded-For", "10.0.0.2, 10.0.0.3");
  forwarded.insert("X-Forwarded-Proto", "https");
  auto post = request(http::verb::post, 11, "user=alice");
  post.set(http::field::content_length, "10");
  auto postZeros = request(http::verb::post, 11, "user=alice");
  postZeros.set(http::field::content_length, "0010");
  auto getLengthZero = request(http::verb::get, 11, "");
  getLengthZero.set(http::field::content_length, "0");
  auto emptyPut = request(http::verb::put, 11, "");
  auto old = request(http::verb::get, 10, "");
  old.set(http::field::connection, "keep-alive, X-Private");
  old.set("X-Private", "hop");
  old.set(http::field::expect, "100-continue");
  auto options = request(http::verb::options, 11, "");
  auto trace = request(http::verb::trace, 11, "");
  for (const auto& [name, shape] :
       {std::pair{"GET", plainGet}, std::pair{"GET with forwarding fields", forwarded},
        std::pair{"POST", post}, std::pair{"POST with leading zeros", postZeros},
        std::pair{"GET with Content-Length 0", getLengthZero}, std::pair{"empty PUT", emptyPut},
        std::pair{"HTTP/1.0 with Connection tokens and Expect", old}, std::pair{"OPTIONS", options},
        std::pair{"TRACE", trace}}) {
    for (const bool tls : {false, true}) {
      INFO(name << (tls ? " over TLS" : ""));
      ProxyRequest rewritten = shape;
      loadbalancer::ClientRequestFacts facts;
      CHECK(loadbalancer::rewriteForNode(rewritten, "192.0.2.7", tls, facts));
      ProxyRequest reference = shape;
      loadbalancer::dropHopByHop(reference);
      reference.erase(http::field::expect);
      std::string earlier;
      const auto [begin, end] = reference.equal_range("X-Forwarded-For");
      for (auto it = begin; it != end; ++it) {
        earlier += (earlier.empty() ? "" : ", ") + std::string(it->value());
      }
      reference.set(
          "X-Forwarded-For",
          loadbalancer::appendForwardedFor(
              earlier.empty() ? std::nullopt : std::optional<std::string_view>(earlier), "192.0.2.7"));
      reference.set("X-Forwarded-Proto", tls ? "https" : "http");
      reference.version(11);
      reference.keep_alive(true);
      reference.prepare_payload();
      CHECK(wire(rewritten) == wire(reference));
    }
  }
  ProxyRequest chained = forwarded;
  loadbalancer::ClientRequestFacts facts;
  REQUIRE(loadbalancer::rewriteForNode(chained, "192.0.2.7", false, facts));
  CHECK(chained["X-Forwarded-For"] == "10.0.0.1, 10.0.0.2, 10.0.0.3, 192.0.2.7");
  CHECK(chained["X-Forwarded-Proto"] == "http");
}
