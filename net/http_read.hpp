#pragma once

// Reading one HTTP message with Beast's parser without letting the parser end the process. Beast 1.74
// throws (std::length_error "field value too large") from inside basic_parser::put on any header or trailer
// field over 65,533 octets, and does not apply header_limit to trailers; through http::async_read that
// exception leaves the completion handler and the thread running the io_context. Here every put() is
// guarded, and the read buffer's own limit (see boundedBuffer) bounds what may sit unparsed in it: a
// request line and header fields up to the header limit, or a chunk header or trailer section of the same
// size. An I/O file (includes Beast).

#include <algorithm>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/message.hpp>
#include <cstddef>
#include <exception>
#include <stdexcept>
#include <utility>

#include "net/request_framing.hpp"

namespace kerbpool::net {

namespace beast = boost::beast;

enum class ReadUntil {
  Header,   // stop once the header is parsed (the body, if any, is read by a later call)
  Message,  // the whole message
};

// The most a session's read buffer may hold unparsed: the header limit (Beast counts a header against
// header_limit as it arrives, so a header cannot outgrow it), and at least one socket read's worth.
inline std::size_t readBufferLimit(std::size_t headerLimit) {
  return std::max<std::size_t>(headerLimit, 4096) + 4096;
}

// Gives `buffer` to `parser` until `until` is reached. Returns need_more when more octets are needed, any
// parse error as Beast names it, header_limit when the buffer is full and the parser still needs more (an
// oversized trailer section or chunk header), and header_limit / bad_value for what Beast would have thrown
// (an oversized field / anything else). The header is always parsed on its own first: Beast 1.74's eager
// put of a header and body that arrived together loses finish_header's body_limit verdict.
template <class Parser>
beast::error_code feedParser(Parser& parser, beast::flat_buffer& buffer, ReadUntil until) {
  namespace http = beast::http;
  beast::error_code ec;
  try {
    while (true) {
      const bool headerDone = parser.is_header_done();
      if (parser.is_done() || (until == ReadUntil::Header && headerDone)) {
        return {};
      }
      parser.eager(headerDone);
      if (buffer.size() == 0) {
        return http::error::need_more;
      }
      const std::size_t used = parser.put(buffer.data(), ec);
      buffer.consume(used);
      if (ec == http::error::need_more) {
        if (buffer.size() >= buffer.max_size()) {
          return http::error::header_limit;  // what is waiting to be parsed no longer fits: too large
        }
        return ec;
      }
      if (ec) {
        return ec;
      }
      if (used == 0 && !parser.is_done()) {
        return http::error::need_more;
      }
    }
  } catch (const std::length_error&) {
    return http::error::header_limit;
  } catch (const std::exception&) {
    return http::error::bad_value;
  }
}

// The end of the stream while reading: what Beast's read does (a message delimited by the close is done,
// a message cut short is partial_message, nothing at all is end_of_stream).
template <class Parser>
beast::error_code onStreamEnd(Parser& parser) {
  namespace http = beast::http;
  if (!parser.got_some()) {
    return http::error::end_of_stream;
  }
  beast::error_code ec;
  try {
    parser.put_eof(ec);
  } catch (const std::exception&) {
    return http::error::partial_message;
  }
  return ec;
}

namespace detail {

constexpr std::size_t kReadSize = 16 * 1024;

template <class Stream, class Parser, class Handler>
struct ReadOp {
  Stream& stream;
  beast::flat_buffer& buffer;
  Parser& parser;
  ReadUntil until;
  Handler handler;

  void step() {
    namespace http = beast::http;
    const auto ec = feedParser(parser, buffer, until);
    if (ec != http::error::need_more) {
      handler(ec);
      return;
    }
    const std::size_t room = buffer.max_size() - buffer.size();
    auto space = buffer.prepare(std::min(kReadSize, room));
    auto& s = stream;
    // The read completes where the caller's handler would (its strand, when it is bound to one).
    const auto executor = boost::asio::get_associated_executor(handler, s.get_executor());
    s.async_read_some(space,
                      boost::asio::bind_executor(
                          executor, [op = std::move(*this)](beast::error_code rec, std::size_t n) mutable {
                            op.onRead(rec, n);
                          }));
  }

  void onRead(beast::error_code ec, std::size_t n) {
    buffer.commit(n);
    if (ec == boost::asio::error::eof) {
      // What arrived before the end still counts.
      const auto fed = feedParser(parser, buffer, until);
      if (fed != beast::http::error::need_more) {
        handler(fed);
        return;
      }
      handler(onStreamEnd(parser));
      return;
    }
    if (ec) {
      handler(ec);
      return;
    }
    step();
  }
};

}  // namespace detail

// Reads into `parser` until `until` (the async counterpart of feedParser). The handler gets an error_code
// only: what Beast's read would report (timeouts from the stream's expiry included), never an exception.
// The stream's expiry is the caller's business (expires_after before the call).
template <class Stream, class Parser, class Handler>
void asyncReadMessage(Stream& stream, beast::flat_buffer& buffer, Parser& parser, ReadUntil until,
                      Handler&& handler) {
  detail::ReadOp<Stream, Parser, std::decay_t<Handler>>{stream, buffer, parser, until,
                                                        std::forward<Handler>(handler)}
      .step();
}

// Reads synchronously (blocking stream), the same way.
template <class SyncStream, class Parser>
beast::error_code readMessage(SyncStream& stream, beast::flat_buffer& buffer, Parser& parser,
                              ReadUntil until) {
  namespace http = beast::http;
  while (true) {
    const auto ec = feedParser(parser, buffer, until);
    if (ec != http::error::need_more) {
      return ec;
    }
    const std::size_t room = buffer.max_size() - buffer.size();
    beast::error_code rec;
    const std::size_t n = stream.read_some(buffer.prepare(std::min(detail::kReadSize, room)), rec);
    buffer.commit(n);
    if (rec == boost::asio::error::eof) {
      const auto fed = feedParser(parser, buffer, until);
      return fed != http::error::need_more ? fed : onStreamEnd(parser);
    }
    if (rec) {
      return rec;
    }
  }
}

// The framing facts of a parsed request header, for checkRequestFraming.
template <class Fields>
RequestFraming framingOf(const beast::http::request_header<Fields>& h) {
  namespace http = beast::http;
  RequestFraming f;
  f.version = h.version();
  f.hostFields = h.count(http::field::host);
  const auto [teBegin, teEnd] = h.equal_range(http::field::transfer_encoding);
  for (auto it = teBegin; it != teEnd; ++it) {
    f.transferEncodings.emplace_back(it->value().data(), it->value().size());
  }
  f.contentLengthFields = h.count(http::field::content_length);
  f.contentLength = f.contentLengthFields != 0;
  return f;
}

}  // namespace kerbpool::net
