#pragma once

// The workstation's socket layer (an I/O file of client/): a POSIX socket whose every wait is a poll()
// bounded by the request's Deadline, as a Beast/Asio SyncReadStream and SyncWriteStream that ssl::stream can
// wrap. No event loop, no thread: ten thousand simulated workstations cost ten thousand sockets and no more.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/system/system_error.hpp>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <string>

#include "client/errno_text.hpp"
#include "core/common/clock.hpp"
#include "core/common/result.hpp"

namespace kerbpool::client {

namespace asio = boost::asio;
namespace beast = boost::beast;

class UniqueFd {
 public:
  UniqueFd() = default;
  ~UniqueFd() { reset(); }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void reset(int fd = -1) {
    if (fd_ >= 0) {
      ::close(fd_);
    }
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// A time budget on the monotonic clock (core::Stopwatch): every poll() waits at most what is left of it.
struct Deadline {
  core::Stopwatch watch;
  std::chrono::nanoseconds limit{0};

  // Set when a request has just gone out: its answer cannot be there yet, so the next read polls before it
  // calls recv() (a recv() first would only answer EAGAIN: one system call per response saved).
  bool awaitingAnswer = false;

  void start(std::chrono::milliseconds budget) {
    watch.restart();
    limit = budget;
  }
  // Milliseconds left, rounded up; 0 when the budget is spent.
  int remainingMs() const {
    const auto left = limit - watch.elapsed();
    if (left <= std::chrono::nanoseconds::zero()) {
      return 0;
    }
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
    return static_cast<int>(std::min<std::int64_t>(ms, 1 << 30));
  }
};

// A SyncReadStream/SyncWriteStream over a non-blocking socket whose operations respect a Deadline: what
// Beast reads from and what ssl::stream wraps. It is its own lowest layer; the executor only satisfies
// ssl::stream's construction (its timers serve asynchronous operations, which are never used here).
// Waits until fd is ready for `events` or the deadline passes (ec = timed_out).
bool waitReady(int fd, short events, const Deadline& deadline, beast::error_code& ec);

class DeadlineStream {
 public:
  using lowest_layer_type = DeadlineStream;
  using executor_type = asio::io_context::executor_type;

  DeadlineStream(int fd, Deadline& deadline, executor_type executor)
      : fd_(fd), deadline_(&deadline), executor_(executor) {}

  lowest_layer_type& lowest_layer() { return *this; }
  const lowest_layer_type& lowest_layer() const { return *this; }
  executor_type get_executor() noexcept { return executor_; }

  template <class MutableBuffers>
  std::size_t read_some(const MutableBuffers& buffers, beast::error_code& ec) {
    ec = {};
    asio::mutable_buffer b = firstNonEmpty<asio::mutable_buffer>(buffers);
    if (b.size() == 0) {
      return 0;
    }
    if (deadline_->awaitingAnswer) {
      deadline_->awaitingAnswer = false;
      if (!waitReady(fd_, POLLIN, *deadline_, ec)) {
        return 0;
      }
    }
    while (true) {
      const ssize_t n = ::recv(fd_, b.data(), b.size(), 0);
      if (n > 0) {
        return static_cast<std::size_t>(n);
      }
      if (n == 0) {
        ec = asio::error::eof;
        return 0;
      }
      if (errno == EINTR) {
        continue;
      }
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        ec = beast::error_code(errno, boost::system::system_category());
        return 0;
      }
      if (!waitReady(fd_, POLLIN, *deadline_, ec)) {
        return 0;
      }
    }
  }

  template <class ConstBuffers>
  std::size_t write_some(const ConstBuffers& buffers, beast::error_code& ec) {
    ec = {};
    asio::const_buffer b = firstNonEmpty<asio::const_buffer>(buffers);
    if (b.size() == 0) {
      return 0;
    }
    while (true) {
      const ssize_t n = ::send(fd_, b.data(), b.size(), MSG_NOSIGNAL);
      if (n >= 0) {
        return static_cast<std::size_t>(n);
      }
      if (errno == EINTR) {
        continue;
      }
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        ec = beast::error_code(errno, boost::system::system_category());
        return 0;
      }
      if (!waitReady(fd_, POLLOUT, *deadline_, ec)) {
        return 0;
      }
    }
  }

  // The throwing forms the stream concepts ask for; this file only calls the error_code forms.
  template <class MutableBuffers>
  std::size_t read_some(const MutableBuffers& buffers) {
    beast::error_code ec;
    const std::size_t n = read_some(buffers, ec);
    if (ec) {
      throw boost::system::system_error(ec);
    }
    return n;
  }
  template <class ConstBuffers>
  std::size_t write_some(const ConstBuffers& buffers) {
    beast::error_code ec;
    const std::size_t n = write_some(buffers, ec);
    if (ec) {
      throw boost::system::system_error(ec);
    }
    return n;
  }

 private:
  template <class Buffer, class Buffers>
  static Buffer firstNonEmpty(const Buffers& buffers) {
    for (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers); ++it) {
      Buffer b(*it);
      if (b.size() > 0) {
        return b;
      }
    }
    return Buffer();
  }

  int fd_;
  Deadline* deadline_;
  executor_type executor_;
};

struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
};

// A numeric IPv4 or IPv6 address and port (Config error otherwise).
core::Result<SocketAddress> makeAddress(const std::string& address, std::uint16_t port);

}  // namespace kerbpool::client
