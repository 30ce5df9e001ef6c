#pragma once

#include <string>
#include <vector>

#include "scenarios/diagnosis.hpp"
#include "scenarios/scenario_runner.hpp"

// The report of a run: what was set up, what happened in each phase and why, in plain words, the tables
// (outcomes per phase, node, profile; KDC; Netlogon; events; latency), the safety probes and the
// expectations. formatReport for the terminal, formatReportJson (report_json.cpp) for tools.
namespace kerbpool::scenarios {

// The evidence of one phase, for diagnose().
PhaseEvidence evidenceFor(const RunReport& report, std::size_t phase);
// diagnose(evidenceFor(report, i)) for every phase.
std::vector<Diagnosis> diagnosePhases(const RunReport& report);

std::string formatReport(const RunReport& report);
// A few wrapped lines for `kerbpool compare`: the scenario's name, then the main finding of its last phase
// (and the fix, when there is one).
std::string formatVerdict(const RunReport& report, const std::string& label = "");
std::string formatReportJson(const RunReport& report);

// "87.5 %"
std::string formatPercent(double value);

}  // namespace kerbpool::scenarios
