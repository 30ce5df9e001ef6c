// The Exchange flavour of a pool (issue 18): the CAS array, its Alternate Service Account and
// RollAlternateServiceAccountPassword.ps1, Outlook's connections, and the same directory and Kerberos outcome
// as the Lync flavour of the same misconfiguration.
#include <catch2/catch.hpp>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/common/clock.hpp"
#include "scenarios/assignment_check.hpp"
#include "scenarios/lab_at.hpp"
#include "scenarios/lab_directory.hpp"
#include "tests/scenarios/scenario_run_support.hpp"
#include "tests/support/tools.hpp"

using namespace kerbpool;
using client::OutcomeKind;
using kerbpool::test::checkExpectations;
using kerbpool::test::deniedOn;
using kerbpool::test::oneLine;
using kerbpool::test::runBuiltin;

namespace {

scenarios::Scenario load(const std::string& json) {
  auto s = scenarios::parseScenario(json);
  INFO((s.ok() ? std::string() : s.error().message()));
  REQUIRE(s.ok());
  return std::move(*s);
}

scenarios::Scenario builtin(const std::string& name) {
  const auto* b = scenarios::findBuiltinScenario(name);
  REQUIRE(b != nullptr);
  return load(std::string(b->json));
}

std::string errorOf(const std::string& json) {
  auto s = scenarios::parseScenario(json);
  return s.ok() ? std::string() : s.error().detail;
}

bool contains(const std::vector<std::string>& lines, const std::string& text) {
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& l) { return l.find(text) != std::string::npos; });
}

// One misconfiguration in both products' words: the shared account holds HTTP/pool.contoso.test, its new
// password reached fe01 and fe02 only.
constexpr const char* kLyncMissedNode = R"({
  "name": "lync-missed", "seed": 3, "users": {"count": 6},
  "pool": {"load_balancer": {"mode": "tcp"}},
  "operations": [
    {"op": "create_kerberos_account", "account": "POOLKERB$"},
    {"op": "assign_kerberos_account", "account": "POOLKERB$"},
    {"op": "set_kerberos_account_password", "reach": ["fe01", "fe02"]}
  ],
  "clients": [{"profile": "internal-pc", "count": 6, "requests": 6, "concurrency": 1}]
})";
constexpr const char* kExchangeMissedNode = R"({
  "name": "exchange-missed", "product": "exchange", "seed": 3, "users": {"count": 6},
  "pool": {"load_balancer": {"mode": "tcp"}},
  "operations": [
    {"op": "new_client_access_array", "name": "pool"},
    {"op": "new_asa_computer", "account": "POOLKERB$"},
    {"op": "setspn", "flag": "-S", "account": "POOLKERB$", "spn": "HTTP/pool.contoso.test"},
    {"op": "roll_asa_password", "to_specific_servers": ["fe01", "fe02"], "generate_new_password_for": "CONTOSO\\POOLKERB$"}
  ],
  "clients": [{"profile": "internal-pc", "count": 6, "requests": 6, "concurrency": 1}]
})";

// What the directory says about the pool: who holds the pool's SPN, the shared account's kvno and which
// kvnos each node holds.
struct DirectoryState {
  std::vector<std::string> holders;
  std::optional<std::string> sharedAccount;
  std::uint32_t kvno = 0;
  std::map<std::string, std::vector<std::uint32_t>> delivered;
  bool operator==(const DirectoryState&) const = default;
};

DirectoryState stateOf(const scenarios::LabDirectory& lab) {
  const auto& dir = lab.directory();
  DirectoryState st;
  for (const auto& h : dir.querySpn("HTTP/pool.contoso.test").holders) {
    st.holders.push_back(h.samAccountName);
  }
  st.sharedAccount = dir.site(lab.scenario().pool.site)->kerberosAccount;
  if (st.sharedAccount) {
    st.kvno = dir.account(*st.sharedAccount)->keyVersionNumber;
    for (const auto& n : lab.scenario().pool.nodes) {
      st.delivered[n] = dir.deliveredKvnos(*st.sharedAccount, scenarios::LabDirectory::computerAccount(n));
    }
  }
  return st;
}

}  // namespace

