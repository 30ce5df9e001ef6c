#pragma once

// The server side of a TLS connection that costs little while the connection is idle. Boost.Asio's
// ssl::stream keeps about 68 KiB per stream whether or not anything moves (two 17 KiB staging vectors and a
// BIO pair with two 17 KiB buffers between it and OpenSSL); at a node holding thousands of kept-alive
// connections that is most of its memory. TlsStream drives OpenSSL through a BIO of its own instead:
//   - reads go from the socket straight into OpenSSL (recv on the descriptor, never blocking): no staging
//     buffer, and OpenSSL's record buffers are released between records (SSL_MODE_RELEASE_BUFFERS);
//   - waiting for ciphertext is a one-octet read through the beast::tcp_stream below, so the session's
//     timeouts (expires_after), close() and cancellation apply as they do to a plain connection; the octet
//     is handed to OpenSSL first at the next read;
//   - what OpenSSL writes is collected in a vector that exists only until it has been sent.
// An idle connection then holds the SSL object and nothing else of TLS's (measured by
// bench/idle-connections.sh; README, "Memory per idle connection").
//
// It is a Beast/Asio AsyncReadStream and AsyncWriteStream whose lowest layer is the tcp_stream. One
// operation at a time (a server session reads a request, then writes its answer): a read and a write may not
// be in flight together. Server side only. An I/O file (includes Boost.Asio).
#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <memory>
#include <type_traits>
#include <vector>

namespace kerbpool::net {

struct TlsChannel;  // the SSL object, its BIO's state and the output waiting to be sent (tls_stream.cpp)

class TlsStream {
 public:
  using next_layer_type = boost::beast::tcp_stream;
  using executor_type = next_layer_type::executor_type;

  // A server-side stream on `socket` with a new SSL object from `context`.
  TlsStream(boost::asio::ip::tcp::socket&& socket, boost::asio::ssl::context& context);
  ~TlsStream();
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  executor_type get_executor() { return next_.get_executor(); }
  next_layer_type& next_layer() { return next_; }

  // Handler: void(error_code). The TLS server handshake.
  template <class Handler>
  auto async_handshake(Handler&& handler) {
    return start<false>([this] { return handshakeStep(); }, std::forward<Handler>(handler));
  }

  // Handler: void(error_code). Sends close_notify; does not wait for the peer's (the caller drains and
  // closes).
  template <class Handler>
  auto async_shutdown(Handler&& handler) {
    return start<false>([this] { return shutdownStep(); }, std::forward<Handler>(handler));
  }

  // True when a read would find data without the socket: decrypted data OpenSSL holds (a pipelined request),
  // or the octet a wait brought. A session waits on the socket for its next request only when this is false.
  bool hasPendingInput() const;

  // Handler: void(error_code, std::size_t). Reads into the first non-empty buffer. The end of the
  // connection is asio::error::eof after the peer's close_notify, asio::ssl::error::stream_truncated without.
  template <class MutableBufferSequence, class Handler>
  auto async_read_some(const MutableBufferSequence& buffers, Handler&& handler) {
    const auto target = firstNonEmpty<boost::asio::mutable_buffer>(buffers);
    return start<true>([this, target] { return readStep(target); }, std::forward<Handler>(handler));
  }

  // Handler: void(error_code, std::size_t). Writes up to 16 KiB of `buffers` as one TLS record (several
  // small buffers, as Beast's serializer hands them, are gathered first) and completes once it is sent.
  template <class ConstBufferSequence, class Handler>
  auto async_write_some(const ConstBufferSequence& buffers, Handler&& handler) {
    const std::size_t total = std::min(boost::asio::buffer_size(buffers), kMaxRecord);
    const auto first = firstNonEmpty<boost::asio::const_buffer>(buffers);
    if (first.size() >= total) {
      return start<true>([this, b = boost::asio::const_buffer(first.data(), total)] { return writeStep(b); },
                         std::forward<Handler>(handler));
    }
    auto gathered = std::make_shared<std::vector<unsigned char>>(total);
    boost::asio::buffer_copy(boost::asio::buffer(*gathered), buffers, total);
    return start<true>([this, gathered] { return writeStep(boost::asio::buffer(*gathered)); },
                       std::forward<Handler>(handler));
  }

