// Integration: the built-in scenarios whose story is about NTLM (fallback, external clients, the load
// balancer's affinity, Netlogon's MaxConcurrentApi), run for real on 127.0.0.1.
#include <catch2/catch.hpp>

#include "tests/scenarios/scenario_run_support.hpp"

using namespace kerbpool;
using client::OutcomeKind;
using kerbpool::test::checkExpectations;
using kerbpool::test::runBuiltin;

TEST_CASE("scenario per-node-spn: internal clients fall back to NTLM through Netlogon",
          "[integration][scenarios][ntlm]") {
  const auto r = runBuiltin("per-node-spn", 12);
  checkExpectations(r);
  const auto& o = r.population.outcomes.overall;
  CHECK(o.ntlm == o.total());
  // One pass-through per NTLM logon; later requests ride on the connection NTLM authenticated.
  CHECK(r.servers.netlogonCalls > 0);
  CHECK(r.servers.netlogonCalls <= o.ntlm);
  CHECK(r.servers.event(4776) == r.servers.netlogonCalls);
}

TEST_CASE("scenario external-clients: internal PCs use Kerberos and the others NTLM",
          "[integration][scenarios][ntlm]") {
  const auto r = runBuiltin("external-clients", 15);
  checkExpectations(r);
  const auto& byProfile = r.population.outcomes.byProfile;
  CHECK(byProfile.at("internal-pc").kerberos == byProfile.at("internal-pc").total());
  CHECK(byProfile.at("external-pc").ntlm == byProfile.at("external-pc").total());
  CHECK(byProfile.at("mobile").ntlm == byProfile.at("mobile").total());
}

TEST_CASE("scenario cname-vs-a: clients of the CNAME ask for the canonical name's SPN",
          "[integration][scenarios][ntlm]") {
  const auto r = runBuiltin("cname-vs-a", 12);
  checkExpectations(r);
  const auto& byHost = r.population.outcomes.byHost;
  CHECK(byHost.at("pool.contoso.test").kerberos == byHost.at("pool.contoso.test").total());
  CHECK(byHost.at("web.contoso.test").ntlm == byHost.at("web.contoso.test").total());
  CHECK(r.population.outcomes.spnsByHost.at("web.contoso.test").count("HTTP/lb01.contoso.test") == 1);
  CHECK(scenarios::formatReport(r).find("Clients of web.contoso.test asked for HTTP/lb01.contoso.test") !=
        std::string::npos);
}

TEST_CASE("scenario ntlm-l7-no-affinity: NTLM legs spread over nodes fail",
          "[integration][scenarios][ntlm]") {
  const auto r = runBuiltin("ntlm-l7-no-affinity", 12);
  checkExpectations(r);
  // The refused AUTHENTICATE is a 401: the browser asks the user for credentials.
  const auto& o = r.population.outcomes.overall;
  CHECK(o.prompt + o.failed > o.total() / 2);
  CHECK(r.servers.deniedFor("ntlm_no_challenge_on_connection") > 0);
  CHECK(scenarios::formatReport(r).find("affinity") != std::string::npos);
}

TEST_CASE("scenario ntlm-bottleneck: MaxConcurrentApi 2 makes logons queue on the DC",
          "[integration][scenarios][ntlm]") {
  const auto r = runBuiltin("ntlm-bottleneck", 40);
  checkExpectations(r);
  CHECK(r.servers.netlogonCalls > 0);
  CHECK(r.servers.semaphore.maxWaiters > 0);
  CHECK(scenarios::formatReport(r).find("MaxConcurrentApi = 2") != std::string::npos);
}
