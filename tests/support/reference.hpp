#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "core/common/bytes.hpp"

namespace kerbpool::test {

// ../shared/reference (KERBPOOL_REFERENCE_DIR). The vectors are never copied into the repository.
std::filesystem::path referenceDir();
// Loads vectors/<name>; fails the running test (not skips it) when the file is missing.
nlohmann::json loadVectors(const std::string& name);
core::Bytes readFile(const std::filesystem::path& p);
// Hex string -> bytes, failing the test on bad hex.
core::Bytes hexBytes(const std::string& hex);
// A vector's string field.
inline std::string str(const nlohmann::json& v, const char* key) {
  return v.at(key).get<std::string>();
}

}  // namespace kerbpool::test