TEST_CASE(
    "exchange: the Lync and Exchange flavours of one misconfiguration give one directory and one outcome",
    "[integration][scenarios][exchange]") {
  const auto lync = load(kLyncMissedNode);
  const auto exchange = load(kExchangeMissedNode);
  core::SystemClock clock;
  auto lyncLab = scenarios::LabDirectory::build(lync, clock);
  auto exchangeLab = scenarios::LabDirectory::build(exchange, clock);
  REQUIRE(lyncLab.ok());
  REQUIRE(exchangeLab.ok());
  const DirectoryState a = stateOf(**lyncLab);
  const DirectoryState b = stateOf(**exchangeLab);
  CHECK(a.holders == std::vector<std::string>{"POOLKERB$"});
  CHECK(a.kvno == 2);
  CHECK(a.delivered.at("fe03").empty());
  CHECK(a == b);
  // The products' words differ: Lync's cmdlets on one side, Exchange's script on the other.
  CHECK(contains((*lyncLab)->steps().back().output, "NOT delivered to FE03$"));
  CHECK((*exchangeLab)
            ->steps()
            .back()
            .command.find("RollAlternateServiceAccountPassword.ps1 -ToSpecificServers "
                          "FE01, FE02") != std::string::npos);

  // Run both one client at a time: the same requests meet the same nodes and end the same way.
  scenarios::RunOptions options;
  options.serial = true;
  auto lyncRun = scenarios::runScenario(lync, options);
  auto exchangeRun = scenarios::runScenario(exchange, options);
  REQUIRE(lyncRun.ok());
  REQUIRE(exchangeRun.ok());
  KP_INFO_REPORT(*exchangeRun);
  for (const char* node : {"fe01", "fe02", "fe03"}) {
    const auto& x = lyncRun->population.outcomes.byNode[node];
    const auto& y = exchangeRun->population.outcomes.byNode[node];
    INFO(node);
    CHECK(x.kerberos == y.kerberos);
    CHECK(x.prompt == y.prompt);
    CHECK(deniedOn(*lyncRun, node, "no_key_for_spn") == deniedOn(*exchangeRun, node, "no_key_for_spn"));
  }
  CHECK(deniedOn(*exchangeRun, "fe03", "no_key_for_spn") > 0);
  CHECK(exchangeRun->population.outcomes.byNode["fe01"].kerberos > 0);
  // Each report mends fe03 with its own product's command.
  const auto lyncWhy = oneLine(scenarios::formatVerdict(*lyncRun));
  const auto exchangeWhy = oneLine(scenarios::formatVerdict(*exchangeRun));
  CHECK(lyncWhy.find("Set-CsKerberosAccountPassword -FromComputer") != std::string::npos);
  CHECK(
      exchangeWhy.find(".\\RollAlternateServiceAccountPassword.ps1 -ToSpecificServers FE03 -CopyFrom FE01") !=
      std::string::npos);
  CHECK(exchangeWhy.find("Set-CsKerberosAccountPassword") == std::string::npos);
}

TEST_CASE("exchange: RollAlternateServiceAccountPassword.ps1 misses a CAS that is down, -CopyFrom mends it",
          "[scenarios][exchange]") {
  const auto s = builtin("exchange-asa-roll-cas-down");
  core::SystemClock clock;
  // Phase 3 is after the roll without CAS03 (node_down, then the roll).
  auto point = scenarios::resolveLabPoint(s, "3");
  REQUIRE(point.ok());
  auto lab = scenarios::buildLabAt(s, clock, *point);
  REQUIRE(lab.ok());
  const auto& roll = (*lab)->steps().back();
  CHECK(contains(roll.output, "Pushing credentials to server CAS03: FAILED"));
  CHECK(contains(roll.output, "THE SCRIPT HAS FAILED"));
  CHECK(contains(roll.output, "-ToSpecificServers CAS03 -CopyFrom CAS01"));
  CHECK((*lab)->asaStatus("cas01").latest->kvno == 3);
  CHECK((*lab)->asaStatus("cas01").previous->kvno == 2);
  CHECK((*lab)->asaStatus("cas03").latest->kvno == 2);
  CHECK_FALSE((*lab)->asaStatus("cas03").previous.has_value());
  const auto status = (*lab)->clientAccessServerStatus();
  CHECK(contains(status, "Name                                 : CAS03"));
  CHECK(contains(status, "Previous: <not set>"));
  const auto check = scenarios::testKerberosAccountAssignment(**lab);
  CHECK_FALSE(check.passed());

  // At the end, -CopyFrom CAS01 has given CAS03 the current credential.
  auto end = scenarios::resolveLabPoint(s, "end");
  REQUIRE(end.ok());
  auto fixed = scenarios::buildLabAt(s, clock, *end);
  REQUIRE(fixed.ok());
  CHECK((*fixed)->asaStatus("cas03").latest->kvno == 3);
  CHECK((*fixed)->asaStatus("cas03").previous->kvno == 2);
  CHECK(scenarios::testKerberosAccountAssignment(**fixed).passed());
}

