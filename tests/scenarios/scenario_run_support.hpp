#pragma once

#include <catch2/catch.hpp>

#include <string>

#include "scenarios/builtin_scenarios.hpp"
#include "scenarios/report.hpp"
#include "scenarios/scenario_loader.hpp"
#include "scenarios/scenario_runner.hpp"

// The whole report, printed with any failed check of the enclosing scope: a failure on a slow CI runner can
// be read from the log alone.
#define KP_INFO_REPORT(report) INFO(::kerbpool::scenarios::formatReport(report))

namespace kerbpool::test {

// Runs a built-in scenario (scaled to `clients` when non-zero) and fails the test when it cannot start.
// The report wraps its sentences: runs of white space (line breaks and indents) as one space.
inline std::string oneLine(const std::string& text) {
  std::string out;
  for (char c : text) {
    const bool space = c == ' ' || c == '\n';
    if (!space || (!out.empty() && out.back() != ' ')) {
      out.push_back(space ? ' ' : c);
    }
  }
  return out;
}

// A built-in scenario run with these options; fails the test when it cannot start.
inline scenarios::RunReport runBuiltinWith(const std::string& name, const scenarios::RunOptions& options) {
  const auto* builtin = scenarios::findBuiltinScenario(name);
  REQUIRE(builtin != nullptr);
  auto scenario = scenarios::parseScenario(builtin->json);
  INFO((scenario.ok() ? std::string() : scenario.error().message()));
  REQUIRE(scenario.ok());
  auto report = scenarios::runScenario(*scenario, options);
  INFO((report.ok() ? std::string() : report.error().message()));
  REQUIRE(report.ok());
  return std::move(*report);
}

// `record`: also what the HTML report draws (RunOptions::record).
inline scenarios::RunReport runBuiltin(const std::string& name, std::uint64_t clients = 0,
                                       bool record = false) {
  scenarios::RunOptions options;
  options.record = record;
  if (clients > 0) {
    options.clients = clients;
  }
  return runBuiltinWith(name, options);
}

// The scenario's own `expect` block, each line reported on failure, and no violation.
inline void checkExpectations(const scenarios::RunReport& report) {
  for (const auto& e : report.expectations) {
    INFO(e.metric << " = " << (e.value ? *e.value : -1.0));
    CHECK(e.passed);
  }
  INFO(scenarios::formatReport(report));
  CHECK(report.violations == 0);
}

// How many times `node` refused authentication for `code` (no_key_for_spn, no_key_for_kvno...).
inline std::uint64_t deniedOn(const scenarios::RunReport& r, const std::string& node,
                              const std::string& code) {
  for (const auto& n : r.servers.nodes) {
    if (n.name == node) {
      return n.stats.deniedFor(code);
    }
  }
  return 0;
}

inline double percentOf(const scenarios::OutcomeCounts& c, client::OutcomeKind kind) {
  return c.percent(kind);
}

}  // namespace kerbpool::test
