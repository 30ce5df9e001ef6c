// kerbpool setspn -L ACCOUNT | -Q SPN | -X --scenario NAME, and kerbpool test-assignment --scenario NAME: the
// admin's tools against a scenario's directory after its set-up operations.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "cli/scenario_source.hpp"
#include "core/common/clock.hpp"
#include "scenarios/assignment_check.hpp"
#include "scenarios/lab_directory.hpp"

namespace kerbpool::cli {

namespace {

struct SetspnArgs {
  std::string scenario = "tour";
  std::string list;
  std::string query;
  bool duplicates = false;
};

core::Result<std::unique_ptr<scenarios::LabDirectory>> labFor(const std::string& name,
                                                              const core::Clock& clock) {
  KP_TRY(scenarios::Scenario s, loadScenarioArgument(name));
  return scenarios::LabDirectory::build(s, clock);
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
  auto lab = labFor(a.scenario, clock);
  if (!lab.ok()) {
    std::fprintf(stderr, "kerbpool setspn: %s\n", lab.error().message().c_str());
    return 2;
  }
  const auto& dir = (*lab)->directory();
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

int testAssignment(const std::string& scenario) {
  core::SystemClock clock;
  auto lab = labFor(scenario, clock);
  if (!lab.ok()) {
    std::fprintf(stderr, "kerbpool test-assignment: %s\n", lab.error().message().c_str());
    return 2;
  }
  const auto report = scenarios::testKerberosAccountAssignment(**lab);
  for (const auto& c : report.checks) {
    std::printf("%s %s\n", c.passed ? "PASS" : "FAIL", c.text.c_str());
  }
  std::printf("%s\n", report.passed() ? "Kerberos account assignment: OK"
                                      : "Kerberos account assignment: NOT OK (see the FAIL lines)");
  return report.passed() ? 0 : 1;
}

}  // namespace

void registerSetspn(CLI::App& app) {
  auto a = std::make_shared<SetspnArgs>();
  auto* cmd = app.add_subcommand("setspn", "setspn -L/-Q/-X against a scenario's directory after its set-up");
  cmd->add_option("-L", a->list, "List the SPNs of ACCOUNT");
  cmd->add_option("-Q", a->query, "Which accounts hold SPN");
  cmd->add_flag("-X", a->duplicates, "Find duplicate SPNs");
  cmd->add_option("--scenario", a->scenario, "Built-in scenario name or file (default: tour)");
  cmd->callback([a] { setExitCode(setspn(*a)); });

  auto scenario = std::make_shared<std::string>("tour");
  auto* t = app.add_subcommand(
      "test-assignment", "Test-CsKerberosAccountAssignment against a scenario's directory after its set-up");
  t->add_option("--scenario", *scenario, "Built-in scenario name or file (default: tour)");
  t->callback([scenario] { setExitCode(testAssignment(*scenario)); });
}

}  // namespace kerbpool::cli
