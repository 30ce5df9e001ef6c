#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "kdc/kdc_server.hpp"
#include "tests/support/flood.hpp"
#include "tests/support/socket_client.hpp"

using namespace kerbpool;
using core::Bytes;

namespace {

// Echoes requests back behind a one-octet marker of the transport; drops requests starting with 0x00.
class EchoDispatcher : public kdc::KdcDispatcher {
 public:
  std::optional<Bytes> dispatch(core::BytesView request, const kdc::RequestContext& ctx) override {
    calls++;
    {
      std::lock_guard lock(peerMutex);
      lastPeer = ctx.peer;
    }
    if (!request.empty() && request[0] == 0x00) {
      return std::nullopt;
    }
    Bytes out{static_cast<std::uint8_t>(ctx.transport == kdc::Transport::Udp ? 'U' : 'T')};
    core::append(out, request);
    return out;
  }
  Bytes fieldTooLong() override { return core::toBytes("TOOLONG"); }
  std::string peer() {
    std::lock_guard lock(peerMutex);
    return lastPeer;
  }
  std::atomic<int> calls{0};
  std::mutex peerMutex;
  std::string lastPeer;
};

// "127.0.0.1:<port>" with a port in 1..65535 and nothing else.
bool isLoopbackPeer(const std::string& peer) {
  const std::string prefix = "127.0.0.1:";
  if (peer.rfind(prefix, 0) != 0 || peer.size() == prefix.size() || peer.size() > prefix.size() + 5) {
    return false;
  }
  const std::string port = peer.substr(prefix.size());
  return port.find_first_not_of("0123456789") == std::string::npos && port[0] != '0' &&
         std::stoul(port) <= 65535;
}

// "gate" is held until the test opens it; "a" is held until "b" has been answered (by another thread).
class GatedDispatcher : public kdc::KdcDispatcher {
 public:
  std::optional<Bytes> dispatch(core::BytesView request, const kdc::RequestContext&) override {
    const std::string what = core::toString(request);
    std::unique_lock lock(mutex);
    if (what == "gate") {
      gateEntered = true;
      changed.notify_all();
      changed.wait_for(lock, std::chrono::seconds(10), [this] { return gateOpen; });
    } else if (what == "a") {
      aSawB = changed.wait_for(lock, std::chrono::seconds(10), [this] { return bAnswered; });
    } else if (what == "b") {
      bAnswered = true;
      changed.notify_all();
    }
    return Bytes(request.begin(), request.end());
  }
  Bytes fieldTooLong() override { return core::toBytes("TOOLONG"); }

  std::mutex mutex;
  std::condition_variable changed;
  bool gateEntered = false;
  bool gateOpen = false;
  bool bAnswered = false;
  bool aSawB = false;
};

}  // namespace

TEST_CASE("kdc server: datagrams queued behind a busy receiver are answered by a helper thread",
          "[kdc][integration]") {
  GatedDispatcher d;
  kdc::KdcServerConfig config;
  config.threads = 2;  // the receiver and one helper
  auto server = kdc::KdcServer::start(config, d);
  REQUIRE(server.ok());
  // On a busy machine the helper thread may not have run yet; it must be waiting before the backlog forms.
  REQUIRE((*server)->waitForStats([](const kdc::KdcServerStats& s) { return s.udpIdleHelpers == 1; },
                                  std::chrono::seconds(15)));
  test::UdpClient client((*server)->port());
  REQUIRE(client.send(core::asBytes("gate")));
  {
    std::unique_lock lock(d.mutex);
    REQUIRE(d.changed.wait_for(lock, std::chrono::seconds(10), [&] { return d.gateEntered; }));
  }
  // The receiver is held inside "gate": these two queue up on the socket behind it.
  REQUIRE(client.send(core::asBytes("a")));
  REQUIRE(client.send(core::asBytes("b")));
  {
    std::lock_guard lock(d.mutex);
    d.gateOpen = true;
  }
  d.changed.notify_all();
  // The receiver takes "a", sees "b" queued and calls the helper in, which answers "b" while "a" waits.
  std::vector<std::string> answers;
  for (int i = 0; i < 3; ++i) {
    auto reply = client.receive(std::chrono::seconds(15));
    REQUIRE(reply.has_value());
    answers.push_back(core::toString(*reply));
  }
  std::sort(answers.begin(), answers.end());
  CHECK(answers == std::vector<std::string>{"a", "b", "gate"});
  std::lock_guard lock(d.mutex);
  CHECK(d.aSawB);
  CHECK((*server)->stats().udpHelperCalls >= 1);
}

