#pragma once
// Layer 4's byte pump (an I/O file): the two sockets of every relayed client/node pair sit in an epoll set of
// the relay's own, which Asio watches as a single descriptor. Why not Asio's reads: after a read that
// returned data, Boost 1.74's reactor tries the next read on that socket at once, and in a request/response
// protocol that read finds nothing (the peer has not answered yet): 3 system calls per message and direction
// instead of 2. The relay keeps HAProxy's readiness rule instead: a socket is read only after epoll reported
// it, until a read returns less than the buffer holds (then the socket is empty, and the edge-triggered set
// reports the next octet that arrives).
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "core/common/result.hpp"

namespace kerbpool::loadbalancer {

class TcpRelay {
 public:
  // How a pair ended, given once to its handler.
  enum class End {
    Closed,   // both sides ended their sending (half-closes passed on), or one side reset or failed
    Idle,     // no octet either way for the idle timeout
    Stopped,  // close() or stop()
  };
  using EndHandler = std::function<void(End)>;

  // Creates the epoll set (an Io error naming epoll_create1 on failure). The relay's work runs on a strand of
  // `ioc`; a pair without an octet either way for between `idleTimeout` and twice that is closed.
  static core::Result<std::shared_ptr<TcpRelay>> create(boost::asio::io_context& ioc,
                                                        std::chrono::milliseconds idleTimeout);
  ~TcpRelay();
  TcpRelay(const TcpRelay&) = delete;
  TcpRelay& operator=(const TcpRelay&) = delete;

  // Takes ownership of two connected sockets (made non-blocking here) and relays between them until the pair
  // ends; then closes both and calls `onEnd` on the relay's strand. Returns the pair's id for close(). Any
  // thread.
  std::uint64_t adopt(int clientFd, int nodeFd, EndHandler onEnd);
  // Ends one pair (End::Stopped) if it is still relayed. Any thread.
  void close(std::uint64_t id);
  // Ends every pair and stops watching: nothing keeps the io_context busy afterwards. Any thread; the owner
  // calls it before it stops the io_context (a relay's wait holds the relay's state until then).
  void stop();

  struct Impl;

 private:
  explicit TcpRelay(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<Impl> impl_;
};

}  // namespace kerbpool::loadbalancer
