// Integration: the built-in scenarios whose story is about Kerberos (SPNs, the shared account, key
// versions, clocks), each run for real on 127.0.0.1 and checked against its outcomes.
#include <catch2/catch.hpp>

#include "tests/scenarios/scenario_run_support.hpp"

using namespace kerbpool;
using client::OutcomeKind;
using kerbpool::test::checkExpectations;
using kerbpool::test::deniedOn;
using kerbpool::test::oneLine;
using kerbpool::test::runBuiltin;

namespace {

const scenarios::OutcomeCounts& nodeCounts(const scenarios::RunReport& r, const std::string& node) {
  static const scenarios::OutcomeCounts none;
  auto it = r.population.outcomes.byNode.find(node);
  return it == r.population.outcomes.byNode.end() ? none : it->second;
}

}  // namespace

TEST_CASE("scenario per-node-spn: duplicate SPN, event 11, no Kerberos at all", "[integration][scenarios]") {
  const auto r = runBuiltin("per-node-spn", 12);
  KP_INFO_REPORT(r);
  checkExpectations(r);
  CHECK(r.population.outcomes.overall.kerberos == 0);
  CHECK(r.servers.event(11) >= 1);
  CHECK(r.metric("kdc_s_principal_unknown").value_or(0) >= 1);
  const auto text = scenarios::formatReport(r);
  CHECK(text.find("is registered on FE01$, FE02$ and FE03$") != std::string::npos);
  CHECK(text.find("setspn -D HTTP/pool.contoso.test FE01$") != std::string::npos);
}

TEST_CASE("scenario no-spn: nobody holds the SPN and the KDC says S_PRINCIPAL_UNKNOWN",
          "[integration][scenarios]") {
  const auto r = runBuiltin("no-spn", 12);
  KP_INFO_REPORT(r);
  checkExpectations(r);
  CHECK(r.population.outcomes.overall.kerberos == 0);
  CHECK(r.metric("kdc_s_principal_unknown").value_or(0) >= 1);
  CHECK(scenarios::formatReport(r).find("No account holds HTTP/pool.contoso.test") != std::string::npos);
}

TEST_CASE("scenario shared-account: all Kerberos and no Netlogon call", "[integration][scenarios]") {
  const auto r = runBuiltin("shared-account", 12);
  KP_INFO_REPORT(r);
  checkExpectations(r);
  const auto& o = r.population.outcomes.overall;
  CHECK(o.total() == static_cast<std::uint64_t>(r.scenario.totalRequests()));
  CHECK(o.kerberos == o.total());
  CHECK(r.servers.netlogonCalls == 0);
  // Round robin without affinity: every node served Kerberos logons with the shared key.
  for (const auto& node : r.scenario.pool.nodes) {
    CHECK(nodeCounts(r, node).kerberos > 0);
  }
  CHECK(r.servers.event(11) == 0);
  // The assignment is published with Enable-CsTopology, as Lync requires.
  CHECK(
      oneLine(scenarios::formatReport(r))
          .find(
              "New-CsKerberosAccountAssignment -UserAccount \"CONTOSO\\POOLKERB\" -Identity \"site:Site1\"; "
              "Enable-CsTopology") != std::string::npos);
  // Lync's numbering: the new account's own password is kvno 1, which no node gets;
  // Set-CsKerberosAccountPassword makes kvno 2 and delivers it.
  const auto text = oneLine(scenarios::formatReport(r));
  CHECK(text.find(
            "Created computer object POOLKERB$ for the Kerberos web authentication of site Site1 (its own "
            "password, key version (kvno) 1, known to no front-end until Set-CsKerberosAccountPassword)") !=
        std::string::npos);
  CHECK(text.find("POOLKERB$: new password, key version (kvno) 2 kvno 2 delivered to FE01$, FE02$, FE03$") !=
        std::string::npos);
}

