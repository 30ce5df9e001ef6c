#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <thread>

#include "core/common/rng.hpp"
#include "tests/loadbalancer/lb_fixture.hpp"
#include "tests/support/http_client.hpp"

using namespace kerbpool;
using namespace std::chrono_literals;
using loadbalancer::AffinityMode;
using loadbalancer::LbServer;
using test::startLb;

namespace {

// A node that accepts connections, answers the first `answered` requests of each in full (keep-alive), then
// reads one more request head and either answers with a 200 head that promises 100 octets, sends 9 and closes
// (an upstream that dies in the middle of a response) or, when `silent`, never answers.
class DyingNode {
 public:
  explicit DyingNode(bool silent = false, int answered = 0) : silent_(silent), answered_(answered) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(fd_, 16) == 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~DyingNode() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
    for (int c : held_) {
      ::close(c);
    }
  }
  std::uint16_t port() const { return port_; }
  int served() const { return served_.load(); }

 private:
  void serve() {
    for (;;) {
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) {
        return;
      }
      const auto readHead = [c] {
        std::string head;
        char ch = 0;
        while (!head.ends_with("\r\n\r\n") && ::read(c, &ch, 1) == 1) {
          head += ch;
        }
      };
      for (int i = 0; i < answered_; ++i) {
        readHead();
        const std::string whole = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        (void)!::write(c, whole.data(), whole.size());
      }
      readHead();
      served_++;
      if (silent_) {
        held_.push_back(c);
        continue;
      }
      const std::string partial = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nTRUNCATED";
      (void)!::write(c, partial.data(), partial.size());
      ::close(c);
    }
  }
  const bool silent_;
  const int answered_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<int> served_{0};
  std::vector<int> held_;
};

// A balancer in front of `node` alone, without health checks, reading node answers under `readTimeout`.
loadbalancer::LbConfig configFor(const DyingNode& node, std::chrono::milliseconds readTimeout) {
  loadbalancer::LbConfig config;
  config.backends = {{"fe01", "127.0.0.1", node.port()}};
  config.health.interval = 0ms;
  config.upstreamReadTimeout = readTimeout;
  return config;
}

}  // namespace

TEST_CASE("lb http: requests spread over the nodes and each answer names its node",
          "[loadbalancer][integration]") {
  test::EchoNode fe01("fe01"), fe02("fe02");
  core::SeededRng rng(1);
  auto lb = startLb(test::lbConfig({&fe01, &fe02}), rng);
  std::vector<std::string> nodes;
  for (int i = 0; i < 4; ++i) {
    test::HttpTestClient c(lb->port());
    auto r = c.get("/owa/" + std::to_string(i));
    REQUIRE(r.has_value());
    CHECK(r->status == 200);
    const auto f = test::echoFields(r->body);
    nodes.push_back(f.at("node"));
    CHECK(f.at("xff") == "127.0.0.1");
    CHECK(f.at("target") == "/owa/" + std::to_string(i));
    CHECK(r->header("X-Backend") == f.at("node"));
  }
  CHECK(nodes == std::vector<std::string>{"fe01", "fe02", "fe01", "fe02"});
  CHECK(test::backendStats(*lb, "fe01").requests == 2);
  CHECK(test::backendStats(*lb, "fe02").requests == 2);
  CHECK(lb->stats().totals.requests == 4);
}

TEST_CASE("lb http: one keep-alive client connection hits different nodes without affinity",
          "[loadbalancer][integration]") {
  test::EchoNode fe01("fe01"), fe02("fe02");
  core::SeededRng rng(1);
  auto lb = startLb(test::lbConfig({&fe01, &fe02}), rng);
  test::HttpTestClient c(lb->port());
  std::vector<std::string> nodes;
  for (int i = 0; i < 4; ++i) {
    auto r = c.get("/negotiate");
    REQUIRE(r.has_value());
    CHECK(r->status == 200);
    nodes.push_back(test::echoFields(r->body).at("node"));
  }
  // What breaks NTLM: leg 1 on fe01, leg 2 on fe02, over one client connection.
  CHECK(nodes == std::vector<std::string>{"fe01", "fe02", "fe01", "fe02"});
  CHECK(lb->stats().totals.clientConnections == 1);
}

