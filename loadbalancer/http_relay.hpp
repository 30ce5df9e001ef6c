#pragma once

// What the layer 7 session does to messages on their way through (an I/O helper of http_proxy_session.cpp):
// dropping hop-by-hop fields (writing them: net/http_write.hpp).
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>
#include <string_view>
#include <utility>

#include "loadbalancer/forwarding_rules.hpp"

namespace kerbpool::loadbalancer {

namespace beast = boost::beast;

inline std::string_view sv(beast::string_view s) {
  return {s.data(), s.size()};
}
inline beast::string_view bsv(std::string_view s) {
  return {s.data(), s.size()};
}

// The first value of a field, found by walking the fields. Beast's own lookup compares names without regard
// to case down a tree (several hundred instructions each); a proxied message has few fields, and each knows
// its field enum.
template <class Fields>
std::optional<std::string_view> firstValue(const Fields& fields, beast::http::field name) {
  for (const auto& f : fields) {
    if (f.name() == name) {
      return sv(f.value());
    }
  }
  return std::nullopt;
}

// Drops hop-by-hop fields and those the Connection field names (RFC 9110 7.6.1).
template <class Fields>
void dropHopByHop(Fields& fields) {
  if (const auto connection = firstValue(fields, beast::http::field::connection)) {
    for (const auto& token : connectionTokens(*connection)) {
      fields.erase(bsv(token));
    }
  }
  for (auto it = fields.begin(); it != fields.end();) {
    it = isHopByHopField(sv(it->name_string())) ? fields.erase(it) : std::next(it);
  }
}

}  // namespace kerbpool::loadbalancer
