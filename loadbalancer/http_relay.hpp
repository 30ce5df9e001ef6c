#pragma once

// What the layer 7 session does to messages on their way through (an I/O helper of http_proxy_session.cpp):
// dropping hop-by-hop fields, and writing a message without a trip through the scheduler when the socket
// takes it at once.
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <string_view>
#include <type_traits>
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

// Writes a message: on a plain socket first without waiting (a small message usually fits the socket buffer,
// and completing at once saves a trip through the scheduler per message), then, or on TLS, asynchronously
// under `timeout`. The handler runs once, at once or later.
template <class Stream, class Serializer, class Handler>
void writeMessage(Stream& stream, Serializer& sr, std::chrono::milliseconds timeout, Handler&& handler) {
  if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
    auto& socket = stream.socket();
    beast::error_code ec;
    if (!socket.non_blocking()) {
      socket.non_blocking(true, ec);
    }
    while (!ec && !sr.is_done()) {
      beast::http::write_some(socket, sr, ec);
    }
    if (sr.is_done()) {
      handler(beast::error_code{}, 0);
      return;
    }
    if (ec != boost::asio::error::would_block && ec != boost::asio::error::try_again) {
      handler(ec, 0);
      return;
    }
  }
  beast::get_lowest_layer(stream).expires_after(timeout);
  beast::http::async_write(stream, sr, std::forward<Handler>(handler));
}

}  // namespace kerbpool::loadbalancer