// Between requests a plain client connection waits with a read pending (net/server_session.hpp's
// waitsByReading): what that read brings may be two requests, part of one, or the start of one larger than
// the read.
TEST_CASE(
    "lb http: a kept-alive client connection takes pipelined split and large requests then times out idle",
    "[loadbalancer][integration]") {
  test::EchoNode fe01("fe01");
  core::SeededRng rng(1);
  auto config = test::lbConfig({&fe01});
  config.clientIdleTimeout = 300ms;
  auto lb = startLb(config, rng);
  test::HttpTestClient c(lb->port());
  auto first = c.get("/first");
  REQUIRE(first.has_value());
  CHECK(first->status == 200);

  REQUIRE(c.send("GET /p1 HTTP/1.1\r\nHost: pool\r\n\r\nGET /p2 HTTP/1.1\r\nHost: pool\r\n\r\n"));
  for (const std::string target : {"/p1", "/p2"}) {
    auto r = c.readResponse();
    REQUIRE(r.has_value());
    CHECK(r->status == 200);
    CHECK(test::echoFields(r->body).at("target") == target);
  }

  REQUIRE(c.send("GET /split HTTP/1.1\r\nHost: po"));
  REQUIRE(c.send("ol\r\n\r\n"));
  auto split = c.readResponse();
  REQUIRE(split.has_value());
  CHECK(test::echoFields(split->body).at("target") == "/split");

  // Larger than the 4 KiB the idle read takes: the rest is read as usual.
  REQUIRE(c.send("GET /large HTTP/1.1\r\nHost: pool\r\nX-Filler: " + std::string(9000, 'f') + "\r\n\r\n"));
  auto large = c.readResponse();
  REQUIRE(large.has_value());
  CHECK(large->status == 200);
  CHECK(test::echoFields(large->body).at("target") == "/large");

  CHECK(c.waitForClose());
  CHECK(lb->stats().totals.timeouts == 1);
  CHECK(lb->stats().totals.requests == 5);
  CHECK(lb->stats().totals.clientConnections == 1);
}

TEST_CASE("lb http: the haproxy model keeps a client's authenticated node connections for it, one per node",
          "[loadbalancer][integration]") {
  test::EchoNode fe01("fe01"), fe02("fe02");
  core::SeededRng rng(1);
  auto config = test::lbConfig({&fe01, &fe02});
  config.connectionModel = loadbalancer::ConnectionModel::Private;
  auto lb = startLb(config, rng);
  std::vector<std::string> nodes;
  std::map<std::string, std::set<std::string>> connsByNode;
  {
    // Requests that each carry their own token (no challenge first, as a client with a cached ticket
    // sends them): round robin alternates the nodes.
    test::HttpTestClient c(lb->port());
    for (int i = 0; i < 6; ++i) {
      auto r = c.get("/negotiate",
                     {{"Authorization", "Negotiate YIIBdQYGKwYBBQUCoIIBaTCCAWWgDTALBgkqhkiG9xIBAgI="}});
      REQUIRE(r.has_value());
      CHECK(r->status == 200);
      const auto f = test::echoFields(r->body);
      nodes.push_back(f.at("node"));
      connsByNode[f.at("node")].insert(f.at("conn"));
    }
  }
  CHECK(nodes == std::vector<std::string>{"fe01", "fe02", "fe01", "fe02", "fe01", "fe02"});
  // One node connection per node for the client connection's whole life: none reopened, none shared.
  CHECK(connsByNode["fe01"].size() == 1);
  CHECK(connsByNode["fe02"].size() == 1);
  std::uint64_t opened = 0;
  for (const auto& b : lb->stats().backends) {
    opened += b.connections;
  }
  CHECK(opened == 2);
  // Another client connection gets node connections of its own, never the first one's.
  test::HttpTestClient other(lb->port());
  auto r = other.get("/negotiate",
                     {{"Authorization", "Negotiate YIIBdQYGKwYBBQUCoIIBaTCCAWWgDTALBgkqhkiG9xIBAgI="}});
  REQUIRE(r.has_value());
  const auto f = test::echoFields(r->body);
  CHECK(connsByNode[f.at("node")].count(f.at("conn")) == 0);
}

