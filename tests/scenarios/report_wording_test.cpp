// The report's sentences say what their figures say (issue 12): each finding is checked against evidence made
// by hand, so a sentence that contradicts its numbers fails here.
#include <catch2/catch.hpp>

#include "scenarios/diagnosis.hpp"
#include "scenarios/report.hpp"
#include "scenarios/scenario_loader.hpp"
#include "scenarios/scenario_runner.hpp"

using namespace kerbpool;
using namespace kerbpool::scenarios;

namespace {

Scenario minimalScenario() {
  auto s = parseScenario(R"({"name": "wording", "users": {"count": 2}})");
  REQUIRE(s.ok());
  return *s;
}

OutcomeCounts counts(std::uint64_t kerberos, std::uint64_t ntlm, std::uint64_t prompt, std::uint64_t failed) {
  OutcomeCounts c;
  c.kerberos = kerberos;
  c.ntlm = ntlm;
  c.prompt = prompt;
  c.failed = failed;
  return c;
}

// The text with its wrapped lines joined (the report wraps at 108 columns).
std::string flat(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') {
      while (i + 1 < text.size() && text[i + 1] == ' ') {
        ++i;
      }
      out += ' ';
    } else {
      out += text[i];
    }
  }
  return out;
}

bool has(const std::string& text, const std::string& part) {
  return flat(text).find(part) != std::string::npos;
}

std::string joined(const Diagnosis& d) {
  std::string out;
  for (const auto& f : d.findings) {
    out += f + "\n";
  }
  return out;
}

// A report of one phase with these outcomes, for the narrative's sentences.
RunReport reportWith(const Scenario& s, OutcomeCounts overall, std::uint64_t ntlmRiding,
                     std::uint64_t calls) {
  RunReport r;
  r.scenario = s;
  r.directories.push_back(DirectorySnapshot{});
  auto& o = r.population.outcomes;
  o.overall = overall;
  o.byPhase = {overall};
  o.internalByPhase = {overall};
  o.latencyByPhase = {std::vector<std::uint32_t>(overall.total(), 1000)};
  o.latencyMicros = std::vector<std::uint32_t>(overall.total(), 1000);
  o.latencyByKind["kerberos"] = std::vector<std::uint32_t>(overall.kerberos, 1000);
  o.latencyByKind["ntlm"] = std::vector<std::uint32_t>(overall.ntlm, 3000);
  if (ntlmRiding > 0) {
    o.reasons[{0, "ntlm", "the connection is already authenticated (NTLM)"}] = ntlmRiding;
  }
  r.population.phases.push_back(PhaseInfo{"the whole run", 0, {}, ""});
  r.servers.netlogonCalls = calls;
  r.phaseCounters.push_back(PhaseCounters{});
  r.phaseCounters.back().netlogonCalls = calls;
  return r;
}

}  // namespace

TEST_CASE("wording: NTLM requests, logons and pass-throughs are three figures, each named", "[scenarios]") {
  const Scenario s = minimalScenario();
  // 219 NTLM requests, 185 on connections NTLM had authenticated: 34 logons and 34 pass-throughs.
  const auto text = formatReport(reportWith(s, counts(100, 219, 0, 0), 185, 34));
  INFO(text);
  CHECK(has(text, "219 NTLM requests"));
  CHECK(has(text, "34 logons on a new connection, 185 rode on a connection NTLM had already authenticated"));
  CHECK(has(text, "the DC did 34 Netlogon pass-throughs, one per logon."));
  CHECK_FALSE(has(text, "each one a Netlogon pass-through"));
  // Failed logon attempts cost a pass-through too: then the two figures differ and the sentence says why.
  const auto failed = formatReport(reportWith(s, counts(0, 20, 5, 0), 10, 15));
  INFO(failed);
  CHECK(has(failed, "10 logons on a new connection"));
  CHECK(has(failed, "15 Netlogon pass-throughs, one per logon attempt, failed ones included"));
}

TEST_CASE("wording: prompts are not authenticated requests", "[scenarios]") {
  const Scenario s = minimalScenario();
  const auto text = formatReport(reportWith(s, counts(20, 0, 80, 0), 0, 0));
  INFO(text);
  CHECK_FALSE(has(text, "Every authenticated request used Kerberos"));
  CHECK_FALSE(has(text, "Every request used Kerberos"));
  CHECK(has(text, "Every request that authenticated used Kerberos (20 of 100"));
  CHECK(has(text,
            "The other 80 of 100 requests did not authenticate: 80 ended in a credential prompt, 0 failed."));
  const auto all = formatReport(reportWith(s, counts(100, 0, 0, 0), 0, 0));
  CHECK(has(all, "Every request used Kerberos (100 of 100"));
}

