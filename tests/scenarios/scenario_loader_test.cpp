#include <catch2/catch.hpp>

#include "scenarios/builtin_scenarios.hpp"
#include "scenarios/metric_names.hpp"
#include "scenarios/scenario_loader.hpp"
#include "scenarios/scenario_runner.hpp"

using namespace kerbpool;

namespace {

std::string errorOf(const std::string& json) {
  auto s = scenarios::parseScenario(json);
  return s.ok() ? std::string() : s.error().detail;
}

}  // namespace

TEST_CASE("scenario loader: a minimal scenario gets the pool defaults", "[scenarios]") {
  auto s = scenarios::parseScenario(R"({"name": "minimal", "users": {"count": 2}})");
  INFO((s.ok() ? std::string() : s.error().message()));
  REQUIRE(s.ok());
  CHECK(s->pool.fqdn == "pool.contoso.test");
  CHECK(s->pool.nodes == std::vector<std::string>{"fe01", "fe02", "fe03"});
  CHECK(s->dns.size() == 1);
  CHECK(s->dns[0].target == "lb");
  CHECK(s->clients.size() == 1);
  CHECK(s->profile("internal-pc") != nullptr);
  CHECK(s->realmJson.find("FE02$") != std::string::npos);
  CHECK(s->realmJson.find("user002") != std::string::npos);
}

TEST_CASE("scenario loader: errors name the JSON path of the bad field", "[scenarios]") {
  CHECK(errorOf(R"({"name": "x", "clients": [{"profile": "laptop"}]})")
            .rfind("clients[0].profile: 'laptop'", 0) == 0);
  CHECK(errorOf(R"({"name": "x", "pool": {"load_balancer": {"mode": "udp"}}})")
            .rfind("pool.load_balancer.mode: 'udp' is not one of: http, tcp", 0) == 0);
  CHECK(errorOf(R"({"name": "x", "pool": {"load_balancer": {"connection_model": "f5"}}})")
            .rfind(
                "pool.load_balancer.connection_model: 'f5' is not one of: per-request, haproxy, server-close",
                0) == 0);
  CHECK(errorOf(R"({"name": "x", "pool": {"load_balancer": {"mode": "tcp", "connection_model": "haproxy"}}})")
            .rfind("pool.load_balancer.connection_model: 'haproxy' is a layer 7 model", 0) == 0);
  CHECK(errorOf(R"({"name": "x", "pool": {"extended_protection": "on"}})")
            .rfind("pool.extended_protection: 'on' is not one of: off, allow, require", 0) == 0);
  CHECK(errorOf(R"({"name": "x", "pool": {"load_balancer": {"tls": "offload"}}})")
            .rfind("pool.load_balancer.tls: 'offload' is how a layer 7 balancer carries the pool's TLS", 0) ==
        0);
  CHECK(errorOf(R"({"name": "x", "domain_controllers": [{"max_concurrent_api": 151}]})")
            .rfind("domain_controllers[0].max_concurrent_api", 0) == 0);
  CHECK(
      errorOf(
          R"({"name": "x", "operations": [{"op": "setspn", "flag": "-A", "account": "FE01$", "spn": "HTTP"}]})")
          .rfind("operations[0].spn", 0) == 0);
  CHECK(errorOf(R"({"name": "x", "timeline": [{"at_percent": 50, "event": "node_down", "node": "fe09"}]})")
            .rfind("timeline[0].node: 'fe09' is not a node", 0) == 0);
  CHECK(errorOf(R"({"name": "x", "expect": {"kerberos": {"min": 1}}})")
            .rfind("expect.kerberos: unknown metric", 0) == 0);
  CHECK(
      errorOf(R"({"name": "x", "realm": {"accounts": [{"sam": "bad", "kind": "wizard", "password": "p"}]}})")
          .rfind("realm: accounts[0].kind", 0) == 0);
  CHECK(errorOf(R"({"name": "x", "colour": "red"})").rfind("colour: unknown key", 0) == 0);
  CHECK(errorOf("{not json").rfind("not valid JSON", 0) == 0);
  // A number nlohmann cannot hold is an error naming its path, not an exception (issue 19).
  CHECK(errorOf(R"({"name": "x", "clients": [{"count": 1}, {"count": 1e400}]})")
            .rfind("not valid JSON: clients[1].count: [json.exception.out_of_range.406] number overflow",
                   0) == 0);
  CHECK(errorOf(R"({"name": "x", "clients": [{"count": -1e400}]})")
            .rfind("not valid JSON: clients[0].count", 0) == 0);
  CHECK(errorOf(R"({"name": "x", "clients": [{"count": 18446744073709551611}]})")
            .rfind("clients[0].count: expected an integer from 1 to 100000", 0) == 0);
}

