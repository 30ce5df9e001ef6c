#include "net/http_write.hpp"

#include <sys/socket.h>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/strand.hpp>
#include <catch2/catch.hpp>
#include <optional>
#include <sstream>
#include <string>

using namespace kerbpool;
namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

template <bool isRequest>
std::string serialized(const http::message<isRequest, http::string_body>& msg) {
  std::ostringstream os;
  os << msg;  // Beast's serializer
  return os.str();
}

template <bool isRequest>
std::string rendered(const http::message<isRequest, http::string_body>& msg) {
  std::string out;
  net::renderHead(msg.base(), out);
  return out + msg.body();
}

}  // namespace

TEST_CASE("http write: a rendered message has the serializer's octets", "[net]") {
  SECTION("a forwarded request with a body, a repeated field and an empty value") {
    http::request<http::string_body> req{http::verb::post, "/owa/auth.owa?x=1", 11};
    req.set(http::field::host, "pool.contoso.test");
    req.insert("X-Forwarded-For", "10.0.0.7");
    req.insert("X-Forwarded-For", "127.0.0.1");
    req.set("X-Empty", "");
    req.body() = "user=alice";
    req.prepare_payload();
    CHECK(rendered(req) == serialized(req));
  }
  SECTION("a method Beast does not know and HTTP/1.0") {
    http::request<http::string_body> req;
    req.method_string("BREW");
    req.target("/pot");
    req.version(10);
    CHECK(rendered(req) == serialized(req));
    CHECK(rendered(req) == "BREW /pot HTTP/1.0\r\n\r\n");
  }
  SECTION("responses with the standard reason, their own reason and an unknown status") {
    http::response<http::string_body> res{http::status::unauthorized, 11};
    res.insert(http::field::www_authenticate, "Negotiate");
    res.insert(http::field::www_authenticate, "NTLM");
    res.body() = "unauthorized\n";
    res.prepare_payload();
    CHECK(rendered(res) == serialized(res));
    CHECK(rendered(res).starts_with("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate\r\n"));
    res.reason("Who Are You");
    CHECK(rendered(res) == serialized(res));
    res.result(599);
    res.reason("");
    CHECK(rendered(res) == serialized(res));
  }
}

namespace {

// A connected pair on loopback with small buffers on both sides, so that a 16 KiB response does not fit.
struct SmallBufferPair {
  explicit SmallBufferPair(asio::io_context& ioc)
      : acceptor(ioc, {asio::ip::make_address("127.0.0.1"), 0}), reader(ioc) {
    const int small = 4096;
    reader.open(asio::ip::tcp::v4());
    REQUIRE(::setsockopt(reader.native_handle(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small) == 0);
    reader.connect(acceptor.local_endpoint());
    writer.emplace(acceptor.accept());
    REQUIRE(::setsockopt(writer->socket().native_handle(), SOL_SOCKET, SO_SNDBUF, &small, sizeof small) == 0);
  }
  asio::ip::tcp::acceptor acceptor;
  asio::ip::tcp::socket reader;
  std::optional<boost::beast::tcp_stream> writer;
};

http::response<http::string_body> largeResponse() {
  http::response<http::string_body> res{http::status::ok, 11};
  res.set(http::field::content_type, "text/plain");
  res.body().reserve(16 * 1024);
  for (int i = 0; res.body().size() < 16 * 1024 - 16; ++i) {
    res.body() += std::to_string(i) + "\n";
  }
  res.prepare_payload();
  return res;
}

}  // namespace

TEST_CASE("http write: what the socket does not take at once is written later, in order", "[net]") {
  asio::io_context ioc;
  SmallBufferPair pair(ioc);
  auto res = largeResponse();
  const std::string expected = serialized(res);

  http::response_serializer<http::string_body> sr(res);
  bool handled = false;
  bool handledAtOnce = false;
  boost::beast::error_code result = asio::error::fault;
  net::writeMessage(*pair.writer, sr, std::chrono::milliseconds(5000),
                    [&](boost::beast::error_code ec, std::size_t) {
                      handled = true;
                      result = ec;
                    });
  handledAtOnce = handled;

  std::string got(expected.size(), '\0');
  std::size_t received = 0;
  asio::async_read(pair.reader, asio::buffer(got),
                   [&](boost::system::error_code, std::size_t n) { received = n; });
  ioc.run();
  CHECK_FALSE(handledAtOnce);  // the socket could not take it all
  CHECK(handled);
  CHECK_FALSE(result);
  REQUIRE(received == expected.size());
  CHECK(got == expected);
}

// The write that completes later runs its handler on the handler's own executor (the balancer binds its
// session's strand to a node connection that another session opened), not on the stream's.
TEST_CASE("http write: a handler bound to a strand completes on that strand", "[net]") {
  asio::io_context ioc;
  SmallBufferPair pair(ioc);
  auto res = largeResponse();
  auto strand = asio::make_strand(ioc);
  http::response_serializer<http::string_body> sr(res);
  bool handled = false;
  bool onStrand = false;
  net::writeMessage(*pair.writer, sr, std::chrono::milliseconds(5000),
                    asio::bind_executor(strand, [&](boost::beast::error_code, std::size_t) {
                      handled = true;
                      onStrand = strand.running_in_this_thread();
                    }));
  REQUIRE_FALSE(handled);  // the socket could not take it all: the rest is written later
  std::string got(serialized(res).size(), '\0');
  asio::async_read(pair.reader, asio::buffer(got), [](boost::system::error_code, std::size_t) {});
  ioc.run();
  CHECK(handled);
  CHECK(onStrand);
}