TEST_CASE("lb http: source affinity keeps a client connection on one node and one upstream connection",
          "[loadbalancer][integration]") {
  test::EchoNode fe01("fe01"), fe02("fe02");
  core::SeededRng rng(1);
  auto config = test::lbConfig({&fe01, &fe02});
  config.affinity = GENERATE(AffinityMode::SourceHash, AffinityMode::SourceSticky);
  auto lb = startLb(config, rng);
  std::set<std::string> nodes;
  std::set<std::string> conns;
  {
    test::HttpTestClient c(lb->port());
    for (int i = 1; i <= 4; ++i) {
      auto r = c.get("/ntlm");
      REQUIRE(r.has_value());
      const auto f = test::echoFields(r->body);
      nodes.insert(f.at("node"));
      conns.insert(f.at("conn"));
      CHECK(f.at("req") == std::to_string(i));  // the node sees one connection carrying every leg
    }
  }
  test::HttpTestClient again(lb->port());
  auto r = again.get("/later");
  REQUIRE(r.has_value());
  nodes.insert(test::echoFields(r->body).at("node"));
  CHECK(nodes.size() == 1);
  CHECK(conns.size() == 1);
}

TEST_CASE("lb http: cookie affinity inserts KPLB and follows it", "[loadbalancer][integration]") {
  test::EchoNode fe01("fe01"), fe02("fe02");
  core::SeededRng rng(1);
  auto config = test::lbConfig({&fe01, &fe02});
  config.affinity = AffinityMode::Cookie;
  auto lb = startLb(config, rng);
  test::HttpTestClient c(lb->port());
  auto first = c.get("/");
  REQUIRE(first.has_value());
  const auto node = test::echoFields(first->body).at("node");
  CHECK(first->header("Set-Cookie") == "KPLB=" + node + "; Path=/; HttpOnly");
  for (int i = 0; i < 3; ++i) {
    auto r = c.get("/", {{"Cookie", "KPLB=" + node}});
    REQUIRE(r.has_value());
    CHECK(test::echoFields(r->body).at("node") == node);
    CHECK_FALSE(r->header("Set-Cookie").has_value());
  }
  auto other = c.get("/", {{"Cookie", "KPLB=fe02"}});
  REQUIRE(other.has_value());
  CHECK(test::echoFields(other->body).at("node") == "fe02");
}

TEST_CASE("lb http: X-Forwarded-For is appended and hop-by-hop fields stay behind",
          "[loadbalancer][integration]") {
  test::EchoNode fe01("fe01");
  core::SeededRng rng(1);
  auto lb = startLb(test::lbConfig({&fe01}), rng);
  test::HttpTestClient c(lb->port());
  auto r = c.get(
      "/", {{"X-Forwarded-For", "192.0.2.7"}, {"Connection", "keep-alive, X-Secret"}, {"X-Secret", "1"}});
  REQUIRE(r.has_value());
  CHECK(test::echoFields(r->body).at("xff") == "192.0.2.7,");  // the echo splits on spaces
  CHECK(r->body.find("xff=192.0.2.7, 127.0.0.1 ") != std::string::npos);
  // HEAD passes with the node's Content-Length and no body.
  REQUIRE(c.send("HEAD /h HTTP/1.1\r\nHost: pool\r\n\r\n"));
  auto head = c.readResponse(3000ms, true);
  REQUIRE(head.has_value());
  CHECK(head->status == 200);
  CHECK(head->header("Content-Length").has_value());
  auto after = c.get("/after");
  REQUIRE(after.has_value());
  CHECK(test::echoFields(after->body).at("target") == "/after");
}

