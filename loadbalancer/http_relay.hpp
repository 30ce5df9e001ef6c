#pragma once

// What the layer 7 session does to messages on their way through (an I/O helper of http_proxy_session.cpp):
// dropping hop-by-hop fields (writing them: net/http_write.hpp).
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <string_view>
#include <utility>

#include "loadbalancer/forwarding_rules.hpp"

namespace kerbpool::loadbalancer {

namespace beast = boost::beast;

inline std::string_view sv(beast::string_view s) {
  return {s.data(), s.size()};
}

// Drops hop-by-hop fields and those the Connection field names (RFC 9110 7.6.1).
template <class Fields>
void dropHopByHop(Fields& fields) {
  for (const auto& token : connectionTokens(sv(fields[beast::http::field::connection]))) {
    fields.erase(beast::string_view(token.data(), token.size()));
  }
  for (auto it = fields.begin(); it != fields.end();) {
    it = isHopByHopField(sv(it->name_string())) ? fields.erase(it) : std::next(it);
  }
}

}  // namespace kerbpool::loadbalancer