TEST_CASE("wording: a shared account every node holds is not blamed for a low Kerberos share",
          "[scenarios]") {
  const Scenario s = minimalScenario();
  DirectorySnapshot dir;
  dir.spns.push_back(SpnState{"HTTP/pool.contoso.test", {"POOLKERB$"}, "", ""});
  dir.kerberosAccount = "POOLKERB$";
  dir.accountKvno = 2;
  for (const auto& n : s.pool.nodes) {
    dir.deliveredKvnos[n] = {1, 2};
  }
  PhaseEvidence e;
  e.scenario = &s;
  e.directory = &dir;
  // The clock-skew scenario's second phase: 11 of 100 internal requests used Kerberos.
  e.outcomes = counts(11, 0, 89, 0);
  e.internal = e.outcomes;
  e.deniedByNode["fe01"]["clock_skew"] = 89;
  const auto text = joined(diagnose(e));
  INFO(text);
  CHECK_FALSE(has(text, "any node can open any ticket: 11"));
  CHECK(has(text,
            "the pool's key is therefore not why only 11.0 % of internal clients' requests used Kerberos (11 "
            "of 100)"));
  CHECK(has(text, "Clock skew"));
  // The skew is what went wrong: it comes first, the healthy key after it.
  CHECK(diagnose(e).findings.front().rfind("Clock skew", 0) == 0);
  // All of them: then the sentence may say so.
  e.outcomes = counts(100, 0, 0, 0);
  e.internal = e.outcomes;
  e.deniedByNode.clear();
  const auto good = joined(diagnose(e));
  INFO(good);
  CHECK(
      has(good,
          "every internal client's request used Kerberos (100 requests), with no DC round trip per logon."));
}

TEST_CASE("wording: the first finding is the cause, then the cost, then the context", "[scenarios]") {
  const Scenario s = minimalScenario();
  DirectorySnapshot dir;
  PhaseEvidence e;
  e.scenario = &s;
  e.directory = &dir;
  e.outcomes = counts(0, 300, 0, 0);
  e.ntlmOnAuthenticatedConnections = 240;  // context: keep-alive
  e.netlogonCalls = 60;                    // cost: the DC's pass-throughs
  e.maxConcurrentApi = 2;
  e.maxNetlogonWaiters = 12;
  e.p99Ms = 475;
  auto d = diagnose(e);
  REQUIRE(d.findings.size() >= 2);
  CHECK(has(d.findings.front(), "MaxConcurrentApi = 2"));
  CHECK(has(d.findings.front(), "up to 12 waiting on one channel"));
  CHECK(has(d.findings.front(), "the p99 latency was 475 ms, 24 times the hold time"));
  // With timeouts it is a cause, and the events are counted from the evidence.
  e.netlogonTimeouts = 7;
  e.events[5816] = 1;
  e.events[5817] = 2;
  e.outcomes = counts(0, 293, 7, 0);
  d = diagnose(e);
  CHECK(has(d.findings.front(), "7 logons waited past the timeout and failed"));
  CHECK(has(d.findings.front(), "(1 and 2 here)"));
  CHECK_FALSE(has(d.findings.front(), "5818/5819"));
  REQUIRE_FALSE(d.fixes.empty());
  CHECK(has(d.fixes.front(), "Raise MaxConcurrentApi"));
}

TEST_CASE("wording: an SPN with a port is a name, an SPN on an address is the browser's address look-up",
          "[scenarios]") {
  const Scenario s = minimalScenario();
  DirectorySnapshot dir;
  dir.spns.push_back(SpnState{"HTTP/pool.contoso.test", {"POOLKERB$"}, "", ""});
  PhaseEvidence e;
  e.scenario = &s;
  e.directory = &dir;
  e.outcomes = counts(0, 10, 0, 0);
  e.internal = e.outcomes;
  e.spnsByHost["pool.contoso.test"] = {"HTTP/pool.contoso.test:8080", "HTTP/127.0.0.1", "HTTP/::1"};
  const auto text = joined(diagnose(e));
  INFO(text);
  CHECK(has(text, "Clients of pool.contoso.test asked for HTTP/pool.contoso.test:8080: no account holds it"));
  CHECK(has(text, "asked for HTTP/127.0.0.1 when they opened pool.contoso.test"));
  CHECK(has(text, "asked for HTTP/::1 when they opened pool.contoso.test"));
}
