#pragma once

// Writing an HTTP message without a trip through the scheduler when the socket takes it at once, which a
// small response or forwarded request usually does: on a plain socket the serializer is written without
// waiting first, and the handler runs at once; only what the socket did not take is written asynchronously,
// under a timeout. Asio's async_write would also send at once but complete through the scheduler, which at a
// lightly loaded server costs another epoll_wait() and the Beast write timer's timerfd_settime() per message.
// Shared by the node's sessions and the balancer's. An I/O file (includes Beast).
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstring>
#include <functional>
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
  namespace http = boost::beast::http;
  const unsigned version = h.version();
  const char versionText[] = {'H', 'T',
                              'T', 'P',
                              '/', static_cast<char>('0' + version / 10),
                              '.', static_cast<char>('0' + version % 10)};
  boost::beast::string_view first, second;  // request: method, target; response: reason
  char codeText[5] = {};                    // response: " 401 "
  if constexpr (isRequest) {
    first = h.method_string();
    second = h.target();
  } else {
    const unsigned code = h.result_int();
    codeText[0] = ' ';
    codeText[1] = static_cast<char>('0' + code / 100);
    codeText[2] = static_cast<char>('0' + code / 10 % 10);
    codeText[3] = static_cast<char>('0' + code % 10);
    codeText[4] = ' ';
    second = h.reason().empty() ? http::obsolete_reason(h.result()) : h.reason();
  }
  // One pass to size, one to copy.
  std::size_t size =
      first.size() + second.size() + sizeof versionText + (isRequest ? 2 : sizeof codeText) + 4;
  for (const auto& field : h) {
    size += field.name_string().size() + field.value().size() + 4;
  }
  const std::size_t at = out.size();
  out.resize(at + size);
  char* p = out.data() + at;
  const auto put = [&p](const char* data, std::size_t n) {
    std::memcpy(p, data, n);
    p += n;
  };
  if constexpr (isRequest) {
    put(first.data(), first.size());
    put(" ", 1);
    put(second.data(), second.size());
    put(" ", 1);
    put(versionText, sizeof versionText);
  } else {
    put(versionText, sizeof versionText);
    put(codeText, sizeof codeText);
    put(second.data(), second.size());
  }
  put("\r\n", 2);
  for (const auto& field : h) {
    const auto name = field.name_string();
    const auto value = field.value();
    put(name.data(), name.size());
    put(": ", 2);
    put(value.data(), value.size());
    put("\r\n", 2);
  }
  put("\r\n", 2);
}

namespace detail {

constexpr std::size_t kRenderedBodyLimit = 16 * 1024;  // larger bodies go out from where they are

template <class Serializer>
constexpr bool kStringBody =
    std::is_same_v<typename Serializer::value_type::body_type, boost::beast::http::string_body>;

// The asynchronous part of writeMessage, with the caller's handler behind one type. Beast's write over TLS
// is about a megabyte of template code under ASan for each handler type, and every session type with every
// stream it writes to made another copy (2026-12-07: 3.7 of the 7.5 MB of code of the balancer's layer 7
// session under ASan, 212 s of compiling). Instantiated once for each stream and message type in
// net/http_write.cpp, for the front-end and the balancer alike; a combination not listed there does not
// link. The handler's executor stays its executor.
using WriteDone = std::function<void(boost::beast::error_code, std::size_t)>;
using ErasedWriteHandler = boost::asio::executor_binder<WriteDone, boost::asio::any_io_executor>;
template <class Stream, class Serializer>
void asyncWrite(Stream& stream, Serializer& sr, ErasedWriteHandler handler);

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
  boost::asio::any_io_executor executor =
      boost::asio::get_associated_executor(handler, stream.get_executor());
  detail::WriteDone erased(std::forward<Handler>(handler));
  detail::asyncWrite(stream, sr, boost::asio::bind_executor(std::move(executor), std::move(erased)));
}

}  // namespace kerbpool::net