TEST_CASE("lb http: an upstream that dies mid-response gives 502 and is counted",
          "[loadbalancer][integration]") {
  DyingNode dying;
  core::SeededRng rng(1);
  loadbalancer::LbConfig config;
  config.backends = {{"fe02", "127.0.0.1", dying.port()}};
  config.health.interval = 0ms;
  auto lb = startLb(config, rng);
  test::HttpTestClient c(lb->port());
  auto r = c.get("/autodiscover");
  REQUIRE(r.has_value());
  CHECK(r->status == 502);
  CHECK(r->body.find("bad gateway: fe02: read response:") == 0);
  CHECK(r->body.find("TRUNCATED") == std::string::npos);
  CHECK(dying.served() == 1);  // a response had started: never repeated
  CHECK(test::backendStats(*lb, "fe02").errors == 1);
  CHECK(lb->stats().totals.badGateway == 1);
  // The client connection survives the 502.
  auto again = c.get("/again");
  REQUIRE(again.has_value());
  CHECK(again->status == 502);
  CHECK(lb->stats().totals.badGateway == 2);
}

TEST_CASE("lb http: a refused connect goes to another node, POST included, and counts",
          "[loadbalancer][integration]") {
  test::EchoNode fe01("fe01"), fe02("fe02");
  core::SeededRng rng(1);
  auto lb = startLb(test::lbConfig({&fe01, &fe02}), rng);
  fe01.stop();  // no health checks: the balancer finds out on connect
  test::HttpTestClient c(lb->port());
  for (int i = 0; i < 2; ++i) {
    auto r = c.get("/");
    REQUIRE(r.has_value());
    CHECK(r->status == 200);
    CHECK(test::echoFields(r->body).at("node") == "fe02");
  }
  REQUIRE(c.send("POST /ews HTTP/1.1\r\nHost: pool\r\nContent-Length: 4\r\n\r\nbody"));
  auto post = c.readResponse();
  REQUIRE(post.has_value());
  CHECK(post->status == 200);
  CHECK(test::backendStats(*lb, "fe01").errors >= 1);
  CHECK(lb->stats().totals.retries >= 1);
  fe02.stop();
  auto none = c.get("/");
  REQUIRE(none.has_value());
  CHECK(none->status == 502);
  CHECK(none->body.find("connect: Connection refused") != std::string::npos);
}

TEST_CASE("lb http: malformed requests get 400 and the balancer keeps serving",
          "[loadbalancer][integration]") {
  test::EchoNode fe01("fe01");
  core::SeededRng rng(1);
  auto config = test::lbConfig({&fe01});
  config.headerLimit = 1024;
  auto lb = startLb(config, rng);
  for (const std::string& raw : {std::string("GARBAGE\r\n\r\n"), std::string("GET / HTTP/9.9\r\n\r\n"),
                                 std::string("GET / HTTP/1.1\r\nBad Header\r\n\r\n"),
                                 std::string("GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n")}) {
    test::HttpTestClient c(lb->port());
    REQUIRE(c.send(raw));
    auto r = c.readResponse();
    REQUIRE(r.has_value());
    CHECK(r->status == 400);
    CHECK(c.waitForClose());
  }
  {
    test::HttpTestClient c(lb->port());
    REQUIRE(c.send("GET / HTTP/1.1\r\nX-Big: " + std::string(4096, 'a') + "\r\n\r\n"));
    auto r = c.readResponse();
    REQUIRE(r.has_value());
    CHECK(r->status == 431);
  }
  CHECK(lb->stats().totals.badRequests == 5);
  CHECK(fe01.handler().requests() == 0);
  test::HttpTestClient ok(lb->port());
  auto r = ok.get("/fine");
  REQUIRE(r.has_value());
  CHECK(r->status == 200);
}

