#pragma once

// Whole HTTP messages from and to octets for the in-process transport (net/in_process_http.hpp): the same
// Beast parser, limits and guarded feeding as the socket sessions (net/http_read.hpp), without a stream. An
// I/O file (includes Beast).

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/serializer.hpp>
#include <string>
#include <string_view>

#include "net/http_read.hpp"

namespace kerbpool::net {

// Parses `octets` as exactly one message. Beast's errors as a socket read would give them: header_limit,
// body_limit, a syntax error, partial_message when the octets end inside the message; octets left after
// the message are bad_value (a connection of this transport carries one message per exchange).
template <class Parser>
beast::error_code parseWholeMessage(Parser& parser, std::string_view octets, std::size_t headerLimit) {
  beast::flat_buffer buffer;
  // Room for all of it: the parser's own limits judge the message (a full buffer would read as header_limit).
  buffer.max_size(std::max(readBufferLimit(headerLimit), octets.size() + 1));
  const auto space = buffer.prepare(octets.size());
  boost::asio::buffer_copy(space, boost::asio::buffer(octets.data(), octets.size()));
  buffer.commit(octets.size());
  auto ec = feedParser(parser, buffer, ReadUntil::Message);
  if (ec == beast::http::error::need_more) {
    ec = onStreamEnd(parser);
    if (!ec && !parser.is_done()) {
      ec = beast::http::error::partial_message;
    }
  }
  if (!ec && buffer.size() != 0) {
    ec = beast::http::error::bad_value;
  }
  return ec;
}

// The octets Beast would write for `message` on a socket.
template <bool isRequest, class Body, class Fields>
std::string serializeMessage(const beast::http::message<isRequest, Body, Fields>& message) {
  beast::http::serializer<isRequest, Body, Fields> sr(message);
  std::string out;
  beast::error_code ec;
  do {
    sr.next(ec, [&](beast::error_code&, const auto& buffers) {
      std::size_t n = 0;
      for (auto it = boost::asio::buffer_sequence_begin(buffers);
           it != boost::asio::buffer_sequence_end(buffers); ++it) {
        const boost::asio::const_buffer b = *it;
        out.append(static_cast<const char*>(b.data()), b.size());
        n += b.size();
      }
      sr.consume(n);
    });
  } while (!ec && !sr.is_done());
  return out;
}

}  // namespace kerbpool::net
