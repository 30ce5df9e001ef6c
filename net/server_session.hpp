#pragma once

// The server side of one HTTP/1.1 connection that a front-end node and the load balancer share (Beast's
// advanced_server_flex shape): registration with the server's registry, reading one request at a time under
// timeouts and limits (net/http_read.hpp), RFC 9112 framing checks, 100-continue, the mapping of read errors
// to 400/413/431, and the polite end of a connection (shutdown, drain, close). What a request turns into, and
// how responses are written, belongs to Derived. An I/O file (includes Beast).
//
// Derived provides:
//   stream()                           the stream to read and write (tcp_stream or TlsStream)
//   doEof()                            end the connection politely on its transport (TLS close_notify first)
//   onRequestRead()                    a whole request is in parser_ (release it)
//   refuse(status, body)               answer a request the server could not read, then close
//   sessionLimits() -> SessionLimits   limits and timeouts
//   sessionCounters() -> SessionCounters&
//   mayWaitForNextRequest() -> bool    false: close instead of waiting for another request (a recycle)
//   sessionLabel() -> std::string      "connection #3 from 127.0.0.1:5555", for the log
// and may provide:
//   idleWaitReads() -> bool            true: a plain connection waits for its next request with a read of
//                                      kIdleReadSize octets pending (see waitForNextRequest)
#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

#include "core/common/log.hpp"
#include "net/connection_registry.hpp"
#include "net/exact_handler.hpp"
#include "net/http_read.hpp"
#include "net/idle_sweeper.hpp"

namespace kerbpool::net {

struct SessionLimits {
  std::size_t headerLimit = 16 * 1024;
  std::size_t bodyLimit = 1 << 20;
  std::chrono::milliseconds readTimeout{30000};  // a request (the first one's first octets included)
  std::chrono::milliseconds idleTimeout{120000};  // between requests
};

// Counters a session bumps for what it refuses or times out (the balancer points all three refusals at
// its one bad-request counter).
struct SessionCounters {
  std::atomic<std::uint64_t>* badRequests;     // 400, 501
  std::atomic<std::uint64_t>* headerTooLarge;  // 431
  std::atomic<std::uint64_t>* bodyTooLarge;    // 413
  std::atomic<std::uint64_t>* timeouts;
};

template <class Derived>
class ServerSession : public Closable {
 protected:
  using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

  // `component` names the server in the log; a constant (it is not copied).
  ServerSession(std::uint64_t id, std::string_view component, std::size_t headerLimit)
      : id_(id), component_(component) {
    buffer_.max_size(readBufferLimit(headerLimit));
  }

  ~ServerSession() override {
    if (sweeper_ != nullptr) {
      sweeper_->remove(idleHook_);  // a session destroyed while waiting (its io_context shutting down)
    }
  }

  Derived& derived() { return static_cast<Derived&>(*this); }
  boost::beast::tcp_stream& lowest() { return boost::beast::get_lowest_layer(derived().stream()); }

  // On the session's executor: joins `registry`, or closes when the server is stopping.
  bool registered(ConnectionRegistry& registry) {
    if (!registry.add(id_, derived().weak_from_this())) {
      lowest().close();
      return false;
    }
    return true;
  }

  // ---- reading one request -------------------------------------------------------------------------------

  void readRequest() {
    if (buffer_.size() > 0) {
      newParser();
      parseBuffered();  // pipelined
      return;
    }
    if (requestsRead_ == 0) {
      newParser();
      doReadHeader();
      return;
    }
    // Between requests: wait for the next one's first octets under the idle timeout.
    if (!derived().mayWaitForNextRequest()) {
      derived().doEof();
      return;
    }
    if constexpr (requires(Derived & d) { d.stream().hasPendingInput(); }) {
      if (derived().stream().hasPendingInput()) {  // TLS: a pipelined request already read and decrypted
        newParser();
        doReadHeader();
        return;
      }
    }
    waitForNextRequest();
  }

