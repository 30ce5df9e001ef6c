// Fuzz target: the scenario loader (docs/scenario-file.md). Any text is a scenario or a typed Config error
// ("bad_scenario"), never an exception or a crash; the realm inside is built as the runner would.
#include <cstddef>
#include <cstdint>

#include "scenarios/scenario_loader.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace kerbpool;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto scenario = scenarios::parseScenario(fuzz::textOf(data, size));
  if (!scenario.ok()) {
    fuzz::check(
        scenario.error().category == core::ErrorCategory::Config && scenario.error().code == "bad_scenario",
        "parseScenario: an error that is not bad_scenario: " + scenario.error().message());
  }
  return 0;
}
