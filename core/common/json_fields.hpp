#pragma once

// Strict field readers for kerbpool's JSON files (realm files, scenarios), used by their loaders
// (kdc/realm_file.cpp, scenarios/scenario_loader*.cpp). nlohmann_json is the program's one JSON library
// (these files, the JSON report, the front-end's answer and the workstation's reading of it); as
// STYLE-ANCHORS habit 2 asks, it stays out of headers where a .cpp suffices, so this one needs only its
// forward declarations. A bad field throws FieldError carrying the JSON path ("accounts[2].spns[0]"); the
// loader turns it into a core::Error at its API boundary, so no exception leaves a loader.
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace kerbpool::core::json_fields {

using json = nlohmann::json;

struct FieldError {
  std::string path;
  std::string what;
};

[[noreturn]] void fail(const std::string& path, std::string what);
std::string member(const std::string& path, std::string_view key);
std::string element(const std::string& path, std::size_t i);

void requireObject(const json& j, const std::string& path);

// Parses a whole document without throwing. On failure returns what is wrong and where: the byte offset
// and, when known, the JSON path of the value being read ("clients[0].count: number overflow parsing
// '1e400'"). Every nlohmann error (syntax, number overflow, bad UTF-8) comes back this way.
std::optional<std::string> parseDocument(std::string_view text, json& out);
// Every key of obj must be one of `allowed`; an unknown key names the allowed ones.
void checkKeys(const json& obj, const std::string& path, std::initializer_list<std::string_view> allowed);
const json* find(const json& obj, std::string_view key);

std::optional<std::string> optString(const json& obj, const std::string& path, std::string_view key);
std::string reqString(const json& obj, const std::string& path, std::string_view key);  // non-empty
std::optional<std::int64_t> optIntInRange(const json& obj, const std::string& path, std::string_view key,
                                          std::int64_t min, std::int64_t max);
std::optional<double> optNumberInRange(const json& obj, const std::string& path, std::string_view key,
                                       double min, double max);
std::optional<bool> optBool(const json& obj, const std::string& path, std::string_view key);
std::vector<std::string> optStringArray(const json& obj, const std::string& path, std::string_view key);
const json& optArray(const json& obj, const std::string& path, std::string_view key);
// One of `choices` (exact spelling); the error lists them.
std::string oneOf(const std::string& value, const std::string& path,
                  std::initializer_list<std::string_view> choices);

}  // namespace kerbpool::core::json_fields
