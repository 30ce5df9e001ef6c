// kerbpool setspn -L ACCOUNT | -Q SPN | -X --scenario NAME, and kerbpool test-assignment --scenario NAME: the
// admin's tools against a scenario's directory at a point of its timeline (--at; default: the end).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "cli/scenario_source.hpp"
#include "core/common/clock.hpp"
#include "scenarios/assignment_check.hpp"
#include "scenarios/lab_at.hpp"
#include "scenarios/lab_directory.hpp"

namespace kerbpool::cli {

namespace {

struct SetspnArgs {
  std::string scenario = "tour";
  std::string at = "end";
  std::string list;
  std::string query;
  bool duplicates = false;
};

struct LabAt {
  std::unique_ptr<scenarios::LabDirectory> lab;
  std::string description;
};

// The scenario's directory at --at (start, end, a phase number or an event's label).
core::Result<LabAt> labFor(const std::string& name, const std::string& at, const core::Clock& clock) {
  KP_TRY(scenarios::Scenario s, loadScenarioArgument(name));
  KP_TRY(scenarios::LabPoint point, scenarios::resolveLabPoint(s, at));
  KP_TRY(auto lab, scenarios::buildLabAt(s, clock, point));
  return LabAt{std::move(lab), point.description};
}

void printLines(const std::vector<std::string>& lines) {
  for (const auto& l : lines) {
    std::printf("%s\n", l.c_str());
  }
}

int setspn(const SetspnArgs& a) {
  const int modes = (a.list.empty() ? 0 : 1) + (a.query.empty() ? 0 : 1) + (a.duplicates ? 1 : 0);
  if (modes != 1) {
    std::fprintf(stderr, "kerbpool setspn: give exactly one of -L ACCOUNT, -Q SPN, -X\n");
    return 2;
  }
  core::SystemClock clock;
  auto lab = labFor(a.scenario, a.at, clock);
  if (!lab.ok()) {
    std::fprintf(stderr, "kerbpool setspn: %s\n", lab.error().message().c_str());
    return 2;
  }
  std::printf("Directory of %s at %s\n", a.scenario.c_str(), lab->description.c_str());
  const auto& dir = lab->lab->directory();
  if (!a.list.empty()) {
    auto l = dir.listSpns(a.list);
    if (!l.ok()) {
      std::fprintf(stderr, "kerbpool setspn: %s\n", l.error().message().c_str());
      return 1;
    }
    printLines(l->output);
    return 0;
  }
  if (!a.query.empty()) {
    const auto q = dir.querySpn(a.query);
    printLines(q.output);
    return q.holders.empty() ? 1 : 0;
  }
  const auto x = dir.findDuplicates();
  printLines(x.output);
  return x.duplicates.empty() ? 0 : 1;
}

int testAssignment(const std::string& scenario, const std::string& at) {
  core::SystemClock clock;
  auto lab = labFor(scenario, at, clock);
  if (!lab.ok()) {
    std::fprintf(stderr, "kerbpool test-assignment: %s\n", lab.error().message().c_str());
    return 2;
  }
  std::printf("Directory of %s at %s\n", scenario.c_str(), lab->description.c_str());
  const bool exchange = lab->lab->scenario().product == scenarios::Product::Exchange;
  if (exchange) {
    std::printf(
        "PS> Get-ClientAccessServer -IncludeAlternateServiceAccountCredentialStatus | Format-List Name, "
        "AlternateServiceAccountConfiguration\n");
    for (const auto& line : lab->lab->clientAccessServerStatus()) {
      std::printf("%s\n", line.c_str());
    }
    std::printf("\nkerbpool's checks of the array's Alternate Service Account:\n");
  } else {
    std::printf(
        "PS> Test-CsKerberosAccountAssignment -Identity \"site:%s\" -Report \"kerberos-assignment.htm\"\n",
        lab->lab->scenario().pool.site.c_str());
  }
  const auto report = scenarios::testKerberosAccountAssignment(*lab->lab);
  for (const auto& c : report.checks) {
    std::printf("%s %s\n", c.passed ? "PASS" : "FAIL", c.text.c_str());
  }
  const char* what = exchange ? "Alternate Service Account" : "Kerberos account assignment";
  std::printf("%s: %s\n", what, report.passed() ? "OK" : "NOT OK (see the FAIL lines)");
  return report.passed() ? 0 : 1;
}

constexpr const char* kAtHelp =
    "When on the scenario's timeline: start (the set-up only), end (every event; default), a phase number "
    "(1 = before the first event) or an event's label";

}  // namespace

void registerSetspn(CLI::App& app) {
  auto a = std::make_shared<SetspnArgs>();
  auto* cmd = app.add_subcommand(
      "setspn", "setspn -L/-Q/-X against a scenario's directory (default: at the end of its timeline)");
  cmd->add_option("-L", a->list, "List the SPNs of ACCOUNT");
  cmd->add_option("-Q", a->query, "Which accounts hold SPN");
  cmd->add_flag("-X", a->duplicates, "Find duplicate SPNs");
  cmd->add_option("--scenario", a->scenario, "Built-in scenario name or file (default: tour)");
  cmd->add_option("--at", a->at, kAtHelp);
  cmd->footer("Example: kerbpool setspn -X --scenario per-node-spn");
  cmd->callback([a] { setExitCode(setspn(*a)); });

  auto t = std::make_shared<SetspnArgs>();
  auto* cmdT =
      app.add_subcommand("test-assignment",
                         "Test-CsKerberosAccountAssignment against a scenario's directory (default: at "
                         "the end of its timeline)");
  cmdT->add_option("--scenario", t->scenario, "Built-in scenario name or file (default: tour)");
  cmdT->add_option("--at", t->at, kAtHelp);
  cmdT->footer("Example: kerbpool test-assignment --scenario password-roll-missed-node --at start");
  cmdT->callback([t] { setExitCode(testAssignment(t->scenario, t->at)); });
}

}  // namespace kerbpool::cli
