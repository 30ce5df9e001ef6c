#include <catch2/catch.hpp>
#include <regex>
#include <set>

#include "tests/loadbalancer/lb_fixture.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/tools.hpp"

using namespace kerbpool;

namespace {

std::uint16_t readyPort(const std::string& output) {
  std::smatch m;
  const std::regex re("ready on 127\\.0\\.0\\.1:([0-9]+)");
  REQUIRE(std::regex_search(output, m, re));
  return static_cast<std::uint16_t>(std::stoi(m[1].str()));
}

}  // namespace

TEST_CASE("kerbpool lb serves until SIGTERM and prints its counters", "[loadbalancer][cli]") {
  // The nodes run as processes too: a listening socket of this process would be inherited by the child.
  test::TempDir dir;
  const auto bin = test::kerbpoolBinary();
  test::BackgroundProcess fe01({bin, "echo-backend", "--name", "fe01", "--listen", "127.0.0.1:0"},
                               dir / "fe01");
  test::BackgroundProcess fe02({bin, "echo-backend", "--name", "fe02", "--listen", "127.0.0.1:0"},
                               dir / "fe02");
  REQUIRE(fe01.waitForOutput("ready on"));
  REQUIRE(fe02.waitForOutput("ready on"));
  const auto p1 = std::to_string(readyPort(fe01.output()));
  const auto p2 = std::to_string(readyPort(fe02.output()));
  test::BackgroundProcess lb({bin, "lb", "--mode", "http", "--listen", "127.0.0.1:0", "--backend",
                              "fe01=127.0.0.1:" + p1, "--backend", "fe02=127.0.0.1:" + p2, "--policy",
                              "round-robin", "--health-interval-ms", "50", "--rise", "1", "--fall", "1"},
                             dir / "lb.out");
  REQUIRE(lb.waitForOutput("kerbpool lb: ready on"));
  const auto port = readyPort(lb.output());
  std::set<std::string> nodes;
  for (int i = 0; i < 2; ++i) {
    test::HttpTestClient c(port);
    auto r = c.get("/");
    REQUIRE(r.has_value());
    nodes.insert(test::echoFields(r->body).at("node"));
  }
  CHECK(nodes == std::set<std::string>{"fe01", "fe02"});
  CHECK(fe02.stop() == 0);
  CHECK(fe02.output().find("fe02 served 1 requests") != std::string::npos);
  const bool down = lb.waitForOutput("fe02 DOWN after 1 failed check: Connection refused");
  INFO(lb.output());
  REQUIRE(down);
  CHECK(lb.stop() == 0);
  const auto out = lb.output();
  CHECK(out.find("requests 2") != std::string::npos);
  CHECK(out.find("fe02 127.0.0.1:" + p2 + " DOWN") != std::string::npos);
}

TEST_CASE("kerbpool lb refuses a bad configuration with a message", "[loadbalancer][cli]") {
  const auto bin = test::shellQuote(test::kerbpoolBinary());
  auto r = test::runCommand(bin + " lb --mode tcp --backend fe01=127.0.0.1:1 --tls-cert x.pem");
  CHECK(r.exitCode == 2);
  CHECK(r.output.find("tcp mode passes TLS through") != std::string::npos);
  auto bad = test::runCommand(bin + " lb --backend fe01");
  CHECK(bad.exitCode == 2);
  CHECK(bad.output.find("expected NAME=HOST:PORT") != std::string::npos);
}
