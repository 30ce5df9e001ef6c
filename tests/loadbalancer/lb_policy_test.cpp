#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "core/common/rng.hpp"
#include "loadbalancer/affinity.hpp"
#include "loadbalancer/backend_chooser.hpp"
#include "loadbalancer/backend_pool.hpp"
#include "loadbalancer/lb_policy.hpp"

using namespace kerbpool;
using namespace kerbpool::loadbalancer;

namespace {

std::vector<BackendSpec> specs(int n) {
  std::vector<BackendSpec> out;
  for (int i = 1; i <= n; ++i) {
    out.push_back({"fe0" + std::to_string(i), "127.0.0.1", static_cast<std::uint16_t>(9000 + i)});
  }
  return out;
}

LbConfig config(int n, PolicyKind policy, AffinityMode affinity = AffinityMode::None) {
  LbConfig c;
  c.backends = specs(n);
  c.policy = policy;
  c.affinity = affinity;
  return c;
}

std::string pickName(BackendChooser& chooser, const BackendPool& pool, PickContext ctx = {"10.0.0.1", {}}) {
  auto p = chooser.choose(ctx);
  REQUIRE(p.ok());
  return pool.spec(p->backend).name;
}

void takeDown(BackendPool& pool, std::size_t i, unsigned fall) {
  for (unsigned k = 0; k < fall; ++k) {
    (void)pool.recordCheck(i, false, "connection refused");
  }
  REQUIRE_FALSE(pool.available(i));
}

}  // namespace

TEST_CASE("round-robin: configured order and skipping a node that is out", "[loadbalancer]") {
  core::SeededRng rng(1);
  auto c = config(3, PolicyKind::RoundRobin);
  BackendPool pool(c.backends, 1, 1);
  BackendChooser chooser(pool, c, rng);
  std::vector<std::string> order;
  for (int i = 0; i < 6; ++i) {
    order.push_back(pickName(chooser, pool));
  }
  CHECK(order == std::vector<std::string>{"fe01", "fe02", "fe03", "fe01", "fe02", "fe03"});

  takeDown(pool, 1, 1);
  std::map<std::string, int> counts;
  for (int i = 0; i < 10; ++i) {
    counts[pickName(chooser, pool)]++;
  }
  CHECK(counts == std::map<std::string, int>{{"fe01", 5}, {"fe03", 5}});
}

TEST_CASE("least-connections: the node with the fewest active requests and ties in turn", "[loadbalancer]") {
  core::SeededRng rng(1);
  auto c = config(3, PolicyKind::LeastConnections);
  BackendPool pool(c.backends, 1, 1);
  BackendChooser chooser(pool, c, rng);
  pool.acquire(0);
  pool.acquire(0);
  pool.acquire(1);
  CHECK(pickName(chooser, pool) == "fe03");
  pool.acquire(2);
  pool.acquire(2);
  CHECK(pickName(chooser, pool) == "fe02");
  pool.release(0);
  pool.release(0);
  CHECK(pickName(chooser, pool) == "fe01");
  // All equal: spread, not always the first.
  pool.acquire(0);
  pool.release(2);
  std::set<std::string> seen;
  for (int i = 0; i < 6; ++i) {
    seen.insert(pickName(chooser, pool));
  }
  CHECK(seen.size() == 3);
}

TEST_CASE("random: the same seed gives the same sequence and every node is used", "[loadbalancer]") {
  auto run = [](std::uint64_t seed) {
    core::SeededRng rng(seed);
    auto c = config(3, PolicyKind::Random);
    BackendPool pool(c.backends, 1, 1);
    BackendChooser chooser(pool, c, rng);
    std::vector<std::string> out;
    for (int i = 0; i < 40; ++i) {
      out.push_back(pickName(chooser, pool));
    }
    return out;
  };
  const auto a = run(42);
  CHECK(a == run(42));
  CHECK(a != run(43));
  CHECK(std::set<std::string>(a.begin(), a.end()).size() == 3);
}

TEST_CASE("source affinity: stable per address and spread over addresses", "[loadbalancer]") {
  for (auto mode : {AffinityMode::SourceHash, AffinityMode::SourceSticky}) {
    core::SeededRng rng(7);
    auto c = config(3, PolicyKind::RoundRobin, mode);
    BackendPool pool(c.backends, 1, 1);
    BackendChooser chooser(pool, c, rng);
    std::set<std::string> nodes;
    std::map<std::string, std::string> first;
    for (int ip = 1; ip <= 30; ++ip) {
      const std::string addr = "10.0.0." + std::to_string(ip);
      first[addr] = pickName(chooser, pool, {addr, {}});
      nodes.insert(first[addr]);
    }
    CHECK(nodes.size() == 3);
    for (int round = 0; round < 3; ++round) {
      for (const auto& [addr, node] : first) {
        CHECK(pickName(chooser, pool, {addr, {}}) == node);
      }
    }
    // The node of one client goes down: that client moves, the others keep theirs.
    const auto victim = *pool.find(first["10.0.0.1"]);
    takeDown(pool, victim, 1);
    CHECK(pickName(chooser, pool, {"10.0.0.1", {}}) != first["10.0.0.1"]);
    for (const auto& [addr, node] : first) {
      if (node != first["10.0.0.1"]) {
        CHECK(pickName(chooser, pool, {addr, {}}) == node);
      }
    }
  }
}

