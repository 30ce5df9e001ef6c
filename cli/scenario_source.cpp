#include "cli/scenario_source.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "scenarios/builtin_scenarios.hpp"
#include "scenarios/scenario_loader.hpp"

namespace kerbpool::cli {

core::Result<scenarios::Scenario> loadScenarioArgument(const std::string& nameOrFile) {
  if (const auto* builtin = scenarios::findBuiltinScenario(nameOrFile)) {
    return scenarios::parseScenario(builtin->json);
  }
  std::error_code ec;
  if (std::filesystem::exists(nameOrFile, ec)) {
    return scenarios::loadScenarioFile(nameOrFile);
  }
  std::string names;
  for (const auto& s : scenarios::builtinScenarios()) {
    names += (names.empty() ? "" : ", ") + std::string(s.name);
  }
  return core::makeError(core::ErrorCategory::NotFound, "no_such_scenario",
                         "'" + nameOrFile + "' is neither a built-in scenario (" + names + ") nor a file");
}

core::Result<std::string> scenarioTextOf(const std::string& nameOrFile) {
  if (const auto* builtin = scenarios::findBuiltinScenario(nameOrFile)) {
    return std::string(builtin->json);
  }
  std::ifstream in(nameOrFile, std::ios::binary);
  if (!in) {
    return core::makeError(core::ErrorCategory::Io, "cannot_read_file", nameOrFile + ": cannot open");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace kerbpool::cli