TEST_CASE(
    "scenario loader: a DC's version sets MaxConcurrentApi's default, and dSHeuristics and dc are checked",
    "[scenarios]") {
  auto s = scenarios::parseScenario(
      R"({"name": "x", "domain_controllers": [{"name": "DC01", "version": "2008R2"}, {"name": "DC02"},
          {"name": "DC03", "version": "2008R2", "max_concurrent_api": 10}]})");
  REQUIRE(s.ok());
  CHECK(s->domainControllers[0].maxConcurrentApi == 2);
  CHECK(s->domainControllers[1].version == "2019");
  CHECK(s->domainControllers[1].maxConcurrentApi == 10);
  CHECK(s->domainControllers[2].maxConcurrentApi == 10);
  for (const auto& key : scenarios::dcVersionKeys()) {
    INFO(key);
    CHECK(scenarios::parseScenario(R"({"name": "x", "domain_controllers": [{"version": ")" + key + R"("}]})")
              .ok());
  }
  CHECK(errorOf(R"({"name": "x", "domain_controllers": [{"version": "2008 R2"}]})")
            .rfind("domain_controllers[0].version: '2008 R2' is not one of: 2003, 2008, 2008R2, 2012", 0) ==
        0);
  CHECK(errorOf(
            R"({"name": "x", "operations": [{"op": "set_dsheuristics", "value": "0000000001000000000X2"}]})")
            .rfind("operations[0].value: '0000000001000000000X2': dSHeuristics is a string of digits", 0) ==
        0);
  CHECK(errorOf(
            R"({"name": "x", "operations": [{"op": "set_dsheuristics", "value": "000000000000000000022"}]})")
            .rfind("operations[0].value: '000000000000000000022': character 10", 0) == 0);
  CHECK(errorOf(
            R"({"name": "x", "operations": [{"op": "set_dsheuristics", "value": "000000000100000000002"}]})")
            .rfind("operations[0].value: '000000000100000000002': character 20", 0) == 0);
  CHECK(errorOf(R"({"name": "x", "operations": [{"op": "setspn", "flag": "-A", "account": "FE01$",
                    "spn": "HTTP/pool.contoso.test", "dc": "DC09"}]})")
            .rfind("operations[0].dc: no domain controller 'DC09'", 0) == 0);
}

TEST_CASE("scenario loader: a profile's enctypes and the domain functional level", "[scenarios]") {
  auto s = scenarios::parseScenario(
      R"({"name": "x", "profiles": [{"name": "old", "enctypes": ["rc4-hmac", "aes128"]}],
          "operations": [{"op": "set_domain_functional_level", "level": "2003"}]})");
  INFO((s.ok() ? std::string() : s.error().message()));
  REQUIRE(s.ok());
  CHECK(s->profile("old")->enctypes == std::vector<std::int32_t>{23, 17});
  CHECK(s->profile("internal-pc")->enctypes == std::vector<std::int32_t>{18, 17});
  CHECK(s->operations.at(0).value == "2003");
  CHECK(errorOf(R"({"name": "x", "profiles": [{"name": "old", "enctypes": ["des"]}]})")
            .rfind("profiles[0].enctypes[0]: 'des' is not one of", 0) == 0);
  CHECK(errorOf(R"({"name": "x", "profiles": [{"name": "old", "enctypes": []}]})")
            .rfind("profiles[0].enctypes: give at least one enctype", 0) == 0);
  CHECK(errorOf(R"({"name": "x", "profiles": [{"name": "old", "enctypes": ["rc4", "arcfour-hmac"]}]})")
            .rfind("profiles[0].enctypes[1]: 'arcfour-hmac' is named twice", 0) == 0);
  CHECK(errorOf(R"({"name": "x", "operations": [{"op": "set_domain_functional_level", "level": "2000"}]})")
            .rfind("operations[0].level: '2000' is not one of: 2003, 2008", 0) == 0);
}

TEST_CASE("scenario loader: DefaultDomainSupportedEncTypes as a number or a hex string", "[scenarios]") {
  auto s = scenarios::parseScenario(
      R"({"name": "x", "operations": [{"op": "set_default_domain_supported_enctypes", "value": "0x27"},
                                      {"op": "set_default_domain_supported_enctypes", "value": 24}]})");
  INFO((s.ok() ? std::string() : s.error().message()));
  REQUIRE(s.ok());
  CHECK(s->operations.at(0).value == "0x27");
  CHECK(s->operations.at(1).value == "24");
  CHECK(
      errorOf(
          R"({"name": "x", "operations": [{"op": "set_default_domain_supported_enctypes", "value": "RC4"}]})")
          .rfind("operations[0].value: 'RC4' is not a mask such as 0x18 or 24", 0) == 0);
  CHECK(errorOf(R"({"name": "x", "operations": [{"op": "set_default_domain_supported_enctypes"}]})")
            .rfind("operations[0].value: expected a mask", 0) == 0);
  CHECK(errorOf(
            R"({"name": "x", "operations": [{"op": "set_default_domain_supported_enctypes", "value": 64}]})")
            .rfind("operations[0].value: '64' is outside 0x1..0x3F", 0) == 0);
}

