#include <catch2/catch.hpp>

#include <atomic>

#include "client/kdc_network.hpp"
#include "core/iana/error_code.hpp"
#include "kdc/kdc_server.hpp"
#include "tests/client/fake_kdc.hpp"
#include "tests/client/scripted_kdc.hpp"
#include "tests/support/socket_client.hpp"

using namespace kerbpool;
using client::KdcNetwork;
using client::KdcNetworkOptions;
using test::ScriptedKdc;

namespace {

struct Server {
  ScriptedKdc dispatcher;
  std::unique_ptr<kdc::KdcServer> server;
  Server() {
    kdc::KdcServerConfig config;
    config.threads = 1;
    auto s = kdc::KdcServer::start(config, dispatcher);
    REQUIRE(s.ok());
    server = std::move(*s);
  }
  KdcNetworkOptions options() const {
    KdcNetworkOptions o;
    o.kdcs = {client::KdcAddress{"127.0.0.1", server->port()}};
    o.udpTimeout = std::chrono::milliseconds(200);
    o.udpAttempts = 1;
    return o;
  }
};

std::string text(const core::Bytes& b) {
  return core::toString(b);
}

}  // namespace

TEST_CASE("KDC network: small requests go over UDP", "[client][integration]") {
  Server s;
  KdcNetwork net(s.options());
  auto reply = net.exchange(core::asBytes("hello"));
  REQUIRE(reply.ok());
  CHECK(text(*reply) == "U:hello");
  CHECK(net.stats().udpExchanges == 1);
  CHECK(net.stats().tcpExchanges == 0);
}

TEST_CASE("KDC network: requests over udp_preference_limit go over TCP with a length prefix",
          "[client][integration]") {
  Server s;
  KdcNetwork net(s.options());
  const std::string big(1466, 'x');
  auto reply = net.exchange(core::asBytes(big));
  REQUIRE(reply.ok());
  CHECK(text(*reply) == "T:" + big);
  CHECK(s.dispatcher.udpCalls == 0);
  CHECK(net.stats().tcpExchanges == 1);

  const std::string limit(1465, 'y');  // at the limit: still UDP
  auto udp = net.exchange(core::asBytes(limit));
  REQUIRE(udp.ok());
  CHECK(text(*udp) == "U:" + limit);
}

TEST_CASE("KDC network: RESPONSE_TOO_BIG over UDP is retried over TCP", "[client][integration]") {
  Server s;
  KdcNetwork net(s.options());
  auto reply = net.exchange(core::asBytes("Big please"));
  REQUIRE(reply.ok());
  CHECK(text(*reply) == "T:Big please");
  CHECK(s.dispatcher.udpCalls == 1);
  CHECK(s.dispatcher.tcpCalls == 1);
  CHECK(net.stats().tooBigRetries == 1);
}

TEST_CASE("KDC network: a silent UDP KDC is tried over TCP after the bounded timeout",
          "[client][integration]") {
  Server s;
  KdcNetwork net(s.options());
  auto reply = net.exchange(core::asBytes("Silent"));
  REQUIRE(reply.ok());
  CHECK(text(*reply) == "T:Silent");
}

TEST_CASE("KDC network: an unreachable KDC is a typed Io error naming the address", "[client][integration]") {
  const auto port = test::freeLoopbackPort();
  KdcNetworkOptions o;
  o.kdcs = {client::KdcAddress{"127.0.0.1", port}};
  o.udpTimeout = std::chrono::milliseconds(200);
  o.udpAttempts = 1;
  KdcNetwork net(o);
  auto r = net.exchange(core::asBytes("hello"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().category == core::ErrorCategory::Io);
  CHECK(r.error().code == "kdc_unreachable");
  CHECK(r.error().detail.find("KDC 127.0.0.1:" + std::to_string(port) + " unreachable") != std::string::npos);
  CHECK(r.error().detail.find("TCP: Connection refused") != std::string::npos);
  CHECK(net.stats().failures == 1);

  // The next KDC in the list answers.
  Server s;
  o.kdcs.push_back(client::KdcAddress{"127.0.0.1", s.server->port()});
  KdcNetwork two(o);
  auto ok = two.exchange(core::asBytes("hello"));
  REQUIRE(ok.ok());
  CHECK(text(*ok) == "U:hello");

  KdcNetwork none(KdcNetworkOptions{});
  auto empty = none.exchange(core::asBytes("x"));
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().code == "no_kdc");
}

TEST_CASE("KDC network: addresses print as host:port", "[client]") {
  CHECK(client::KdcAddress{"127.0.0.1", 88}.text() == "127.0.0.1:88");
  CHECK(client::KdcAddress{"::1", 8888}.text() == "[::1]:8888");
}
