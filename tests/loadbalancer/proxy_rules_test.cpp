#include "loadbalancer/proxy_rules.hpp"

#include <algorithm>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

using namespace kerbpool;
using loadbalancer::ProxyResponse;
namespace http = boost::beast::http;

namespace {

// The serialized answer with its header lines sorted (prepare_payload re-adds Content-Length at the end: the
// order of fields carries no meaning).
std::string wire(const ProxyResponse& res) {
  std::ostringstream os;
  os << res;
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
