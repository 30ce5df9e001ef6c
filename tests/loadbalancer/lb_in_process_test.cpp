// The balancer on the in-process transport (LbServer::inProcessListener): the same request sequence, sent by
// the same client code, meets the same nodes, node connections and counters as over sockets, for each
// connection model, with affinity, and in layer 4.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "client/http_connection.hpp"
#include "net/in_process_http.hpp"
#include "tests/loadbalancer/lb_fixture.hpp"

using namespace kerbpool;
using loadbalancer::AffinityMode;
using loadbalancer::ConnectionModel;
using loadbalancer::LbMode;

namespace {

struct SequenceSeen {
  std::vector<std::string> legs;  // "fe01 req=2 xff=127.0.0.1" per response
  std::uint64_t requests = 0, clientConnections = 0, privateConnections = 0;
  std::vector<std::uint64_t> backendRequests, backendConnections;
  bool operator==(const SequenceSeen&) const = default;
};

// Two client connections from two addresses: four requests (the middle two with a Negotiate token, as a
// client with a cached ticket sends them), then two.
SequenceSeen runSequence(loadbalancer::LbMode mode, ConnectionModel model, AffinityMode affinity,
                         bool inProcess) {
  test::EchoNode fe01("fe01"), fe02("fe02");
  core::SeededRng rng(1);
  auto config = test::lbConfig({&fe01, &fe02}, mode);
  config.connectionModel = model;
  config.affinity = affinity;
  auto lb = test::startLb(config, rng);
  net::InProcessHttpNetwork network;
  client::HttpClientRuntime runtime;
  int inProcessConnects = 0;
  if (inProcess) {
    for (auto* node : {&fe01, &fe02}) {
      network.listen("127.0.0.1", node->port(),
                     [node](const std::string& peer) { return node->server().connectInProcess(peer); });
    }
    auto vip = lb->inProcessListener(network);
    REQUIRE(vip.ok());
    // Counted, so that a run that fell back to sockets cannot pass for an in-process one.
    network.listen("127.0.0.1", lb->port(), [&, listener = std::move(*vip)](const std::string& peer) {
      ++inProcessConnects;
      return listener(peer);
    });
    runtime.useInProcessNetwork(&network);
  }
  SequenceSeen seen;
  const auto send = [&](client::HttpConnection& c, bool token) {
    client::HttpClientRequest req;
    req.target = "/owa/";
    if (token) {
      req.headers.emplace_back("Authorization", "Negotiate YIIBdQYGKwYBBQUCoIIBaTCCAWWgDTALBgkqhkiG9xIBAgI=");
    }
    auto r = c.send(req);
    REQUIRE(r.ok());
    CHECK(r->status == 200);
    const auto f = test::echoFields(r->body);
    seen.legs.push_back(f.at("node") + " req=" + f.at("req") + " xff=" + f.at("xff"));
  };
  {
    client::HttpConnectionOptions o;
    o.port = lb->port();
    o.sourceAddress = "127.0.0.1";
    client::HttpConnection first(runtime, o);
    for (bool token : {false, true, true, false}) {
      send(first, token);
    }
    o.sourceAddress = "127.0.0.2";
    client::HttpConnection second(runtime, o);
    send(second, false);
    send(second, true);
  }
  const auto stats = lb->stats();
  seen.requests = stats.totals.requests;
  seen.clientConnections = stats.totals.clientConnections;
  seen.privateConnections = stats.totals.privateConnections;
  for (const auto& b : stats.backends) {
    seen.backendRequests.push_back(b.requests);
    seen.backendConnections.push_back(b.connections);
  }
  CHECK(runtime.stats().connections == 2);
  CHECK(runtime.stats().requests == 6);
  CHECK(inProcessConnects == (inProcess ? 2 : 0));
  return seen;
}

}  // namespace