TEST_CASE("scenario spn-one-node: Kerberos only on fe01, prompts on the others", "[integration][scenarios]") {
  const auto r = runBuiltin("spn-one-node", 12);
  KP_INFO_REPORT(r);
  checkExpectations(r);
  CHECK(nodeCounts(r, "fe01").kerberos > 0);
  CHECK(nodeCounts(r, "fe02").kerberos == 0);
  CHECK(nodeCounts(r, "fe03").kerberos == 0);
  CHECK(nodeCounts(r, "fe02").prompt > 0);
  CHECK(nodeCounts(r, "fe03").prompt > 0);
  CHECK(deniedOn(r, "fe02", "no_key_for_spn") > 0);
  CHECK(deniedOn(r, "fe01", "no_key_for_spn") == 0);
  const auto why = oneLine(scenarios::formatVerdict(r));
  INFO(why);
  CHECK(why.find("is held only by FE01$") != std::string::npos);
  // What Windows would show next to kerbpool's reason: the client's event 4, naming the refusing node.
  const auto refusals = deniedOn(r, "fe02", "no_key_for_spn") + deniedOn(r, "fe03", "no_key_for_spn");
  CHECK(why.find("each such refusal (" + std::to_string(refusals) + " here) is System event 4") !=
        std::string::npos);
  CHECK(why.find("KRB_AP_ERR_MODIFIED error from the server FE02$") != std::string::npos);
}

TEST_CASE("scenario password-roll: the roll reaches every node and Kerberos never stops",
          "[integration][scenarios]") {
  const auto r = runBuiltin("password-roll", 12);
  KP_INFO_REPORT(r);
  checkExpectations(r);
  REQUIRE(r.population.outcomes.byPhase.size() == 2);
  CHECK(r.population.outcomes.byPhase[1].kerberos == r.population.outcomes.byPhase[1].total());
  REQUIRE(r.directories.size() == 2);
  CHECK(r.directories[1].accountKvno == r.directories[0].accountKvno + 1);
}

TEST_CASE("scenario password-roll-missed-node: the stale node refuses with no_key_for_kvno",
          "[integration][scenarios]") {
  const auto r = runBuiltin("password-roll-missed-node", 12);
  KP_INFO_REPORT(r);
  checkExpectations(r);
  CHECK(deniedOn(r, "fe03", "no_key_for_kvno") > 0);
  CHECK(deniedOn(r, "fe01", "no_key_for_kvno") == 0);
  CHECK(deniedOn(r, "fe02", "no_key_for_kvno") == 0);
  // After the roll, fe03's answers are refusals; before it, Kerberos everywhere.
  const auto& before = r.population.outcomes.byPhase.at(0);
  CHECK(before.kerberos == before.total());
  const auto after = r.population.outcomes.byPhaseNode.find({1, "fe03"});
  REQUIRE(after != r.population.outcomes.byPhaseNode.end());
  CHECK(after->second.kerberos < after->second.total());
  const auto why = oneLine(scenarios::formatVerdict(r));
  INFO(why);
  CHECK(why.find("no_key_for_kvno") != std::string::npos);
  CHECK(why.find("each such refusal (" + std::to_string(deniedOn(r, "fe03", "no_key_for_kvno")) +
                 " here) is System event 4") != std::string::npos);
  CHECK(why.find("KRB_AP_ERR_MODIFIED error from the server FE03$") != std::string::npos);
  // Lync's way to mend the node that missed the roll: copy the password from one that has it.
  CHECK(why.find(
            "Set-CsKerberosAccountPassword -FromComputer fe01.contoso.test -ToComputer fe03.contoso.test") !=
        std::string::npos);
}

TEST_CASE("scenario clock-skew: drifted workstations are refused by the nodes", "[integration][scenarios]") {
  const auto r = runBuiltin("clock-skew", 12);
  KP_INFO_REPORT(r);
  checkExpectations(r);
  const auto& before = r.population.outcomes.byPhase.at(0);
  CHECK(before.kerberos == before.total());
  const auto& after = r.population.outcomes.byPhase.at(1);
  CHECK(after.kerberos < after.total());
  const auto skewErrors =
      r.servers.kdcErrors.count("KRB_AP_ERR_SKEW") ? r.servers.kdcErrors.at("KRB_AP_ERR_SKEW") : 0;
  CHECK(r.metric("clock_skew").value_or(0) + static_cast<double>(skewErrors) > 0);
}

