// The balancer under abuse (issue 19), with real sockets on loopback: 2,000 idle or half-sent client
// connections and oversized headers; a normal request goes through meanwhile and after, memory stays bounded.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "core/common/rng.hpp"
#include "tests/loadbalancer/lb_fixture.hpp"
#include "tests/support/flood.hpp"

using namespace kerbpool;
using namespace std::chrono_literals;

namespace {

struct Reading {
  test::Rss rss;
  long heapKiB;  // -1 without a sanitizer
};

Reading reading() {
  return {test::rss(), test::liveHeapKiB()};
}

// The growth checked is VmRSS's, or under a sanitizer the live heap's (tests/support/flood.hpp).
void report(const std::string& attack, const Reading& before, const Reading& after) {
  WARN("load balancer, " << attack << ": RSS before " << before.rss.current / 1024 << " MiB, after "
                         << after.rss.current / 1024 << " MiB, peak " << after.rss.peak / 1024 << " MiB"
                         << (before.heapKiB >= 0 ? "; live heap before " + std::to_string(before.heapKiB) +
                                                       " KiB, after " + std::to_string(after.heapKiB) + " KiB"
                                                 : std::string()));
  const long growth =
      before.heapKiB >= 0 ? after.heapKiB - before.heapKiB : after.rss.current - before.rss.current;
  CHECK(growth < 64 * 1024);
}

const std::string kGet = "GET /fine HTTP/1.1\r\nHost: pool.contoso.test\r\nConnection: close\r\n\r\n";

}  // namespace

TEST_CASE("lb limits: 2,000 slowloris connections are capped and timed out, and requests go through meanwhile",
          "[loadbalancer][integration]") {
  test::needDescriptors(6000);
  test::EchoNode fe01("fe01");
  core::SeededRng rng(1);
  auto config = test::lbConfig({&fe01});
  config.clientReadTimeout = 1500ms;
  auto lb = test::startLb(config, rng);
  const auto port = lb->port();
  REQUIRE(test::statusFrom("127.0.0.1", port, kGet) == 200);
  const auto before = reading();
  std::vector<int> fds;
  for (int i = 0; i < 2000; ++i) {
    const int fd = test::connectFrom("127.0.0.1", port);
    REQUIRE(fd >= 0);
    test::sendAll(fd, "GET /slow HT");
    fds.push_back(fd);
  }
  CHECK(lb->waitForStats([](const loadbalancer::LbStats& s) { return s.totals.rejectedConnections >= 1000; },
                         15s));
  const auto start = std::chrono::steady_clock::now();
  CHECK(test::statusFrom("127.0.0.2", port, kGet) == 200);
  CHECK(std::chrono::steady_clock::now() - start < 1s);
  CHECK(lb->waitForStats([](const loadbalancer::LbStats& s) { return s.totals.activeClientConnections == 0; },
                         15s));
  const auto totals = lb->stats().totals;
  CHECK(totals.rejectedConnections == 1000);
  CHECK(totals.timeouts >= 1000);
  std::size_t closed = 0;
  for (int fd : fds) {
    closed += test::closedByPeer(fd, 200ms) ? 1 : 0;
    ::close(fd);
  }
  CHECK(closed == fds.size());
  CHECK(fe01.handler().requests() == 2);  // the slow ones never reached the node
  CHECK(test::statusFrom("127.0.0.1", port, kGet) == 200);
  report("2,000 slowloris connections", before, reading());
}

TEST_CASE("lb limits: oversized headers get 431 or a close, never reach a node",
          "[loadbalancer][integration]") {
  test::EchoNode fe01("fe01");
  core::SeededRng rng(1);
  auto lb = test::startLb(test::lbConfig({&fe01}), rng);
  const auto port = lb->port();
  const auto before = reading();
  auto withHeader = [](const std::string& field) {
    return "GET /x HTTP/1.1\r\nHost: pool.contoso.test\r\n" + field + "\r\n\r\n";
  };
  std::string fields;
  for (int i = 0; i < 10000; ++i) {
    fields += "X-F" + std::to_string(i) + ": v\r\n";
  }
  fields.resize(fields.size() - 2);
  for (const std::string& field : {"X-Big: " + std::string(1 << 20, 'a'), fields,
                                   "Authorization: Negotiate " + std::string(1 << 20, 'Y')}) {
    const int status = test::statusFrom("127.0.0.1", port, withHeader(field));
    CHECK((status == 431 || status == 0));
  }
  CHECK(fe01.handler().requests() == 0);
  CHECK(lb->stats().totals.badRequests >= 3);
  CHECK(test::statusFrom("127.0.0.2", port, kGet) == 200);
  report("1 MiB header, 10,000 fields, 1 MiB token", before, reading());
}
