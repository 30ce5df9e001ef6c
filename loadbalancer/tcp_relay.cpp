#include "loadbalancer/tcp_relay.hpp"

#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <cerrno>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

namespace kerbpool::loadbalancer {

namespace asio = boost::asio;

// Not in an anonymous namespace: TcpRelay::Impl, which has external linkage, holds these.
namespace tcp_relay_detail {

constexpr std::size_t kRelayBuffer = 16 * 1024;
constexpr int kEventsPerWait = 64;

// One relayed pair. Side 0 is the client, side 1 the node; buffer s holds what was read from side s and is
// not yet written to the other side.
struct Pair {
  std::uint64_t id = 0;
  std::array<int, 2> fd{-1, -1};
  std::array<bool, 2> readable{false, false};  // epoll reported data (or an end) not read yet
  std::array<bool, 2> hungUp{false, false};    // epoll reported side s's end (or an error) behind its data
  std::array<bool, 2> ended{false, false};     // side s ended its sending; passed on to the other side
  std::array<std::size_t, 2> offset{0, 0};     // buffer s: first octet not written yet
  std::array<std::size_t, 2> length{0, 0};     // buffer s: octets not written yet
  bool active = false;                         // an octet moved since the last idle sweep
  TcpRelay::EndHandler onEnd;
  std::array<std::array<char, kRelayBuffer>, 2> buffer;
};

// What moving bytes from one side to the other came to.
enum class Flow { Waiting, Failed };

}  // namespace tcp_relay_detail

using tcp_relay_detail::Flow;
using tcp_relay_detail::kEventsPerWait;
using tcp_relay_detail::Pair;

struct TcpRelay::Impl : std::enable_shared_from_this<TcpRelay::Impl> {
  Impl(asio::strand<asio::io_context::executor_type> s, asio::posix::stream_descriptor epollSet,
       std::chrono::milliseconds idle)
      : strand(std::move(s)), events(std::move(epollSet)), sweep(strand), idleTimeout(idle) {}

  asio::strand<asio::io_context::executor_type> strand;
  asio::posix::stream_descriptor events;  // the relay's epoll set, as Asio sees it
  asio::steady_timer sweep;
  const std::chrono::milliseconds idleTimeout;
  std::atomic<std::uint64_t> nextId{1};
  // Only on the strand:
  std::unordered_map<std::uint64_t, std::unique_ptr<Pair>> pairs;
  bool stopped = false;

  void start() {
    waitForEvents();
    armSweep();
  }

  void waitForEvents() {
    events.async_wait(asio::posix::descriptor_base::wait_read,
                      asio::bind_executor(strand, [self = shared_from_this()](boost::system::error_code ec) {
                        if (ec || self->stopped) {
                          return;
                        }
                        self->dispatchEvents();
                        self->waitForEvents();
                      }));
  }

  void armSweep() {
    sweep.expires_after(idleTimeout);
    sweep.async_wait(asio::bind_executor(strand, [self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->stopped) {
        return;
      }
      std::vector<std::uint64_t> idle;
      for (auto& [id, pair] : self->pairs) {
        if (!pair->active) {
          idle.push_back(id);
        }
        pair->active = false;
      }
      for (const auto id : idle) {
        self->end(id, End::Idle);
      }
      self->armSweep();
    }));
  }

