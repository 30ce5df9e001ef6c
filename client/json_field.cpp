#include "client/json_field.hpp"

#include <nlohmann/json.hpp>

namespace kerbpool::client {

using json = nlohmann::json;

std::optional<std::string> topLevelJsonString(std::string_view text, std::string_view key) {
  // Every member is parsed (malformed text anywhere is refused) but only the first top-level `key` is
  // kept: the others are dropped as they are read.
  bool kept = false;
  const json::parser_callback_t firstKeyOnly = [&](int depth, json::parse_event_t event, json& parsed) {
    if (event != json::parse_event_t::key || depth != 1) {
      return true;
    }
    if (kept || parsed.get_ref<const json::string_t&>() != key) {
      return false;
    }
    kept = true;
    return true;
  };
  const json doc = json::parse(text, firstKeyOnly, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return std::nullopt;
  }
  const auto it = doc.find(key);
  if (it == doc.end() || !it->is_string()) {
    return std::nullopt;
  }
  return it->get<std::string>();
}

}  // namespace kerbpool::client