TEST_CASE("lb in process: a request sequence meets the same nodes and connections as over sockets",
          "[loadbalancer][integration][transport]") {
  struct Case {
    LbMode mode;
    ConnectionModel model;
    AffinityMode affinity;
  };
  const auto c = GENERATE(Case{LbMode::Http, ConnectionModel::PerRequest, AffinityMode::None},
                          Case{LbMode::Http, ConnectionModel::Private, AffinityMode::None},
                          Case{LbMode::Http, ConnectionModel::ServerClose, AffinityMode::None},
                          Case{LbMode::Http, ConnectionModel::PerRequest, AffinityMode::SourceHash},
                          Case{LbMode::Tcp, ConnectionModel::PerRequest, AffinityMode::None});
  INFO("mode " << toString(c.mode) << " model " << static_cast<int>(c.model) << " affinity "
               << toString(c.affinity));
  const SequenceSeen sockets = runSequence(c.mode, c.model, c.affinity, false);
  const SequenceSeen inProcess = runSequence(c.mode, c.model, c.affinity, true);
  INFO(Catch::Detail::stringify(sockets.legs) << " / " << Catch::Detail::stringify(inProcess.legs));
  CHECK(sockets == inProcess);
  REQUIRE(inProcess.legs.size() == 6);
  if (c.mode == LbMode::Tcp) {
    CHECK(inProcess.legs[1].find("xff=-") != std::string::npos);  // layer 4 passes the octets untouched
  } else {
    CHECK(inProcess.legs[1].find("xff=127.0.0.1") != std::string::npos);
  }
}

TEST_CASE("lb in process: TLS anywhere is refused with the reason", "[loadbalancer][transport]") {
  test::EchoNode fe01("fe01");
  core::SeededRng rng(1);
  auto config = test::lbConfig({&fe01}, LbMode::Tcp);
  config.health.tls = true;
  auto lb = test::startLb(config, rng);
  net::InProcessHttpNetwork network;
  const auto refused = lb->inProcessListener(network);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == "in_process_unsupported");
  CHECK(refused.error().detail.find("passes the nodes' TLS through") != std::string::npos);
}

TEST_CASE("lb in process: no node up is a 503 and a stopped node a 502 naming it",
          "[loadbalancer][transport]") {
  test::EchoNode fe01("fe01");
  core::SeededRng rng(1);
  auto lb = test::startLb(test::lbConfig({&fe01}), rng);
  net::InProcessHttpNetwork network;  // fe01 is not reachable in process: its connection is refused
  auto vip = lb->inProcessListener(network);
  REQUIRE(vip.ok());
  auto conn = (*vip)("127.0.0.9:40000");
  REQUIRE(conn.ok());
  auto answer = (*conn)->exchange("GET /x HTTP/1.1\r\nHost: pool\r\n\r\n");
  REQUIRE(answer.ok());
  CHECK(answer->rfind("HTTP/1.1 502", 0) == 0);
  CHECK(answer->find("fe01") != std::string::npos);
  CHECK(answer->find("connection refused") != std::string::npos);
  CHECK(lb->stats().totals.badGateway == 1);
  CHECK(test::backendStats(*lb, "fe01").errors == 1);

  REQUIRE(lb->setDraining("fe01", true).ok());
  answer = (*conn)->exchange("GET /x HTTP/1.1\r\nHost: pool\r\n\r\n");
  REQUIRE(answer.ok());
  CHECK(answer->rfind("HTTP/1.1 503", 0) == 0);
  CHECK(lb->stats().totals.serviceUnavailable == 1);

  answer = (*conn)->exchange(
      "GET /x HTTP/1.1\r\nHost: pool\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n");
  REQUIRE(answer.ok());
  CHECK(answer->rfind("HTTP/1.1 400", 0) == 0);
  CHECK((*conn)->closed());
  CHECK_FALSE((*conn)->exchange("GET /x HTTP/1.1\r\nHost: pool\r\n\r\n").ok());
}