  // An idle kept-alive connection holds no parser and no read buffer, only a small pending wait for the
  // socket's readiness (allocated at its own size: net/exact_handler.hpp) and its place in the io_context's
  // IdleSweeper, which ends the wait after the idle timeout. Once the client sends, a plain connection reads
  // what came at once; a TLS one reads its request through the stream under the read timeout. (A Derived that
  // chooses idleWaitReads() waits with a read pending instead: see waitsByReading.)
  void waitForNextRequest() {
    idle_ = true;
    parser_.reset();
    lowest().expires_never();
    if (sweeper_ == nullptr) {
      sweeper_ = &idleSweeperOf(lowest().get_executor());
    }
    idleGeneration_ =
        sweeper_->add(idleHook_, derived().sessionLimits().idleTimeout, derived().weak_from_this());
    if (waitsByReading()) {
      // Boost 1.74's reactor tries a read at once whenever it may (it stops only after an end of stream), and
      // right after a response the client has not sent again yet: that read would fail. Starting it after
      // what the scheduler already holds gives the client that time when the balancer is busy (failed reads
      // per proxied request 1.78 -> 0.90 under `wrk -c32`, the node side included).
      boost::asio::post(lowest().get_executor(), [self = derived().shared_from_this()] {
        self->lowest().socket().async_read_some(
            self->buffer_.prepare(kIdleReadSize),
            [self](boost::beast::error_code ec, std::size_t n) { self->onIdleRead(ec, n); });
      });
      return;
    }
    buffer_.shrink_to_fit();
    lowest().socket().async_wait(boost::asio::ip::tcp::socket::wait_read,
                                 exactHandler([self = derived().shared_from_this()](
                                                  boost::beast::error_code ec) { self->onWoken(ec); }));
  }

  // The balancer's choice for plain connections: wait with a read pending instead. Asio re-arms the
  // descriptor with an epoll_ctl() for every readiness wait; a pending read needs no re-arming, so a busy
  // keep-alive connection costs no epoll_ctl() per request. The price is the read buffer, held while idle.
  bool waitsByReading() {
    if constexpr (requires(Derived & d) { d.idleWaitReads(); } &&
                  std::is_same_v<std::decay_t<decltype(derived().stream())>, boost::beast::tcp_stream>) {
      return derived().idleWaitReads();
    } else {
      return false;
    }
  }

  void idleTimedOut(std::uint64_t generation) override {
    boost::asio::post(lowest().get_executor(), [self = derived().shared_from_this(), generation] {
      if (self->idle_ && self->idleGeneration_ == generation) {
        self->idleExpired_ = true;
        boost::beast::error_code ignored;
        self->lowest().socket().cancel(ignored);
      }
    });
  }

  // Leaves the idle state; false when the wait ended without a request (the error is handled).
  bool wake(boost::beast::error_code ec) {
    idle_ = false;
    sweeper_->remove(idleHook_);
    const bool expired = idleExpired_ && ec == boost::asio::error::operation_aborted;
    idleExpired_ = false;
    if (expired || ec) {
      onReadError(expired ? boost::beast::error_code(boost::beast::error::timeout) : ec, "keep-alive wait");
      return false;
    }
    return true;
  }

  void onIdleRead(boost::beast::error_code ec, std::size_t n) {
    if (!wake(ec)) {
      return;
    }
    newParser();
    buffer_.commit(n);
    parseBuffered();
  }

  void onWoken(boost::beast::error_code ec) {
    if (!wake(ec)) {
      return;
    }
    newParser();
    if constexpr (std::is_same_v<std::decay_t<decltype(derived().stream())>, boost::beast::tcp_stream>) {
      auto& socket = lowest().socket();
      boost::beast::error_code rec;
      if (!socket.non_blocking()) {
        socket.non_blocking(true, rec);
      }
      const std::size_t n = rec ? 0 : socket.read_some(buffer_.prepare(kIdleReadSize), rec);
      if (rec == boost::asio::error::would_block || rec == boost::asio::error::try_again) {
        doReadHeader();  // woken without data after all: read as usual
        return;
      }
      if (rec) {
        onReadError(rec, "keep-alive wait");
        return;
      }
      buffer_.commit(n);
      parseBuffered();
    } else {
      doReadHeader();
    }
  }

  // Parses what was read without another trip through the scheduler: a request that arrived whole (the usual
  // case) goes straight on; otherwise the rest is read.
  void parseBuffered() {
    const auto ec = feedParser(*parser_, buffer_, ReadUntil::Header);
    if (ec == boost::beast::http::error::need_more) {
      doReadHeader();
    } else if (ec) {
      onReadError(ec, "parse request");
    } else {
      onHeader({});
    }
  }

  void doReadHeader() {
    lowest().expires_after(derived().sessionLimits().readTimeout);
    asyncReadMessage(derived().stream(), buffer_, *parser_, ReadUntil::Header,
                     [self = derived().shared_from_this()](boost::beast::error_code ec) { self->onHeader(ec); });
  }

