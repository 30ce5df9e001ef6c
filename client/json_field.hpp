#pragma once

#include <optional>
#include <string>
#include <string_view>

// Reading one string member of a JSON response body without a JSON library (nlohmann_json is for config
// files only): the front-end answers {"node":"fe01","user":"alice@CONTOSO.TEST",...}.
namespace kerbpool::client {

// The string value of `key` in the top-level JSON object `text` (escapes decoded: \" \\ \/ \b \f \n \r \t
// and \uXXXX, surrogate pairs joined, as UTF-8). nullopt when the text is not a well-formed object, nests
// deeper than 32 levels, lacks the key, or the value is not a string. The first occurrence wins.
std::optional<std::string> topLevelJsonString(std::string_view text, std::string_view key);

}  // namespace kerbpool::client
