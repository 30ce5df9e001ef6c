#pragma once

// Writing an HTTP message without a trip through the scheduler when the socket takes it at once, which a
// small response or forwarded request usually does: on a plain socket the serializer is written without
// waiting first, and the handler runs at once; only what the socket did not take is written asynchronously,
// under a timeout. Asio's async_write would also send at once but complete through the scheduler, which at a
// lightly loaded server costs another epoll_wait() and the Beast write timer's timerfd_settime() per message.
// Shared by the node's sessions and the balancer's. An I/O file (includes Beast).
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <string>
#include <type_traits>
#include <utility>

namespace kerbpool::net {

// The octets Beast's serializer writes for a message that is not chunked, appended to `out`: the start line
// (a response without a reason phrase gets the standard one), one line per field in order, the empty line,
// then the body as it is. Rendering it here costs one pass over the fields; the serializer builds a sequence
// of a dozen buffers that is walked again to size, copy and consume it.
template <bool isRequest, class Fields>
void renderHead(const boost::beast::http::header<isRequest, Fields>& h, std::string& out) {
  const auto append = [&out](auto sv) { out.append(sv.data(), sv.size()); };
  const unsigned version = h.version();
  const char versionText[] = {'H', 'T',
                              'T', 'P',
                              '/', static_cast<char>('0' + version / 10),
                              '.', static_cast<char>('0' + version % 10)};
  if constexpr (isRequest) {
    append(h.method_string());
    out += ' ';
    append(h.target());
    out += ' ';
    out.append(versionText, sizeof versionText);
  } else {
    const unsigned code = h.result_int();
    const char codeText[] = {' ', static_cast<char>('0' + code / 100),
                             static_cast<char>('0' + code / 10 % 10), static_cast<char>('0' + code % 10),
                             ' '};
    out.append(versionText, sizeof versionText);
    out.append(codeText, sizeof codeText);
    const auto reason = h.reason();
    if (reason.empty()) {
      append(boost::beast::http::obsolete_reason(h.result()));
    } else {
      append(reason);
    }
  }
  out += "\r\n";
  for (const auto& field : h) {
    append(field.name_string());
    out += ": ";
    append(field.value());
    out += "\r\n";
  }
  out += "\r\n";
}

namespace detail {

constexpr std::size_t kRenderedBodyLimit = 16 * 1024;  // larger bodies go out from where they are

template <class Serializer>
constexpr bool kStringBody =
    std::is_same_v<typename Serializer::value_type::body_type, boost::beast::http::string_body>;

}  // namespace detail

// Writes `sr`'s message to `stream`; `sr` has not written anything yet. The handler, void(error_code,
// std::size_t), runs once: before this returns when a plain socket took the whole message (or failed at
// once), else later from the executor. On a plain socket a message with a string body that is not chunked and
// not large is rendered into one buffer (renderHead) and sent with one send(); should the socket take only
// part of it, the serializer carries on from there.
template <class Stream, class Serializer, class Handler>
void writeMessage(Stream& stream, Serializer& sr, std::chrono::milliseconds timeout, Handler&& handler) {
  if constexpr (std::is_same_v<Stream, boost::beast::tcp_stream>) {
    auto& socket = stream.socket();
    boost::beast::error_code ec;
    if (!socket.non_blocking()) {
      socket.non_blocking(true, ec);
    }
    bool rendered = false;
    if constexpr (detail::kStringBody<Serializer>) {
      const auto& msg = sr.get();
      if (!ec && !msg.chunked() && msg.body().size() <= detail::kRenderedBodyLimit) {
        rendered = true;
        thread_local std::string wire;
        wire.clear();
        renderHead(msg.base(), wire);
        wire += msg.body();
        const std::size_t sent = socket.write_some(boost::asio::buffer(wire), ec);
        if (!ec && sent == wire.size()) {
          handler(boost::beast::error_code{}, sent);
          return;
        }
        if (!ec) {
          ec = boost::asio::error::would_block;  // the socket took part: the rest is written below
        }
        if (sent > 0) {
          boost::beast::error_code ignored;
          sr.next(ignored, [](boost::beast::error_code&, const auto&) {});
          sr.consume(sent);
        }
      }
    }
    while (!rendered && !ec && !sr.is_done()) {
      boost::beast::http::write_some(socket, sr, ec);
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
