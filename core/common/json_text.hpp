#pragma once

#include <string>
#include <string_view>

namespace kerbpool::core {

// Appends `text` as a JSON string (RFC 8259 7), quotes included, exactly as nlohmann::json's dump() with
// ensure_ascii off and error_handler_t::replace writes it: `"` and `\` escaped, \b \f \n \r \t, other
// control characters as \u00xx, well-formed UTF-8 as it is, and each ill-formed sequence (its maximal
// subpart) as one U+FFFD. For responses built on every request, where building a json value first would
// cost more than the request's cryptography.
void appendJsonString(std::string& out, std::string_view text);

}  // namespace kerbpool::core
