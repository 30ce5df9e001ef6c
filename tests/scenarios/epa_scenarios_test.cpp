// Extended Protection in a whole pool: how the load balancer carries TLS decides whether the nodes accept the
// tokens workstations bound to the certificate they saw.
#include <catch2/catch.hpp>

#include "tests/scenarios/scenario_run_support.hpp"

using namespace kerbpool;
using kerbpool::test::checkExpectations;
using kerbpool::test::oneLine;
using kerbpool::test::runBuiltin;

namespace {

// epa-tls-termination with the balancer's TLS handling and the nodes' Extended Protection changed.
scenarios::RunReport runVariant(const std::string& tls, const std::string& extendedProtection) {
  const auto* builtin = scenarios::findBuiltinScenario("epa-tls-termination");
  REQUIRE(builtin != nullptr);
  auto scenario = scenarios::parseScenario(builtin->json);
  REQUIRE(scenario.ok());
  scenario->pool.loadBalancer.tls = tls;
  scenario->pool.extendedProtection = extendedProtection;
  scenario->expectations.clear();
  auto report = scenarios::runScenario(*scenario, scenarios::RunOptions{});
  INFO((report.ok() ? std::string() : report.error().message()));
  REQUIRE(report.ok());
  return std::move(*report);
}

}  // namespace

TEST_CASE(
    "scenario epa-tls-termination: tokens bound to the balancer's certificate are refused by every node",
    "[integration][scenarios][epa]") {
  const auto r = runBuiltin("epa-tls-termination");
  KP_INFO_REPORT(r);
  checkExpectations(r);
  const auto& o = r.population.outcomes.overall;
  CHECK(o.prompt == o.total());
  CHECK(r.servers.deniedFor("channel_bindings_mismatch") == o.total());
  const auto text = oneLine(scenarios::formatReport(r));
  CHECK(text.find("SEC_E_BAD_BINDINGS") != std::string::npos);
  CHECK(text.find("the load balancer's own certificate") != std::string::npos);
  CHECK(text.find("Pass TLS through to the nodes") != std::string::npos);
}

TEST_CASE("scenario epa-tls-passthrough: the same nodes accept every token when TLS ends at them",
          "[integration][scenarios][epa]") {
  const auto r = runBuiltin("epa-tls-passthrough");
  KP_INFO_REPORT(r);
  checkExpectations(r);
  const auto& o = r.population.outcomes.overall;
  CHECK(o.kerberos + o.ntlm == o.total());
  CHECK(o.kerberos > 0);
  CHECK(o.ntlm > 0);
  CHECK(r.servers.deniedFor("channel_bindings_mismatch") == 0);
}

TEST_CASE(
    "Extended Protection variants: offloading fails, the nodes' certificate on the balancer or EPA off works",
    "[integration][scenarios][epa]") {
  SECTION("offload: plain HTTP to the nodes, which have no channel") {
    const auto r = runVariant("offload", "require");
    KP_INFO_REPORT(r);
    CHECK(r.population.outcomes.overall.prompt == r.population.outcomes.overall.total());
    CHECK(oneLine(scenarios::formatReport(r)).find("forwarded plain HTTP") != std::string::npos);
  }
  SECTION("re-encrypting with the nodes' certificate (SSL bridging, same certificate)") {
    const auto r = runVariant("reencrypt", "require");
    KP_INFO_REPORT(r);
    const auto& o = r.population.outcomes.overall;
    CHECK(o.kerberos + o.ntlm == o.total());
  }
  SECTION("Extended Protection off: the balancer's own certificate does not matter") {
    const auto r = runVariant("reencrypt-own-certificate", "off");
    KP_INFO_REPORT(r);
    const auto& o = r.population.outcomes.overall;
    CHECK(o.kerberos + o.ntlm == o.total());
  }
}