TEST_CASE("lb http: concurrent clients never get each other's responses", "[loadbalancer][integration]") {
  test::EchoNode fe01("fe01"), fe02("fe02");
  core::SeededRng rng(1);
  auto config = test::lbConfig({&fe01, &fe02});
  config.threads = 2;
  config.policy = loadbalancer::PolicyKind::LeastConnections;
  auto lb = startLb(config, rng);
  std::atomic<int> mismatches{0};
  std::atomic<int> done{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 6; ++t) {
    clients.emplace_back([&, t] {
      test::HttpTestClient c(lb->port());
      for (int i = 0; i < 25; ++i) {
        const std::string target = "/c" + std::to_string(t) + "/r" + std::to_string(i);
        auto r = c.get(target);
        if (!r || r->status != 200 || test::echoFields(r->body)["target"] != target) {
          mismatches++;
        }
        done++;
      }
    });
  }
  for (auto& t : clients) {
    t.join();
  }
  CHECK(done == 150);
  CHECK(mismatches == 0);
  const auto s = lb->stats();
  CHECK(s.backends[0].requests + s.backends[1].requests == 150);
  CHECK(s.backends[0].active + s.backends[1].active == 0);
  // Pooled upstream connections: far fewer than requests, at most one per concurrent client and node.
  CHECK(s.backends[0].connections + s.backends[1].connections <= 12);
}

TEST_CASE("lb http: an upstream that does not answer in time gives 502 timeout",
          "[loadbalancer][integration]") {
  DyingNode silent(true);
  core::SeededRng rng(1);
  auto lb = startLb(configFor(silent, 100ms), rng);
  test::HttpTestClient c(lb->port());
  auto r = c.get("/slow");
  REQUIRE(r.has_value());
  CHECK(r->status == 502);
  CHECK(r->body == "bad gateway: fe01: read response: timeout\n");
  CHECK(lb->stats().totals.timeouts == 1);
  CHECK(test::backendStats(*lb, "fe01").errors == 1);
}

// The second read on a kept-alive node connection starts after the first one's deadline was set: the
// session's one timer wakes for the first deadline, finds the second read younger, and waits again.
TEST_CASE("lb http: a node that answers once then goes silent on the same connection gives 502 timeout",
          "[loadbalancer][integration]") {
  DyingNode node(true, 1);
  core::SeededRng rng(1);
  auto lb = startLb(configFor(node, 200ms), rng);
  test::HttpTestClient c(lb->port());
  auto first = c.get("/fast");
  REQUIRE(first.has_value());
  CHECK(first->status == 200);
  CHECK(first->body == "ok");
  auto second = c.get("/slow");
  REQUIRE(second.has_value());
  CHECK(second->status == 502);
  CHECK(second->body == "bad gateway: fe01: read response: timeout\n");
  CHECK(lb->stats().totals.timeouts == 1);
  CHECK(test::backendStats(*lb, "fe01").connections == 1);
}

TEST_CASE("lb: client connections over the limit are closed at once and counted",
          "[loadbalancer][integration]") {
  test::EchoNode fe01("fe01");
  core::SeededRng rng(1);
  auto config = test::lbConfig({&fe01});
  config.maxClientConnections = 1;
  auto lb = startLb(config, rng);
  test::HttpTestClient first(lb->port());
  REQUIRE(first.get("/").has_value());
  test::HttpTestClient second(lb->port());
  CHECK(second.waitForClose());
  CHECK(lb->stats().totals.rejectedConnections == 1);
  auto still = first.get("/still");
  REQUIRE(still.has_value());
  CHECK(still->status == 200);
  first.close();
  REQUIRE(test::waitUntil(*lb, [&] { return lb->stats().totals.activeClientConnections == 0; }));
  test::HttpTestClient third(lb->port());
  auto r = third.get("/third");
  REQUIRE(r.has_value());
  CHECK(r->status == 200);
}