  void onHeader(boost::beast::error_code ec) {
    namespace http = boost::beast::http;
    if (ec) {
      onReadError(ec, "read header");
      return;
    }
    const auto& req = parser_->get();
    if (const auto refusal = checkRequestFraming(framingOf(req.base()))) {
      // Never served or forwarded: an ambiguous request is how requests are smuggled.
      (*derived().sessionCounters().badRequests)++;
      core::logDebug(component_, derived().sessionLabel() + ": " + std::to_string(refusal->status) + " " +
                                     std::string(refusal->reason));
      derived().refuse(refusal->status, std::string(refusal->detail) + "\n");
      return;
    }
    // What already arrived of the body is parsed now (so a body sent along with Expect: 100-continue gets none).
    if (const auto fed = feedParser(*parser_, buffer_, ReadUntil::Message); fed && fed != http::error::need_more) {
      onReadError(fed, "parse request");
      return;
    }
    if (!parser_->is_done() && req.version() == 11 && boost::beast::iequals(req[http::field::expect], "100-continue")) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      lowest().expires_after(derived().sessionLimits().readTimeout);
      boost::asio::async_write(derived().stream(), boost::asio::buffer(kContinue.data(), kContinue.size()),
                               [self = derived().shared_from_this()](boost::beast::error_code ec2, std::size_t) {
                                 if (ec2) {
                                   self->fail(ec2, "write 100-continue");
                                   return;
                                 }
                                 self->doReadBody();
                               });
      return;
    }
    doReadBody();
  }

  void doReadBody() {
    if (parser_->is_done()) {
      requestRead();
      return;
    }
    lowest().expires_after(derived().sessionLimits().readTimeout);
    asyncReadMessage(derived().stream(), buffer_, *parser_, ReadUntil::Message,
                     [self = derived().shared_from_this()](boost::beast::error_code ec) {
                       ec ? self->onReadError(ec, "read body") : self->requestRead();
                     });
  }

  void requestRead() {
    requestsRead_++;
    derived().onRequestRead();
  }

  void onReadError(boost::beast::error_code ec, const char* what) {
    namespace http = boost::beast::http;
    auto& c = derived().sessionCounters();
    if (ec == http::error::end_of_stream || ec == boost::asio::error::eof ||
        ec == boost::asio::ssl::error::stream_truncated || ec == http::error::partial_message) {
      derived().doEof();  // the client closed: a normal end
    } else if (ec == boost::beast::error::timeout) {
      (*c.timeouts)++;
      fail(ec, what);
    } else if (ec == http::error::header_limit) {
      (*c.headerTooLarge)++;
      derived().refuse(431, "request header fields too large\n");
    } else if (ec == http::error::body_limit) {
      (*c.bodyTooLarge)++;
      derived().refuse(413, "payload too large\n");
    } else if (ec.category() == boost::beast::error_code(http::error::bad_method).category()) {
      (*c.badRequests)++;
      derived().refuse(400, "bad request\n");
    } else {
      fail(ec, what);
    }
  }

  // ---- the end of a connection ---------------------------------------------------------------------------

  // No more writes, then drain what the client still sends until it closes, the linger time passes or
  // enough was discarded, so that closing does not reset the connection and destroy the response in flight.
  void lingerAndClose() {
    boost::beast::error_code ignored;
    lowest().socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
    lowest().expires_after(std::min(derived().sessionLimits().readTimeout, kMaxLinger));
    drain();
  }

  void fail(boost::beast::error_code ec, std::string_view what) {
    if (ec != boost::asio::error::operation_aborted) {  // operation_aborted: closed by stop()
      core::logDebug(component_, derived().sessionLabel() + ": " + std::string(what) + ": " + ec.message());
    }
    lowest().close();
  }

  static constexpr std::chrono::milliseconds kMaxLinger{2000};

  std::uint64_t id_;
  std::uint64_t requestsRead_ = 0;  // completely read on this connection
  bool idle_ = false;               // waiting between requests
  std::unique_ptr<RequestParser> parser_;  // one per request, none while idle
  boost::beast::flat_buffer buffer_;

 private:
  static constexpr std::size_t kIdleReadSize = 4096;  // the first read after an idle wait

  void newParser() {
    const auto limits = derived().sessionLimits();
    parser_ = std::make_unique<RequestParser>();
    parser_->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(limits.headerLimit, UINT32_MAX)));
    parser_->body_limit(limits.bodyLimit);
  }

  IdleSweeper* sweeper_ = nullptr;  // the io_context's, from the first idle wait on
  IdleHook idleHook_;
  std::uint64_t idleGeneration_ = 0;
  bool idleExpired_ = false;
  static constexpr std::size_t kMaxDrain = 1 << 20;

  void drain() {
    if (!scratch_) {
      scratch_ = std::make_unique<std::array<char, 4096>>();  // only a closing connection needs it
    }
    lowest().async_read_some(boost::asio::buffer(*scratch_),
                             [self = derived().shared_from_this()](boost::beast::error_code ec, std::size_t n) {
                               self->drained_ += n;
                               if (ec || self->drained_ > kMaxDrain) {
                                 self->lowest().close();
                                 return;
                               }
                               self->drain();
                             });
  }

  std::string_view component_;
  std::unique_ptr<std::array<char, 4096>> scratch_;
  std::size_t drained_ = 0;
};

}  // namespace kerbpool::net
