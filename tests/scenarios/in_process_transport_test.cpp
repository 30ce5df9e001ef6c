// The in-process transport (Scenario::transport): the client's KDC rules without sockets, and the built-in
// scenarios (HTTP through either kind of balancer connection model included) ending the same way over it as
// over loopback.
#include <catch2/catch.hpp>

#include "scenarios/in_process_kdc.hpp"
#include "tests/client/scripted_kdc.hpp"
#include "tests/scenarios/scenario_run_support.hpp"

using namespace kerbpool;
using scenarios::InProcessKdcNetwork;
using test::ScriptedKdc;

namespace {

std::string text(const core::Result<core::Bytes>& r) {
  REQUIRE(r.ok());
  return std::string(r->begin(), r->end());
}

}  // namespace

TEST_CASE("in-process KDC transport: UDP first and the TOO_BIG retry as a TCP frame",
          "[scenarios][transport]") {
  ScriptedKdc dc;
  InProcessKdcNetwork network({{"DC01", &dc}});
  CHECK(text(network.exchangeFrom("127.0.0.9", core::toBytes("hello"))) == "U:hello");
  CHECK(dc.lastPeer.rfind("127.0.0.9:", 0) == 0);
  CHECK(text(network.exchangeFrom("127.0.0.9", core::toBytes("Big"))) == "T:Big");
  const auto s = network.stats();
  CHECK(s.udpExchanges == 1);
  CHECK(s.tcpExchanges == 1);
  CHECK(s.tooBigRetries == 1);
  CHECK(dc.udpCalls == 2);
  CHECK(dc.tcpCalls == 1);
}

TEST_CASE("in-process KDC transport: a request over the UDP preference limit goes as a TCP frame",
          "[scenarios][transport]") {
  ScriptedKdc dc;
  InProcessKdcNetwork network({{"DC01", &dc}}, 8);
  CHECK(text(network.exchangeFrom("", core::toBytes("longer than eight"))) == "T:longer than eight");
  CHECK(dc.udpCalls == 0);
  CHECK(dc.tcpCalls == 1);
  CHECK(dc.lastPeer.rfind("127.0.0.1:", 0) == 0);
}

TEST_CASE("in-process KDC transport: a DC that drops the request passes it to the next one",
          "[scenarios][transport]") {
  ScriptedKdc first;
  first.silent = true;
  ScriptedKdc second;
  InProcessKdcNetwork network({{"DC01", &first}, {"DC02", &second}});
  CHECK(text(network.exchangeFrom("127.0.0.9", core::toBytes("hello"))) == "U:hello");
  CHECK(first.udpCalls == 1);
  CHECK(first.tcpCalls == 1);

  second.silent = true;
  const auto none = network.exchangeFrom("127.0.0.9", core::toBytes("hello"));
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().code == "kdc_unreachable");
  CHECK(none.error().detail.find("DC01: the KDC dropped") != std::string::npos);
  CHECK(none.error().detail.find("DC02: the KDC dropped") != std::string::npos);
  CHECK(network.stats().failures == 1);

  InProcessKdcNetwork empty({});
  const auto noKdc = empty.exchangeFrom("", core::toBytes("x"));
  REQUIRE_FALSE(noKdc.ok());
  CHECK(noKdc.error().code == "no_kdc");
}

namespace {

scenarios::RunReport runSerial(const std::string& name, std::uint64_t clients,
                               scenarios::Transport transport) {
  scenarios::RunOptions options;
  options.serial = true;
  options.clients = clients;
  options.transport = transport;
  return test::runBuiltinWith(name, options);
}

void checkSameCounts(const scenarios::OutcomeCounts& a, const scenarios::OutcomeCounts& b) {
  CHECK(a.kerberos == b.kerberos);
  CHECK(a.ntlm == b.ntlm);
  CHECK(a.prompt == b.prompt);
  CHECK(a.failed == b.failed);
  CHECK(a.total() == b.total());
}

}  // namespace

// One client at a time, so that a seeded run repeats its counts: the same requests then meet the same nodes
// and the KDC answers the same messages whichever way they travel.
TEST_CASE("in-process transport: built-in scenarios end as over loopback",
          "[integration][scenarios][transport]") {
  const auto name =
      GENERATE(as<std::string>{}, "per-node-spn", "spn-one-node", "clock-skew", "ntlm-l7-haproxy",
               "ntlm-l7-no-affinity", "password-roll", "exchange-asa-roll-cas-down", "tour");
  INFO(name);
  const auto loopback = runSerial(name, 8, scenarios::Transport::Loopback);
  const auto inProcess = runSerial(name, 8, scenarios::Transport::InProcess);
  INFO(scenarios::formatReport(inProcess));
  CHECK(inProcess.scenario.transport == scenarios::Transport::InProcess);
  CHECK(loopback.scenario.transport == scenarios::Transport::Loopback);
  // HTTP in process too, except where the pool serves HTTPS (the tour), which stays on loopback.
  CHECK(inProcess.httpInProcess == (inProcess.scenario.pool.tls ? "none" : "vip-and-nodes"));
  // Connections did go through the in-process network (a run that fell back to sockets would have none).
  CHECK((inProcess.httpInProcessConnections > 0) == !inProcess.scenario.pool.tls);
  CHECK(loopback.httpInProcess.empty());
  checkSameCounts(loopback.population.outcomes.overall, inProcess.population.outcomes.overall);
  for (const auto& [node, counts] : loopback.population.outcomes.byNode) {
    INFO(node);
    auto it = inProcess.population.outcomes.byNode.find(node);
    REQUIRE(it != inProcess.population.outcomes.byNode.end());
    checkSameCounts(counts, it->second);
  }
  CHECK(loopback.servers.kdcRequests == inProcess.servers.kdcRequests);
  CHECK(loopback.servers.kdcErrors == inProcess.servers.kdcErrors);
  CHECK(loopback.servers.kdcIssued == inProcess.servers.kdcIssued);
  CHECK(loopback.servers.eventStatus == inProcess.servers.eventStatus);
  CHECK(loopback.servers.events == inProcess.servers.events);
  CHECK(loopback.servers.netlogonCalls == inProcess.servers.netlogonCalls);
  CHECK(inProcess.violations == 0);
  CHECK(scenarios::formatReport(inProcess).find("Transport in-process") != std::string::npos);
  CHECK(scenarios::formatReport(loopback).find("Transport in-process") == std::string::npos);
}

TEST_CASE("in-process transport: the scenario file chooses it and --pcap refuses it",
          "[scenarios][transport]") {
  const auto* builtin = scenarios::findBuiltinScenario("shared-account");
  REQUIRE(builtin != nullptr);
  std::string j(builtin->json);
  j.insert(j.find('{') + 1, R"("transport": "in-process", )");
  auto scenario = scenarios::parseScenario(j);
  INFO((scenario.ok() ? std::string() : scenario.error().message()));
  REQUIRE(scenario.ok());
  CHECK(scenario->transport == scenarios::Transport::InProcess);

  std::string bad(builtin->json);
  bad.insert(bad.find('{') + 1, R"("transport": "carrier-pigeon", )");
  const auto refused = scenarios::parseScenario(bad);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message().find("transport") != std::string::npos);

  scenarios::RunOptions options;
  options.capture = scenarios::CaptureRequest{"unused.pcapng", 0};
  const auto run = scenarios::runScenario(*scenario, options);
  REQUIRE_FALSE(run.ok());
  CHECK(run.error().code == "capture_needs_loopback");
}