TEST_CASE("scenario tour: the fix turns NTLM into Kerberos", "[integration][scenarios]") {
  const auto r = runBuiltin("tour", 16);
  KP_INFO_REPORT(r);
  checkExpectations(r);
  REQUIRE(r.population.outcomes.byPhase.size() == 2);
  const auto& before = r.population.outcomes.byPhase[0];
  const auto& after = r.population.outcomes.byPhase[1];
  CHECK(before.kerberos == 0);
  CHECK(before.ntlm == before.total());
  // The fix ends with iisreset: the connections NTLM had authenticated are gone, so every request after it
  // is Kerberos and the DC does no more pass-throughs.
  CHECK(after.total() > 0);
  CHECK(after.kerberos == after.total());
  REQUIRE(r.phaseCounters.size() == 2);
  CHECK(r.phaseCounters[0].netlogonCalls > 0);
  CHECK(r.phaseCounters[1].netlogonCalls == 0);
  REQUIRE(r.population.phases.size() == 2);
  REQUIRE_FALSE(r.population.phases[1].steps.empty());
  CHECK(r.population.phases[1].steps.back().command == "iisreset /restart");
  CHECK(r.population.phases[1].steps.back().output.front().find("client connection(s) closed") !=
        std::string::npos);
  CHECK(r.servers.event(11) >= 1);
  REQUIRE(r.directories.size() == 2);
  CHECK(r.directories[0].spns.front().holders.size() == 3);
  CHECK(r.directories[1].spns.front().holders == std::vector<std::string>{"POOLKERB$"});
}

TEST_CASE("scenario runner: --clients scales the groups to the total", "[scenarios]") {
  auto s = scenarios::parseScenario(scenarios::findBuiltinScenario("external-clients")->json);
  REQUIRE(s.ok());
  const auto scaled = scenarios::scaleClients(*s, 10000);
  int total = 0;
  for (const auto& g : scaled.clients) {
    total += g.count;
    CHECK(g.concurrency <= g.count);
  }
  CHECK(total == 10000);
  CHECK(scenarios::scaleClients(*s, 1).clients.size() == s->clients.size());
}

TEST_CASE("scenario scale: every request Kerberos on every node and one logon per connection",
          "[integration][scenarios]") {
  const auto r = runBuiltin("scale", 48);
  KP_INFO_REPORT(r);
  checkExpectations(r);
  const auto& o = r.population.outcomes.overall;
  CHECK(o.total() == static_cast<std::uint64_t>(r.scenario.totalRequests()));
  CHECK(o.kerberos == o.total());
  CHECK(r.servers.netlogonCalls == 0);
  std::uint64_t byConnection = 0;
  std::uint64_t allowed = 0;
  for (const auto& n : r.servers.nodes) {
    CHECK(n.stats.allowed > 0);  // source affinity spreads 48 workstations over the four nodes
    byConnection += n.stats.allowedByConnection;
    allowed += n.stats.allowed;
  }
  // IIS's default persistence: a connection's first request carries the ticket, the others ride on it.
  CHECK(allowed == o.total());
  CHECK(byConnection >= allowed - 48);
}