TEST_CASE("scenario loader: lists that must not be empty or repeat a name say so at their path",
          "[scenarios]") {
  CHECK(errorOf(R"({"name": "x", "domain_controllers": []})")
            .rfind("domain_controllers: give at least one domain controller", 0) == 0);
  CHECK(errorOf(R"({"name": "x", "domain_controllers": [{"name": "DC01"}, {"name": "dc01"}]})")
            .rfind("domain_controllers[1].name: domain controller 'dc01' is named twice (also "
                   "domain_controllers[0])",
                   0) == 0);
  CHECK(errorOf(R"({"name": "x", "pool": {"nodes": ["fe01", "fe02", "FE01"]}})")
            .rfind("pool.nodes[2]: node 'fe01' is named twice (also pool.nodes[0]", 0) == 0);
  CHECK(errorOf(R"({"name": "x", "pool": {"nodes": ["fe01", ""]}})")
            .rfind("pool.nodes[1]: expected a non-empty string", 0) == 0);
  CHECK(errorOf(R"({"name": "x", "clients": [{"connections": "sometimes"}]})")
            .rfind("clients[0].connections: 'sometimes' is not one of: keep-alive, per-request", 0) == 0);
  CHECK(errorOf(R"({"name": "x", "domain_controllers": [{"warning_event_threshold_s": 46}]})")
            .rfind("domain_controllers[0].warning_event_threshold_s", 0) == 0);
  CHECK(
      errorOf(
          R"({"name": "x", "timeline": [{"at_percent": 5, "event": "node_down", "node": "fe01", "offset_s": 3}]})")
          .rfind("timeline[0].offset_s: a node_down event takes no offset_s", 0) == 0);
  CHECK(errorOf(R"({"name": "x", "timeline": [{"at_percent": 5, "event": "password_roll", "account": "A$",
                    "reach": ["fe01", "fe09"]}]})")
            .rfind("timeline[0].reach[1]: 'fe09' is not a node of the pool", 0) == 0);
  CHECK(errorOf(R"({"name": "x", "domain_controllers": [{"wait_timeout_s": 0}]})")
            .rfind("domain_controllers[0].wait_timeout_s: expected a number from 0.001 to 3600", 0) == 0);
  auto s = scenarios::parseScenario(
      R"({"name": "x", "domain_controllers": [{"warning_event_threshold_s": 0.5, "event_log_periodicity_s": 2}],
          "clients": [{"connections": "per-request"}]})");
  REQUIRE(s.ok());
  CHECK(s->domainControllers.at(0).warningEventThresholdS == 0.5);
  CHECK(s->domainControllers.at(0).eventLogPeriodicityS == 2);
  CHECK(s->clients.at(0).connectionPerRequest);
}

TEST_CASE("scenario loader: every metric the loader accepts is one the runner can measure", "[scenarios]") {
  scenarios::RunReport empty;
  for (const auto& m : scenarios::knownMetrics()) {
    INFO(m);
    CHECK(empty.metric(m).has_value());
    CHECK(errorOf(R"({"name": "x", "expect": {")" + m + R"(": {"min": 0}}})").empty());
  }
  CHECK(errorOf(R"({"name": "x", "expect": {"event_99999": {"min": 0}}})")
            .rfind("expect.event_99999: unknown metric", 0) == 0);
}

TEST_CASE("scenario loader: every built-in scenario loads and the tour is there", "[scenarios]") {
  const auto& all = scenarios::builtinScenarios();
  REQUIRE(all.size() >= 12);
  CHECK(scenarios::findBuiltinScenario("tour") != nullptr);
  for (const auto& b : all) {
    auto s = scenarios::parseScenario(b.json);
    INFO(b.name << ": " << (s.ok() ? std::string() : s.error().message()));
    REQUIRE(s.ok());
    CHECK(s->name == b.name);
    CHECK_FALSE(s->description.empty());
    CHECK(s->totalRequests() > 0);
  }
}

TEST_CASE("scenario loader: iisreset as an event and as the end of apply_fix", "[scenarios]") {
  auto s = scenarios::parseScenario(R"({"name": "x", "timeline": [
      {"at_percent": 60, "event": "iisreset", "node": "FE02"},
      {"at_percent": 40, "event": "apply_fix", "iisreset": true},
      {"at_percent": 80, "event": "iisreset"}]})");
  INFO((s.ok() ? std::string() : s.error().message()));
  REQUIRE(s.ok());
  REQUIRE(s->timeline.size() == 3);
  using Kind = scenarios::TimelineEvent::Kind;
  CHECK(s->timeline[0].kind == Kind::ApplyFix);
  CHECK(s->timeline[0].iisreset);
  CHECK(s->timeline[1].kind == Kind::IisReset);
  CHECK(s->timeline[1].node == "fe02");
  CHECK(s->timeline[2].node.empty());  // every node
  CHECK(errorOf(R"({"name": "x", "timeline": [{"at_percent": 5, "event": "iisreset", "node": "fe07"}]})")
            .rfind("timeline[0].node: 'fe07' is not a node", 0) == 0);
  CHECK(errorOf(R"({"name": "x", "timeline": [{"at_percent": 5, "event": "node_down", "node": "fe01",
                                                "iisreset": true}]})")
            .rfind("timeline[0].iisreset: only an apply_fix event", 0) == 0);
  CHECK(errorOf(R"({"name": "x", "timeline": [{"at_percent": 5, "event": "apply_fix", "iisreset": "yes"}]})")
            .rfind("timeline[0].iisreset", 0) == 0);
}