  // Takes what the epoll set reports until it has nothing more. Anything that arrives after that still fires:
  // Asio re-arms its wait with EPOLL_CTL_MOD, which reports a set that is ready again.
  void dispatchEvents() {
    std::array<epoll_event, kEventsPerWait> ready{};
    for (;;) {
      const int n = ::epoll_wait(events.native_handle(), ready.data(), kEventsPerWait, 0);
      if (n < 0 && errno == EINTR) {
        continue;
      }
      for (int i = 0; i < n; ++i) {
        const std::uint64_t id = ready[i].data.u64 >> 1;
        const auto side = static_cast<std::size_t>(ready[i].data.u64 & 1);
        const auto it = pairs.find(id);
        if (it == pairs.end()) {
          continue;  // ended earlier in this batch
        }
        Pair& p = *it->second;
        if ((ready[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0) {
          p.readable[side] = true;
        }
        if ((ready[i].events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0) {
          p.hungUp[side] = true;
        }
        drive(p);
      }
      if (n < kEventsPerWait) {
        return;
      }
    }
  }

  // Moves what can move both ways; ends the pair when both sides ended or one failed.
  void drive(Pair& p) {
    for (std::size_t side = 0; side < 2; ++side) {
      if (flow(p, side) == Flow::Failed) {
        end(p.id, End::Closed);
        return;
      }
    }
    if (p.ended[0] && p.ended[1]) {
      end(p.id, End::Closed);
    }
  }

  // From side `from` to the other side: write what is buffered, then read while epoll says there is more.
  static Flow flow(Pair& p, std::size_t from) {
    const int in = p.fd[from];
    const int out = p.fd[1 - from];
    auto& buf = p.buffer[from];
    for (;;) {
      if (p.length[from] > 0) {
        const ssize_t w = ::send(out, buf.data() + p.offset[from], p.length[from], MSG_NOSIGNAL);
        if (w < 0) {
          if (errno == EINTR) {
            continue;
          }
          // EAGAIN: the other side's send buffer is full; its EPOLLOUT edge brings this pair back.
          return errno == EAGAIN || errno == EWOULDBLOCK ? Flow::Waiting : Flow::Failed;
        }
        p.offset[from] += static_cast<std::size_t>(w);
        p.length[from] -= static_cast<std::size_t>(w);
        p.active = true;
        continue;
      }
      if (p.ended[from] || !p.readable[from]) {
        return Flow::Waiting;
      }
      const ssize_t r = ::recv(in, buf.data(), buf.size(), 0);
      if (r > 0) {
        p.offset[from] = 0;
        p.length[from] = static_cast<std::size_t>(r);
        p.active = true;
        // A short read emptied the socket: the next octet to arrive raises a new edge. Not so an end that
        // arrived with the data (it raises no edge of its own): after a hang-up, read on until the end.
        p.readable[from] = static_cast<std::size_t>(r) == buf.size() || p.hungUp[from];
        continue;
      }
      if (r == 0) {  // a half-close: pass it on, keep the other direction going
        p.ended[from] = true;
        p.readable[from] = false;
        ::shutdown(out, SHUT_WR);
        return Flow::Waiting;
      }
      if (errno == EINTR) {
        continue;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        p.readable[from] = false;
        return Flow::Waiting;
      }
      return Flow::Failed;  // a reset
    }
  }

  void add(std::unique_ptr<Pair> p) {
    if (stopped) {
      closeSockets(*p);
      p->onEnd(End::Stopped);
      return;
    }
    for (std::size_t side = 0; side < 2; ++side) {
      int on = 1;
      ::ioctl(p->fd[side], FIONBIO, &on);
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;  // adding reports what is already there
      ev.data.u64 = (p->id << 1) | side;
      if (::epoll_ctl(events.native_handle(), EPOLL_CTL_ADD, p->fd[side], &ev) != 0) {
        closeSockets(*p);
        p->onEnd(End::Closed);
        return;
      }
    }
    p->active = true;  // a new pair gets a whole idle period
    const std::uint64_t id = p->id;
    pairs.emplace(id, std::move(p));
  }

  void end(std::uint64_t id, End how) {
    const auto it = pairs.find(id);
    if (it == pairs.end()) {
      return;
    }
    std::unique_ptr<Pair> p = std::move(it->second);
    pairs.erase(it);
    closeSockets(*p);  // closing a descriptor takes it out of the epoll set
    p->onEnd(how);
  }

  static void closeSockets(Pair& p) {
    for (const int fd : p.fd) {
      ::shutdown(fd, SHUT_RDWR);
      ::close(fd);
    }
  }

  void stopOnStrand() {
    if (stopped) {
      return;
    }
    std::vector<std::uint64_t> ids;
    ids.reserve(pairs.size());
    for (const auto& entry : pairs) {
      ids.push_back(entry.first);
    }
    for (const auto id : ids) {
      end(id, End::Stopped);
    }
    stopped = true;
    sweep.cancel();
    boost::system::error_code ignored;
    events.close(ignored);
  }
};

core::Result<std::shared_ptr<TcpRelay>> TcpRelay::create(asio::io_context& ioc,
                                                         std::chrono::milliseconds idleTimeout) {
  const int fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0) {
    return core::makeError(core::ErrorCategory::Io, "epoll_create1",
                           std::string("tcp relay: epoll_create1: ") + std::strerror(errno));
  }
  // Assigned with an error code: a registration Asio refuses closes the descriptor here instead of leaking it
  // through a throwing constructor.
  auto strand = asio::make_strand(ioc);
  asio::posix::stream_descriptor events(strand);
  boost::system::error_code ec;
  events.assign(fd, ec);
  if (ec) {
    ::close(fd);
    return core::makeError(core::ErrorCategory::Io, "epoll_register",
                           "tcp relay: registering its epoll set: " + ec.message());
  }
  auto impl = std::make_shared<Impl>(std::move(strand), std::move(events), idleTimeout);
  impl->start();
  return std::shared_ptr<TcpRelay>(new TcpRelay(std::move(impl)));
}

TcpRelay::~TcpRelay() = default;

std::uint64_t TcpRelay::adopt(int clientFd, int nodeFd, EndHandler onEnd) {
  auto p = std::make_unique<Pair>();
  p->id = impl_->nextId++;
  p->fd = {clientFd, nodeFd};
  p->onEnd = std::move(onEnd);
  const std::uint64_t id = p->id;
  asio::post(impl_->strand, [impl = impl_, p = std::move(p)]() mutable { impl->add(std::move(p)); });
  return id;
}

void TcpRelay::close(std::uint64_t id) {
  asio::post(impl_->strand, [impl = impl_, id] { impl->end(id, End::Stopped); });
}

void TcpRelay::stop() {
  asio::post(impl_->strand, [impl = impl_] { impl->stopOnStrand(); });
}

}  // namespace kerbpool::loadbalancer