TEST_CASE("kdc server: one port serves UDP and TCP", "[kdc][integration]") {
  EchoDispatcher d;
  auto server = kdc::KdcServer::start(kdc::KdcServerConfig{}, d);
  REQUIRE(server.ok());
  const auto port = (*server)->port();
  REQUIRE(port != 0);

  auto u = test::udpRoundTrip(port, core::asBytes("hello"));
  REQUIRE(u.has_value());
  CHECK(core::toString(*u) == "Uhello");
  const std::string udpPeer = d.peer();  // the sender as the event log's IpAddress shows it
  CHECK(isLoopbackPeer(udpPeer));

  test::TcpClient tcp(port);
  REQUIRE(tcp.connected());
  auto t1 = tcp.roundTrip(core::asBytes("one"));
  REQUIRE(t1.has_value());
  CHECK(core::toString(*t1) == "Tone");
  CHECK(isLoopbackPeer(d.peer()));
  auto t2 = tcp.roundTrip(core::asBytes("two"));  // several requests per connection
  REQUIRE(t2.has_value());
  CHECK(core::toString(*t2) == "Ttwo");
  CHECK((*server)->stats().tcpRequests == 2);
}

TEST_CASE("kdc server: a frame with the reserved top bit gets FIELD_TOOLONG and a close",
          "[kdc][integration]") {
  EchoDispatcher d;
  auto server = kdc::KdcServer::start(kdc::KdcServerConfig{}, d);
  REQUIRE(server.ok());
  test::TcpClient tcp((*server)->port());
  REQUIRE(tcp.send(Bytes{0x80, 0x00, 0x00, 0x05}));
  auto header = tcp.receive(4);
  REQUIRE(header.has_value());
  auto body = tcp.receive((*header)[3]);
  REQUIRE(body.has_value());
  CHECK(core::toString(*body) == "TOOLONG");
  CHECK(tcp.waitForClose());
  CHECK(d.calls == 0);

  // An announced length over the limit is refused the same way.
  test::TcpClient big((*server)->port());
  REQUIRE(big.send(Bytes{0x00, 0x10, 0x00, 0x00}));
  CHECK(big.receive(4).has_value());
  CHECK((*server)->stats().tcpFramingErrors == 2);
}

TEST_CASE("kdc server: truncated frames and dropped datagrams leave the server serving",
          "[kdc][integration]") {
  EchoDispatcher d;
  auto server = kdc::KdcServer::start(kdc::KdcServerConfig{}, d);
  REQUIRE(server.ok());
  const auto port = (*server)->port();
  {
    test::TcpClient partial(port);
    REQUIRE(partial.send(Bytes{0x00, 0x00, 0x00, 0x10, 'a', 'b'}));
  }  // closed mid-frame
  {
    test::TcpClient headerOnly(port);
    REQUIRE(headerOnly.send(Bytes{0x00, 0x00}));
  }
  CHECK_FALSE(test::udpRoundTrip(port, Bytes{0x00, 0x01}, std::chrono::milliseconds(200)).has_value());
  auto again = test::udpRoundTrip(port, core::asBytes("still here"));
  REQUIRE(again.has_value());
  CHECK(core::toString(*again) == "Ustill here");
  test::TcpClient tcp(port);
  auto t = tcp.roundTrip(core::asBytes("x"));
  REQUIRE(t.has_value());
  CHECK(core::toString(*t) == "Tx");
}