TEST_CASE("exchange: the fix registers every name of the array on the ASA and reaches every member",
          "[scenarios][exchange]") {
  const auto s = builtin("exchange-asa-missing");
  core::SystemClock clock;
  auto lab = scenarios::LabDirectory::build(s, clock);
  REQUIRE(lab.ok());
  CHECK_FALSE(scenarios::testKerberosAccountAssignment(**lab).passed());
  auto steps = (*lab)->applyFix("EXCH2010-ASA$");
  REQUIRE(steps.ok());
  const auto spns = (*lab)->casArraySpns();
  CHECK(spns == std::vector<std::string>{"HTTP/outlook.contoso.test", "HTTP/autodiscover.contoso.test",
                                         "HTTP/mail.contoso.test", "exchangeMDB/outlook.contoso.test",
                                         "exchangeRFR/outlook.contoso.test",
                                         "exchangeAB/outlook.contoso.test"});
  for (const auto& spn : spns) {
    const auto q = (*lab)->directory().querySpn(spn);
    INFO(spn);
    REQUIRE(q.holders.size() == 1);
    CHECK(q.holders.front().samAccountName == "EXCH2010-ASA$");
  }
  CHECK(steps->front().command.find("New-ADComputer -Name EXCH2010-ASA") != std::string::npos);
  CHECK(steps->back().command.find("-ToArrayMembers \"outlook.contoso.test\"") != std::string::npos);
  const auto check = scenarios::testKerberosAccountAssignment(**lab);
  for (const auto& c : check.checks) {
    INFO(c.text);
    CHECK(c.passed);
  }
}

TEST_CASE("exchange: scenario exchange-asa-missing, three NTLM logons per Outlook client",
          "[integration][scenarios][exchange]") {
  const auto r = runBuiltin("exchange-asa-missing");
  KP_INFO_REPORT(r);
  checkExpectations(r);
  // Autodiscover, then MAPI's two connections: each its own NTLM logon and Netlogon pass-through.
  const auto clients = r.population.clients;
  CHECK(*r.metric("netlogon_calls") == Approx(3.0 * static_cast<double>(clients)));
  CHECK(r.population.outcomes.byHost.at("autodiscover.contoso.test").total() == clients);
  const auto why = oneLine(scenarios::formatReport(r));
  CHECK(why.find("Each outlook client authenticates 3 connections") != std::string::npos);
  CHECK(why.find("New-ADComputer -Name EXCH2010-ASA") != std::string::npos);
  CHECK(why.find("New-CsKerberosAccount") == std::string::npos);
}

TEST_CASE("exchange: scenario exchange-asa, Outlook and EWS on Kerberos with no DC round trip",
          "[integration][scenarios][exchange]") {
  const auto r = runBuiltin("exchange-asa");
  KP_INFO_REPORT(r);
  checkExpectations(r);
  CHECK(nlohmann::json::parse(scenarios::formatReportJson(r)).at("product") == "exchange");
  CHECK(r.population.outcomes.byHost.at("autodiscover.contoso.test").kerberos ==
        r.population.outcomes.byHost.at("autodiscover.contoso.test").total());
}

TEST_CASE(
    "exchange: scenarios exchange-asa-some-cas and exchange-asa-roll-cas-down, the CAS without the "
    "credential refuses",
    "[integration][scenarios][exchange]") {
  {
    const auto r = runBuiltin("exchange-asa-some-cas");
    KP_INFO_REPORT(r);
    checkExpectations(r);
    CHECK(deniedOn(r, "cas03", "no_key_for_spn") > 0);
    CHECK(deniedOn(r, "cas01", "no_key_for_spn") == 0);
    // After -CopyFrom CAS01 every request uses Kerberos.
    const auto& after = r.population.outcomes.byPhase.at(1);
    CHECK(after.kerberos == after.total());
  }
  {
    const auto r = runBuiltin("exchange-asa-roll-cas-down");
    KP_INFO_REPORT(r);
    checkExpectations(r);
    // CAS03 refuses only once it is back with the old key, and not after -CopyFrom.
    const auto& o = r.population.outcomes;
    const auto back = o.byPhaseNode.find({3, "cas03"});
    REQUIRE(back != o.byPhaseNode.end());
    CHECK(back->second.prompt > 0);
    const auto mended = o.byPhaseNode.find({4, "cas03"});
    if (mended != o.byPhaseNode.end()) {
      CHECK(mended->second.prompt == 0);
    }
    CHECK(o.byPhase.at(4).kerberos == o.byPhase.at(4).total());
    const auto why = oneLine(scenarios::formatReport(r));
    CHECK(why.find("no_key_for_kvno") != std::string::npos);
  }
}

