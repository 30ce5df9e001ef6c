#pragma once

#include <optional>
#include <string>
#include <string_view>

// Reading one string member of a front-end's JSON answer ({"node":"fe01","user":"alice@CONTOSO.TEST",...})
// with nlohmann_json (json_field.cpp), in its non-throwing form: the body is untrusted bytes.
namespace kerbpool::client {

// The string value of `key` in the top-level JSON object `text` (escapes decoded, as UTF-8). nullopt when
// the text is not a well-formed JSON object (RFC 8259, UTF-8 only), lacks the key, or the value is not a
// string. The first occurrence of a repeated key wins. Never throws.
std::optional<std::string> topLevelJsonString(std::string_view text, std::string_view key);

}  // namespace kerbpool::client
