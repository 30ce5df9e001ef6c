#pragma once

// Writing an HTTP message without a trip through the scheduler when the socket takes it at once, which a small
// response or forwarded request usually does: on a plain socket the serializer is written without waiting
// first, and the handler runs at once; only what the socket did not take is written asynchronously, under a
// timeout. Asio's async_write would also send at once but complete through the scheduler, which at a lightly
// loaded server costs another epoll_wait() and the Beast write timer's timerfd_settime() per message. Shared
// by the node's sessions and the balancer's. An I/O file (includes Beast).
#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <type_traits>
#include <utility>

namespace kerbpool::net {

namespace detail {

// One step of a serializer, as http::write_some does, except that a message small enough (a head of one
// buffer per header field, then the body) is first gathered into one buffer: the kernel then takes one
// segment instead of one per field.
template <class Socket, class Serializer>
void writeSomeGathered(Socket& socket, Serializer& sr, boost::beast::error_code& ec) {
  thread_local std::array<char, 8192> gathered;
  std::size_t sent = 0;
  bool invoked = false;
  sr.next(ec, [&](boost::beast::error_code& wec, const auto& buffers) {
    invoked = true;
    const std::size_t size = boost::asio::buffer_size(buffers);
    if (size <= gathered.size()) {
      boost::asio::buffer_copy(boost::asio::buffer(gathered), buffers);
      sent = socket.write_some(boost::asio::buffer(gathered.data(), size), wec);
    } else {
      sent = socket.write_some(buffers, wec);
    }
  });
  if (!ec && invoked) {
    sr.consume(sent);
  }
}

}  // namespace detail

// Writes `sr`'s message to `stream`. The handler, void(error_code, std::size_t), runs once: before this
// returns when a plain socket took the whole message (or failed at once), else later from the executor.
template <class Stream, class Serializer, class Handler>
void writeMessage(Stream& stream, Serializer& sr, std::chrono::milliseconds timeout, Handler&& handler) {
  if constexpr (std::is_same_v<Stream, boost::beast::tcp_stream>) {
    auto& socket = stream.socket();
    boost::beast::error_code ec;
    if (!socket.non_blocking()) {
      socket.non_blocking(true, ec);
    }
    while (!ec && !sr.is_done()) {
      detail::writeSomeGathered(socket, sr, ec);
    }
    if (sr.is_done()) {
      handler(boost::beast::error_code{}, 0);
      return;
    }
    if (ec != boost::asio::error::would_block && ec != boost::asio::error::try_again) {
      handler(ec, 0);
      return;
    }
  }
  boost::beast::get_lowest_layer(stream).expires_after(timeout);
  boost::beast::http::async_write(stream, sr, std::forward<Handler>(handler));
}

}  // namespace kerbpool::net