TEST_CASE("kdc server: a taken port is a plain error naming it", "[kdc][integration]") {
  EchoDispatcher d;
  auto first = kdc::KdcServer::start(kdc::KdcServerConfig{}, d);
  REQUIRE(first.ok());
  kdc::KdcServerConfig cfg;
  cfg.port = (*first)->port();
  auto second = kdc::KdcServer::start(cfg, d);
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().category == core::ErrorCategory::Io);
  CHECK(second.error().detail.find("127.0.0.1:" + std::to_string(cfg.port)) != std::string::npos);
  CHECK(second.error().detail.find("in use") != std::string::npos);
}

TEST_CASE("kdc server: a frame's body is read as it arrives, in pieces", "[kdc][integration]") {
  EchoDispatcher d;
  auto server = kdc::KdcServer::start(kdc::KdcServerConfig{}, d);
  REQUIRE(server.ok());
  test::TcpClient tcp((*server)->port());
  const std::string body(10000, 'k');
  REQUIRE(tcp.send(Bytes{0x00, 0x00, 0x27, 0x10}));  // 10,000
  REQUIRE(tcp.send(core::asBytes(body.substr(0, 1))));
  REQUIRE(tcp.send(core::asBytes(body.substr(1, 5000))));
  REQUIRE(tcp.send(core::asBytes(body.substr(5001))));
  auto header = tcp.receive(4);
  REQUIRE(header.has_value());
  auto reply = tcp.receive(10001);
  REQUIRE(reply.has_value());
  CHECK(core::toString(*reply) == "T" + body);
  CHECK(d.calls == 1);
}

TEST_CASE("kdc server: TCP connections are capped in all and per source", "[kdc][integration]") {
  EchoDispatcher d;
  kdc::KdcServerConfig c;
  c.maxTcpConnections = 3;
  c.maxTcpConnectionsPerSource = 2;
  auto server = kdc::KdcServer::start(c, d);
  REQUIRE(server.ok());
  const auto port = (*server)->port();
  // Two connections that announce a frame and send nothing hold their slots.
  auto a = std::make_unique<test::TcpClient>(port);
  test::TcpClient b(port);
  REQUIRE(a->send(Bytes{0x00, 0x00, 0xff, 0xff}));
  REQUIRE(b.send(Bytes{0x00, 0x00, 0xff, 0xff}));
  // A third from the same address is closed at once and counted.
  test::TcpClient third(port);
  CHECK(third.waitForClose());
  CHECK((*server)->stats().tcpRejected == 1);
  // UDP is not affected; once a slot is free, TCP works again.
  CHECK(test::udpRoundTrip(port, core::asBytes("u")).has_value());
  a.reset();
  // The KDC frees the slot when it sees the close: until then a new connection is refused. A deadline, not a
  // number of attempts (50 quick refusals all came before the close under ASan on a busy machine).
  CHECK(test::eventually([&] {
    test::TcpClient next(port);
    return next.roundTrip(core::asBytes("again")).has_value();
  }));
}

TEST_CASE("kdc server: an exception from the dispatcher drops the connection, the KDC serves on",
          "[kdc][integration]") {
  class ThrowingDispatcher : public EchoDispatcher {
   public:
    std::optional<Bytes> dispatch(core::BytesView request, const kdc::RequestContext& ctx) override {
      if (!request.empty() && request[0] == '!') {
        throw std::length_error("field value too large");
      }
      return EchoDispatcher::dispatch(request, ctx);
    }
  };
  ThrowingDispatcher d;
  kdc::KdcServerConfig c;
  c.threads = 1;
  auto server = kdc::KdcServer::start(c, d);
  REQUIRE(server.ok());
  const auto port = (*server)->port();
  {
    test::TcpClient tcp(port);
    CHECK_FALSE(tcp.roundTrip(core::asBytes("!boom")).has_value());
  }
  CHECK_FALSE(test::udpRoundTrip(port, core::asBytes("!boom"), std::chrono::milliseconds(300)).has_value());
  auto u = test::udpRoundTrip(port, core::asBytes("fine"));
  REQUIRE(u.has_value());
  CHECK(core::toString(*u) == "Ufine");
  test::TcpClient tcp(port);
  auto t = tcp.roundTrip(core::asBytes("fine"));
  REQUIRE(t.has_value());
  CHECK((*server)->stats().handlerExceptions == 2);
}
