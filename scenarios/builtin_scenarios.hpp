#pragma once

#include <string_view>
#include <vector>

namespace kerbpool::scenarios {

// The scenarios shipped in scenarios/builtin/*.json, compiled into the executable so `kerbpool run NAME`
// works from any directory.
struct BuiltinScenario {
  std::string_view name;  // file name without .json
  std::string_view json;
};

const std::vector<BuiltinScenario>& builtinScenarios();
const BuiltinScenario* findBuiltinScenario(std::string_view name);

}  // namespace kerbpool::scenarios