TEST_CASE("scenario over HTTPS: layer 7 terminates and re-encrypts, layer 4 passes TLS through",
          "[integration][scenarios]") {
  auto s = scenarios::parseScenario(scenarios::findBuiltinScenario("shared-account")->json);
  REQUIRE(s.ok());
  s->pool.tls = true;
  const std::string mode = GENERATE(std::string("http"), std::string("tcp"));
  s->pool.loadBalancer.mode = mode;
  scenarios::RunOptions options;
  options.clients = 8;
  auto run = scenarios::runScenario(*s, options);
  INFO((run.ok() ? std::string() : run.error().message()));
  REQUIRE(run.ok());
  const auto& r = *run;
  INFO(mode << "\n" << scenarios::formatReport(r));
  checkExpectations(r);
  // The workstations use https:// URLs and trust only the lab's CA: a plain or wrongly named server would
  // have failed every request.
  CHECK(r.population.outcomes.overall.kerberos == r.population.outcomes.overall.total());
  CHECK(r.population.outcomes.overall.total() > 0);
  for (const auto& p : r.probes) {
    CHECK(p.status == 401);  // the safety probes reached every node and the VIP over TLS
  }
  std::string text;  // the report with its wrapped lines joined
  for (const char c : scenarios::formatReport(r)) {
    if (c == '\n' || (c == ' ' && !text.empty() && text.back() == ' ')) {
      if (text.empty() || text.back() != ' ') {
        text += ' ';
      }
      continue;
    }
    text += c;
  }
  CHECK(text.find(mode == "tcp" ? "TLS passed through to the nodes"
                                : "TLS terminated at the load balancer") != std::string::npos);
}

TEST_CASE(
    "scenario kerberos-account-before-aes: no AES key, event 16 and NTLM, then the new password fixes it",
    "[integration][scenarios][etypes]") {
  const auto r = runBuiltin("kerberos-account-before-aes", 12);
  KP_INFO_REPORT(r);
  checkExpectations(r);
  const auto& phases = r.population.outcomes.byPhase;
  REQUIRE(phases.size() == 2);
  CHECK(phases[0].kerberos == 0);
  CHECK(phases[0].ntlm == phases[0].total());
  CHECK(phases[1].kerberos == phases[1].total());
  CHECK(r.servers.event(16) > 0);
  CHECK(r.servers.eventStatus.at(4769).at("0xe") == r.servers.event(16));
  const auto text = oneLine(scenarios::formatReport(r));
  CHECK(
      text.find("POOLKERB$: new password, key version (kvno) 2 (an RC4 key only: the domain functional level "
                "derives no AES key)") != std::string::npos);
  CHECK(text.find("The KDC has no AES256 (18) and AES128 (17) key for POOLKERB$, which holds "
                  "HTTP/pool.contoso.test: its current password (kvno 2) has keys for RC4 (23) only") !=
        std::string::npos);
  CHECK(text.find(
            "the missing key has an ID of 18). The requested etypes were 18 17. The accounts available "
            "etypes were 23. Changing or resetting the password of POOLKERB$ will generate a proper key.") !=
        std::string::npos);
  CHECK(text.find("Fix: Set the password of POOLKERB$ again now that the domain derives AES keys") !=
        std::string::npos);
}

TEST_CASE(
    "scenario rc4-only-client: the RC4-only application gets KDC_ERR_ETYPE_NOSUPP and NTLM, the PCs Kerberos",
    "[integration][scenarios][etypes]") {
  const auto r = runBuiltin("rc4-only-client", 12);
  KP_INFO_REPORT(r);
  checkExpectations(r);
  const auto& byProfile = r.population.outcomes.byProfile;
  CHECK(byProfile.at("internal-pc").kerberos == byProfile.at("internal-pc").total());
  CHECK(byProfile.at("legacy-app").ntlm == byProfile.at("legacy-app").total());
  CHECK(r.servers.event(27) > 0);
  CHECK(r.servers.event(16) == 0);
  // Event 27 names no client, so its text repeats: one line with its count.
  REQUIRE(r.servers.eventMessages.count(27) == 1);
  CHECK(r.servers.eventMessages.at(27).size() == 1);
  const auto text = oneLine(scenarios::formatReport(r));
  CHECK(text.find("Clients of profile legacy-app offer RC4 (23) only; POOLKERB$, which holds "
                  "HTTP/pool.contoso.test, allows AES256 (18) and AES128 (17) (msDS-SupportedEncryptionTypes "
                  "0x18)") != std::string::npos);
  CHECK(text.find("Fix: Give the legacy-app clients AES") != std::string::npos);
}
