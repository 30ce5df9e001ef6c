// Fuzz target: the scenario loader (docs/scenario-file.md). Any text is a scenario or a typed Config error
// ("bad_scenario"), never an exception or a crash; the realm inside is built as the runner would.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "scenarios/scenario_loader.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace kerbpool;

namespace {

// The loader derives every account's keys (PBKDF2, 4,096 rounds each) to check the realm: the built-in scale
// scenario's 200 users take seconds under the sanitizers, and a mutated count of 100,000 would take hours. A
// scenario with more than 20 users or realm accounts is fuzzed with 20 of them; nothing else changes.
std::string boundedWork(std::string text) {
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return text;
  }
  bool changed = false;
  if (auto users = doc.find("users"); users != doc.end() && users->is_object()) {
    if (auto count = users->find("count"); count != users->end() && count->is_number() && *count > 20) {
      *count = 20;
      changed = true;
    }
  }
  if (auto realm = doc.find("realm"); realm != doc.end() && realm->is_object()) {
    if (auto accounts = realm->find("accounts"); accounts != realm->end() && accounts->is_array() &&
                                                 accounts->size() > 20) {
      accounts->erase(accounts->begin() + 20, accounts->end());
      changed = true;
    }
  }
  return changed ? doc.dump() : text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto scenario = scenarios::parseScenario(boundedWork(std::string(fuzz::textOf(data, size))));
  if (!scenario.ok()) {
    fuzz::check(
        scenario.error().category == core::ErrorCategory::Config && scenario.error().code == "bad_scenario",
        "parseScenario: an error that is not bad_scenario: " + scenario.error().message());
  }
  return 0;
}