TEST_CASE("cookie affinity: a valid cookie wins and a missing or stale one is replaced", "[loadbalancer]") {
  core::SeededRng rng(1);
  auto c = config(3, PolicyKind::RoundRobin, AffinityMode::Cookie);
  BackendPool pool(c.backends, 1, 1);
  BackendChooser chooser(pool, c, rng);

  auto first = chooser.choose({"10.0.0.1", {}});
  REQUIRE(first.ok());
  CHECK(first->setCookie);

  for (int i = 0; i < 4; ++i) {
    auto p = chooser.choose({"10.0.0.1", std::string_view("lang=en; KPLB=fe03; x=1")});
    REQUIRE(p.ok());
    CHECK(pool.spec(p->backend).name == "fe03");
    CHECK_FALSE(p->setCookie);
  }
  for (auto cookie : {"KPLB=fe09", "KPLB=", "KPLBX=fe03", "kplb=fe03"}) {
    auto p = chooser.choose({"10.0.0.1", std::string_view(cookie)});
    REQUIRE(p.ok());
    CHECK(p->setCookie);
  }
  takeDown(pool, 2, 1);
  auto moved = chooser.choose({"10.0.0.1", std::string_view("KPLB=fe03")});
  REQUIRE(moved.ok());
  CHECK(pool.spec(moved->backend).name != "fe03");
  CHECK(moved->setCookie);

  CHECK(affinityCookie("KPLB", "fe02") == "KPLB=fe02; Path=/; HttpOnly");
  CHECK(cookieValue("a=1;KPLB=\"fe02\" ; b=2", "KPLB") == std::optional<std::string_view>("fe02"));
  CHECK_FALSE(cookieValue("a=1; b", "KPLB").has_value());
}

TEST_CASE("sticky table: bounded and forgets the oldest entries first", "[loadbalancer]") {
  StickyTable t(2);
  t.remember("a", 0);
  t.remember("b", 1);
  t.remember("a", 2);  // update, not a new entry
  CHECK(t.size() == 2);
  CHECK(t.lookup("a") == std::optional<std::size_t>(2));
  t.remember("c", 1);
  CHECK(t.size() == 2);
  CHECK_FALSE(t.lookup("a").has_value());
  CHECK(t.lookup("c") == std::optional<std::size_t>(1));
}

TEST_CASE("backend pool: rise and fall counting with logged transitions", "[loadbalancer]") {
  BackendPool pool(specs(2), 2, 3);
  CHECK(pool.available(1));
  CHECK_FALSE(pool.recordCheck(1, false, "connection refused"));
  CHECK_FALSE(pool.recordCheck(1, true, "HTTP 200"));  // resets the streak
  CHECK_FALSE(pool.recordCheck(1, false, "connection refused"));
  CHECK_FALSE(pool.recordCheck(1, false, "connection refused"));
  auto down = pool.recordCheck(1, false, "connection refused");
  REQUIRE(down);
  CHECK(down->message() == "fe02 DOWN after 3 failed checks: connection refused");
  CHECK_FALSE(pool.available(1));
  CHECK(pool.availableBackends() == std::vector<std::size_t>{0});
  CHECK_FALSE(pool.recordCheck(1, true, "HTTP 200"));
  auto up = pool.recordCheck(1, true, "HTTP 200");
  REQUIRE(up);
  CHECK(up->message() == "fe02 UP after 2 passed checks: HTTP 200");
  const auto s = pool.stats(1);
  CHECK(s.wentDown == 1);
  CHECK(s.cameUp == 1);
  CHECK(s.checks == 7);
  CHECK(s.failedChecks == 4);
}

TEST_CASE("chooser: nothing available is an error naming each node's state", "[loadbalancer]") {
  core::SeededRng rng(1);
  auto c = config(2, PolicyKind::RoundRobin);
  BackendPool pool(c.backends, 1, 2);
  BackendChooser chooser(pool, c, rng);
  takeDown(pool, 0, 2);
  REQUIRE(pool.setDraining("fe02", true).ok());
  auto p = chooser.choose({"10.0.0.1", {}});
  REQUIRE_FALSE(p.ok());
  CHECK(p.error().code == "no_healthy_backend");
  CHECK(p.error().detail == "no healthy backend: fe01 down (connection refused), fe02 draining");
  CHECK(pool.setDraining("fe09", true).error().code == "unknown_backend");
  REQUIRE(pool.setDraining("fe02", false).ok());
  CHECK(pickName(chooser, pool) == "fe02");
  // Nodes that failed for this request are left out.
  std::vector<std::size_t> exclude{1};
  auto none = chooser.choose({"10.0.0.1", {}}, exclude);
  REQUIRE_FALSE(none.ok());
  CHECK_THAT(none.error().detail, Catch::Contains("failed for this request: fe02"));
}
