#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/common/result.hpp"
#include "scenarios/scenario.hpp"

namespace kerbpool::scenarios {

// Parses a scenario (docs/scenario-file.md). Every error is ErrorCategory::Config, code "bad_scenario", with
// a detail that starts with the JSON path of the bad field: "clients[1].profile: 'laptop' is not a profile
// (built-in: internal-pc, external-pc, mobile; custom: ...)". The realm part is checked by building it, so a
// bad account shows as "realm.accounts[3].spns[0]: ...". Never throws.
core::Result<Scenario> parseScenario(std::string_view jsonText);
core::Result<Scenario> loadScenarioFile(const std::filesystem::path& file);

// One entry of a scenario's "operations" ({"op": "roll_asa_password", ...}), checked against `scenario`'s
// pool, DCs and product as the loader checks it (`kerbpool lab` turns an admin's cmdlet into one). Errors:
// Config "bad_operation", starting with `label` (the cmdlet) and the bad field. Never throws.
core::Result<DirectoryOperation> parseOperation(std::string_view opJson, const Scenario& scenario,
                                                const std::string& label);

}  // namespace kerbpool::scenarios
