#pragma once

#include <string>

#include "core/common/result.hpp"
#include "scenarios/scenario.hpp"

namespace kerbpool::cli {

// A built-in scenario's name ("tour", "per-node-spn") or a scenario file's path.
core::Result<scenarios::Scenario> loadScenarioArgument(const std::string& nameOrFile);
// The JSON text behind it (what `kerbpool serve --state` keeps).
core::Result<std::string> scenarioTextOf(const std::string& nameOrFile);

}  // namespace kerbpool::cli