  // What the step of an operation came to: done (with the bytes moved), or OpenSSL needs more ciphertext.
  struct Step {
    bool needsInput = false;
    std::size_t bytes = 0;
    boost::system::error_code ec;
  };

 private:
  static constexpr std::size_t kMaxRecord = 16 * 1024;

  // The first buffer of the sequence that holds anything (an empty one if none does).
  template <class Buffer, class Sequence>
  static Buffer firstNonEmpty(const Sequence& buffers) {
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers); ++it) {
      if (Buffer(*it).size() != 0) {
        return Buffer(*it);
      }
    }
    return Buffer();
  }

  Step handshakeStep();
  Step readStep(boost::asio::mutable_buffer target);
  Step writeStep(boost::asio::const_buffer source);
  Step shutdownStep();

  bool hasOutput() const;
  boost::asio::const_buffer output() const;
  void outputSent();              // drops the output that was sent, and its memory
  void wokenWith(std::size_t n);  // the wake-up read brought `n` (0 or 1) octets: OpenSSL gets them first

  // One operation: run its step; send what OpenSSL wrote; while OpenSSL needs ciphertext, wait for an octet
  // (the tcp_stream's timeout applies) and run the step again.
  template <class StepFn, bool WithCount>
  class Op {
   public:
    Op(TlsStream& stream, StepFn step) : s_(stream), step_(std::move(step)) {}

    template <class Self>
    void operator()(Self& self, boost::system::error_code ec = {}, std::size_t n = 0) {
      switch (phase_) {
        case Phase::Start:
          break;
        case Phase::Posted:
          return finish(self, result_.ec, result_.bytes);
        case Phase::Sending:
          s_.outputSent();
          if (ec) {
            return finish(self, ec, 0);
          }
          if (!result_.needsInput) {
            return finish(self, result_.ec, result_.bytes);
          }
          return wait(self);
        case Phase::Waiting:
          if (ec) {
            return finish(self, ec, 0);  // timeout, the peer's FIN before a record, close()
          }
          s_.wokenWith(n);
          break;
      }
      const bool first = phase_ == Phase::Start;
      result_ = step_();
      if (s_.hasOutput()) {
        phase_ = Phase::Sending;
        return boost::asio::async_write(s_.next_, s_.output(), std::move(self));
      }
      if (result_.needsInput) {
        return wait(self);
      }
      if (first) {  // nothing asynchronous happened yet: complete through the executor, never inline
        phase_ = Phase::Posted;
        return boost::asio::post(s_.next_.get_executor(), std::move(self));
      }
      finish(self, result_.ec, result_.bytes);
    }

   private:
    enum class Phase { Start, Posted, Sending, Waiting };

    template <class Self>
    static void finish(Self& self, boost::system::error_code ec, std::size_t n) {
      if constexpr (WithCount) {
        self.complete(ec, n);
      } else {
        (void)n;
        self.complete(ec);
      }
    }

    template <class Self>
    void wait(Self& self) {
      phase_ = Phase::Waiting;
      s_.next_.async_read_some(boost::asio::buffer(&s_.wakeOctet_, 1), std::move(self));
    }

    TlsStream& s_;
    StepFn step_;
    Phase phase_ = Phase::Start;
    Step result_;
  };

  // WithCount: the handler takes (error_code, size_t); otherwise (error_code).
  template <bool WithCount, class StepFn, class Handler>
  auto start(StepFn step, Handler&& handler) {
    using Signature = std::conditional_t<WithCount, void(boost::system::error_code, std::size_t),
                                         void(boost::system::error_code)>;
    return boost::asio::async_compose<Handler, Signature>(Op<StepFn, WithCount>(*this, std::move(step)),
                                                          handler, next_);
  }

  next_layer_type next_;
  std::unique_ptr<TlsChannel> channel_;
  unsigned char wakeOctet_ = 0;
};

}  // namespace kerbpool::net