TEST_CASE("exchange: scenario exchange-ntlm-bottleneck, Netlogon timeouts and 5816 on the CAS servers",
          "[integration][scenarios][exchange]") {
  const auto r = runBuiltin("exchange-ntlm-bottleneck");
  KP_INFO_REPORT(r);
  checkExpectations(r);
  const auto why = oneLine(scenarios::formatReport(r));
  CHECK(why.find("on the Client Access servers and DCs") != std::string::npos);
  CHECK(why.find("Semaphore Timeouts") != std::string::npos);
}

TEST_CASE("exchange: the loader refuses another product's commands and a roll without one destination",
          "[scenarios][exchange]") {
  CHECK(errorOf(R"({"name": "x", "operations": [{"op": "new_asa_computer"}]})")
            .find("operations[0].op: 'new_asa_computer' is an Exchange command") != std::string::npos);
  CHECK(errorOf(R"({"name": "x", "product": "exchange",
                    "operations": [{"op": "create_kerberos_account", "account": "A$"}]})")
            .find("operations[0].op: 'create_kerberos_account' is a Lync command") != std::string::npos);
  CHECK(errorOf(R"({"name": "x", "product": "exchange", "operations": [{"op": "roll_asa_password",
                    "to_entire_forest": true, "to_specific_servers": ["fe01"], "copy_from": "fe01"}]})")
            .find("operations[0]: give exactly one destination") != std::string::npos);
  CHECK(errorOf(R"({"name": "x", "product": "exchange", "operations": [{"op": "roll_asa_password",
                    "to_entire_forest": true, "copy_from": "fe09"}]})")
            .find("operations[0].copy_from: 'fe09' is not a Client Access server") != std::string::npos);
  CHECK(errorOf(R"({"name": "x", "product": "exchange", "timeline": [{"at_percent": 5,
                    "event": "roll_asa_password", "to_array_members": "other.contoso.test",
                    "generate_new_password_for": "A$"}]})")
            .find("timeline[0].to_array_members: 'other.contoso.test' is not the CAS array") !=
        std::string::npos);
  CHECK(errorOf(R"({"name": "x", "product": "sharepoint"})").find("product") != std::string::npos);
  // An Exchange scenario resolves autodiscover and mail to the load balancer by default.
  const auto s = load(R"({"name": "x", "product": "exchange"})");
  CHECK(std::any_of(s.dns.begin(), s.dns.end(),
                    [](const auto& r) { return r.name == "autodiscover.contoso.test" && r.target == "lb"; }));
}

TEST_CASE("kerbpool list and show: the Exchange scenarios in Exchange's words",
          "[integration][scenarios][cli]") {
  const auto list = test::runCommand(test::kerbpoolBinary() + " list");
  CHECK(list.exitCode == 0);
  for (const char* name : {"exchange-asa-missing", "exchange-asa", "exchange-asa-some-cas",
                           "exchange-asa-roll-cas-down", "exchange-ntlm-bottleneck"}) {
    INFO(name);
    CHECK(list.output.find(name) != std::string::npos);
  }
  const auto show = test::runCommand(test::kerbpoolBinary() + " show exchange-asa");
  INFO(show.output);
  CHECK(show.exitCode == 0);
  CHECK(show.output.find("CAS array   outlook.contoso.test") != std::string::npos);
  CHECK(show.output.find("PS> New-ClientAccessArray -Name \"outlook\" -Fqdn \"outlook.contoso.test\"") !=
        std::string::npos);
  CHECK(show.output.find("{CAS01, CAS02, CAS03}") != std::string::npos);
  CHECK(show.output.find("THE SCRIPT HAS SUCCEEDED") != std::string::npos);
  CHECK(show.output.find("AlternateServiceAccountConfiguration : Latest: ") != std::string::npos);
  const auto assignment = test::runCommand(test::kerbpoolBinary() +
                                           " test-assignment --scenario exchange-asa-some-cas --at start");
  INFO(assignment.output);
  CHECK(assignment.exitCode == 1);
  CHECK(assignment.output.find("Client Access server cas03 (CAS03$) holds no key of EXCH2010-ASA$") !=
        std::string::npos);
}
