#include <catch2/catch.hpp>
#include <mutex>
#include <set>

#include "core/common/log.hpp"
#include "core/common/rng.hpp"
#include "tests/loadbalancer/lb_fixture.hpp"
#include "tests/support/http_client.hpp"

using namespace kerbpool;
using namespace std::chrono_literals;
using loadbalancer::LbServer;
using test::startLb;

namespace {

// Collects the balancer's log lines; restores stderr logging on destruction.
class LogCapture {
 public:
  LogCapture() {
    core::Logger::setSink([this](core::LogLevel, std::string_view component, std::string_view message) {
      std::lock_guard lock(mu_);
      lines_.push_back(std::string(component) + ": " + std::string(message));
    });
  }
  ~LogCapture() { core::Logger::setSink({}); }
  bool contains(const std::string& text) {
    std::lock_guard lock(mu_);
    for (const auto& l : lines_) {
      if (l.find(text) != std::string::npos) {
        return true;
      }
    }
    return false;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> lines_;
};

loadbalancer::LbConfig checkedConfig(const std::vector<test::EchoNode*>& nodes) {
  auto c = test::lbConfig(nodes);
  c.health.interval = 20ms;
  // Generous: two tests read the failed check's reason ("HTTP 503") in the log and in the 503's body, and a
  // check that timed out on a machine busy with the rest of the suite would give "timeout" instead.
  c.health.timeout = 5000ms;
  c.health.rise = 2;
  c.health.fall = 2;
  return c;
}

std::string nodeOf(std::uint16_t port) {
  test::HttpTestClient c(port);
  auto r = c.get("/");
  REQUIRE(r.has_value());
  REQUIRE(r->status == 200);
  return test::echoFields(r->body).at("node");
}

}  // namespace

TEST_CASE("lb health: a stopped node is taken out and comes back when it answers again",
          "[loadbalancer][integration]") {
  LogCapture log;
  test::EchoNode fe01("fe01"), fe02("fe02");
  core::SeededRng rng(1);
  auto lb = startLb(checkedConfig({&fe01, &fe02}), rng);
  REQUIRE(test::waitUntil(*lb, [&] { return test::backendStats(*lb, "fe02").checks >= 2; }));
  CHECK(test::backendStats(*lb, "fe02").up);

  fe02.stop();
  // The transition is logged just after the state changes (another thread): wait for both.
  REQUIRE(test::waitUntil(*lb, [&] {
    return !test::backendStats(*lb, "fe02").up &&
           log.contains("lb: fe02 DOWN after 2 failed checks: Connection refused");
  }));
  for (int i = 0; i < 4; ++i) {
    CHECK(nodeOf(lb->port()) == "fe01");
  }
  CHECK(test::backendStats(*lb, "fe02").errors == 0);  // no request was tried on it

  fe02.start();  // same port
  REQUIRE(test::waitUntil(*lb, [&] {
    return test::backendStats(*lb, "fe02").up && log.contains("lb: fe02 UP after 2 passed checks: HTTP 200");
  }));
  std::set<std::string> nodes;
  for (int i = 0; i < 4; ++i) {
    nodes.insert(nodeOf(lb->port()));
  }
  CHECK(nodes == std::set<std::string>{"fe01", "fe02"});
  const auto s = test::backendStats(*lb, "fe02");
  CHECK(s.wentDown == 1);
  CHECK(s.cameUp == 1);
  CHECK(lb->stats().totals.healthTransitions == 2);
}

TEST_CASE("lb health: a node whose /health fails is taken out", "[loadbalancer][integration]") {
  LogCapture log;
  test::EchoNode fe01("fe01"), fe02("fe02");
  core::SeededRng rng(1);
  auto lb = startLb(checkedConfig({&fe01, &fe02}), rng);
  fe01.handler().setHealthy(false);
  REQUIRE(test::waitUntil(*lb, [&] {
    return !test::backendStats(*lb, "fe01").up && log.contains("fe01 DOWN after 2 failed checks: HTTP 503");
  }));
  CHECK(nodeOf(lb->port()) == "fe02");
  CHECK(nodeOf(lb->port()) == "fe02");
}

TEST_CASE("lb health: with every node down the answer is 503 naming each node's state",
          "[loadbalancer][integration]") {
  LogCapture log;
  test::EchoNode fe01("fe01"), fe02("fe02");
  core::SeededRng rng(1);
  auto lb = startLb(checkedConfig({&fe01, &fe02}), rng);
  fe01.stop();
  fe02.handler().setHealthy(false);
  REQUIRE(test::waitUntil(*lb, [&] {
    const auto s = lb->stats();
    return !s.backends[0].up && !s.backends[1].up;
  }));
  test::HttpTestClient c(lb->port());
  auto r = c.get("/");
  REQUIRE(r.has_value());
  CHECK(r->status == 503);
  CHECK(r->body == "no healthy backend: fe01 down (Connection refused), fe02 down (HTTP 503)\n");
  CHECK(lb->stats().totals.serviceUnavailable == 1);
  // The connection stays usable and the pool recovers.
  fe02.handler().setHealthy(true);
  REQUIRE(test::waitUntil(*lb, [&] { return test::backendStats(*lb, "fe02").up; }));
  auto back = c.get("/");
  REQUIRE(back.has_value());
  CHECK(back->status == 200);
}

TEST_CASE("lb drain: in-flight connections finish and new work goes elsewhere",
          "[loadbalancer][integration]") {
  test::EchoNode fe01("fe01"), fe02("fe02");
  core::SeededRng rng(1);
  auto config = test::lbConfig({&fe01, &fe02}, loadbalancer::LbMode::Tcp);
  auto lb = startLb(config, rng);
  test::HttpTestClient pinned(lb->port());
  auto first = pinned.get("/");
  REQUIRE(first.has_value());
  CHECK(test::echoFields(first->body).at("node") == "fe01");

  REQUIRE(lb->setDraining("fe01", true).ok());
  CHECK(lb->setDraining("fe07", true).error().code == "unknown_backend");
  CHECK(test::backendStats(*lb, "fe01").draining);
  // The open connection keeps its node...
  for (int i = 0; i < 3; ++i) {
    auto r = pinned.get("/");
    REQUIRE(r.has_value());
    CHECK(test::echoFields(r->body).at("node") == "fe01");
  }
  CHECK(test::backendStats(*lb, "fe01").active == 1);
  // ...new ones do not get it.
  for (int i = 0; i < 3; ++i) {
    CHECK(nodeOf(lb->port()) == "fe02");
  }
  pinned.close();
  REQUIRE(test::waitUntil(*lb, [&] { return test::backendStats(*lb, "fe01").active == 0; }));
  REQUIRE(lb->setDraining("fe01", false).ok());
  std::set<std::string> nodes;
  for (int i = 0; i < 4; ++i) {
    nodes.insert(nodeOf(lb->port()));
  }
  CHECK(nodes.count("fe01") == 1);
}
