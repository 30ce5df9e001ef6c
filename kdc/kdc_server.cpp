// The KDC's only I/O file: UDP on blocking POSIX sockets, TCP on Boost.Asio. Protocol decisions live in the
// dispatcher.
#include "kdc/kdc_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/common/log.hpp"
#include "core/common/stats_signal.hpp"
#include "core/common/thread_name.hpp"
#include "net/io_threads.hpp"

namespace kerbpool::kdc {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using udp = asio::ip::udp;
using core::Bytes;
using core::ErrorCategory;
using core::makeError;

struct KdcServer::Runtime {
  asio::io_context ioc;
};

struct KdcServer::Impl : std::enable_shared_from_this<KdcServer::Impl> {
  Impl(const KdcServerConfig& c, KdcDispatcher& d, asio::io_context& io)
      : config(c), dispatcher(d), ioc(io) {}

  KdcServerConfig config;
  KdcDispatcher& dispatcher;
  asio::io_context& ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  tcp::acceptor acceptor{ioc};
  int udpFd = -1;
  std::vector<std::thread> threads;     // the io_context's (TCP)
  std::vector<std::thread> udpThreads;  // the receiver, then the helpers
  std::uint16_t port = 0;
  std::atomic<bool> stopped{false};

  std::atomic<std::uint64_t> udpRequests{0};
  std::atomic<std::uint64_t> tcpRequests{0};
  std::atomic<std::uint64_t> tcpConnections{0};
  std::atomic<std::uint64_t> dropped{0};
  std::atomic<std::uint64_t> tcpFramingErrors{0};
  std::atomic<std::uint64_t> tcpRejected{0};
  std::atomic<std::uint64_t> handlerExceptions{0};
  std::atomic<std::uint64_t> udpHelperCalls{0};
  // Bad TCP frame lengths come from peers: a flood of them must not flood the log (as KdcService's noise_).
  core::LogRateLimiter framingNoise{10, 10'000'000};  // 10 lines per 10 s

  // Open TCP connections, in all and per source address (config.maxTcpConnections / ...PerSource).
  std::mutex tcpMutex;
  std::size_t tcpOpen = 0;
  std::unordered_map<std::string, std::size_t> tcpPerSource;
  bool admitTcp(const std::string& source);
  void releaseTcp(const std::string& source);

  // UDP (see receiveDatagrams): one receiver blocked in recvfrom(), helpers called in on a backlog.
  std::mutex helpMutex;
  std::condition_variable helpWanted;
  std::size_t helpCalls = 0;             // guarded by helpMutex
  std::atomic<unsigned> idleHelpers{0};  // helpers waiting on helpWanted
  core::StatsSignal signal;              // changed() when idleHelpers does (waitForStats)
  void receiveDatagrams();
  void helpWithDatagrams();
  bool datagramQueued() const;
  void callHelper();
  void answerDatagram(core::BytesView datagram, const sockaddr_storage& peer, socklen_t length);
  void accept();
};

namespace {

std::string endpointText(const asio::ip::address& a, std::uint16_t port) {
  return a.to_string() + ":" + std::to_string(port);
}

// "127.0.0.1:5000" or "::1:5000", as endpointText writes an Asio endpoint. IPv4 is written by hand: glibc's
// inet_ntop formats it with sprintf, which cost more than the rest of a UDP request's bookkeeping.
std::string peerText(const sockaddr_storage& peer) {
  char text[INET6_ADDRSTRLEN + 8] = "?";
  char* end = text + 1;
  std::uint16_t port = 0;
  if (peer.ss_family == AF_INET) {
    const auto& a = reinterpret_cast<const sockaddr_in&>(peer);
    const auto* octet = reinterpret_cast<const std::uint8_t*>(&a.sin_addr);
    end = text;
    for (int i = 0; i < 4; ++i) {
      if (i != 0) {
        *end++ = '.';
      }
      end = std::to_chars(end, text + sizeof text, octet[i]).ptr;
    }
    port = ntohs(a.sin_port);
  } else if (peer.ss_family == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6&>(peer);
    ::inet_ntop(AF_INET6, &a.sin6_addr, text, INET6_ADDRSTRLEN);
    end = text + std::strlen(text);
    port = ntohs(a.sin6_port);
  }
  *end++ = ':';
  end = std::to_chars(end, text + sizeof text, port).ptr;
  return std::string(text, end);
}

// One TCP connection: read a 4-octet length, read the request, reply, repeat until the peer closes.
class TcpSession : public std::enable_shared_from_this<TcpSession> {
 public:
  // The session shares the server's state: a session the io_context destroys at shutdown (a pending timer's
  // handler) must still find it to release its connection slot.
  TcpSession(tcp::socket socket, std::shared_ptr<KdcServer::Impl> server, std::string source,
             std::string peer)
      : socket_(std::move(socket)),
        timer_(socket_.get_executor()),
        server_(std::move(server)),
        source_(std::move(source)),
        peer_(std::move(peer)) {}

  ~TcpSession() { server_->releaseTcp(source_); }

  void start() { readHeader(); }

 private:
  void armTimer() {
    timer_.expires_after(server_->config.tcpIdleTimeout);
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) {
        boost::system::error_code ignored;
        self->socket_.close(ignored);
      }
    });
  }

  void readHeader() {
    armTimer();
    asio::async_read(
        socket_, asio::buffer(header_),
        [self = shared_from_this()](boost::system::error_code ec, std::size_t) { self->onHeader(ec); });
  }

  void onHeader(boost::system::error_code ec) {
    if (ec) {
      close();
      return;
    }
    const std::uint32_t len = (std::uint32_t{header_[0]} << 24) | (std::uint32_t{header_[1]} << 16) |
                              (std::uint32_t{header_[2]} << 8) | header_[3];
    if ((len & 0x80000000u) != 0 || len > server_->config.maxTcpRequest || len == 0) {
      server_->tcpFramingErrors++;
      const std::string line = "TCP frame from " + peer_ + " announces " + std::to_string(len) +
                               " octets: answering KRB_ERR_FIELD_TOOLONG and closing";
      const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::steady_clock::now().time_since_epoch());
      std::uint64_t suppressed = 0;
      if (server_->framingNoise.allow(now.count(), suppressed)) {
        core::logWarn("kdc", line + (suppressed == 0 ? std::string()
                                                     : " (" + std::to_string(suppressed) +
                                                           " more bad frame lengths were not logged)"));
      } else {
        core::logDebug("kdc", line);
      }
      sendThenClose(server_->dispatcher.fieldTooLong());
      return;
    }
    // The body grows only as its octets arrive: a peer that announces 64 KiB and sends nothing holds no
    // more than this session's fixed chunk.
    expected_ = len;
    body_.clear();
    readBody();
  }

  void readBody() {
    const std::size_t want = std::min(chunk_.size(), expected_ - body_.size());
    socket_.async_read_some(asio::buffer(chunk_.data(), want),
                            [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                              if (!ec) {
                                self->body_.insert(self->body_.end(), self->chunk_.begin(),
                                                   self->chunk_.begin() + static_cast<std::ptrdiff_t>(n));
                                if (self->body_.size() < self->expected_) {
                                  self->readBody();
                                  return;
                                }
                              }
                              self->onBody(ec);
                            });
  }

  void onBody(boost::system::error_code ec) {
    if (ec) {
      // A truncated frame: the peer went away mid-request. Nothing to answer.
      server_->tcpFramingErrors++;
      close();
      return;
    }
    server_->tcpRequests++;
    auto reply = server_->dispatcher.dispatch(body_, RequestContext{Transport::Tcp, peer_});
    Bytes().swap(body_);  // memory goes back between requests
    if (!reply) {
      server_->dropped++;
      close();
      return;
    }
    out_ = frame(*reply);
    asio::async_write(socket_, asio::buffer(out_),
                      [self = shared_from_this()](boost::system::error_code ec2, std::size_t) {
                        if (ec2) {
                          self->close();
                          return;
                        }
                        self->readHeader();
                      });
  }

  void sendThenClose(const Bytes& reply) {
    out_ = frame(reply);
    asio::async_write(socket_, asio::buffer(out_),
                      [self = shared_from_this()](boost::system::error_code, std::size_t) { self->close(); });
  }

  static Bytes frame(const Bytes& reply) {
    Bytes out;
    out.reserve(reply.size() + 4);
    const auto n = static_cast<std::uint32_t>(reply.size());
    out.push_back(static_cast<std::uint8_t>(n >> 24));
    out.push_back(static_cast<std::uint8_t>(n >> 16));
    out.push_back(static_cast<std::uint8_t>(n >> 8));
    out.push_back(static_cast<std::uint8_t>(n));
    core::append(out, reply);
    return out;
  }

  void close() {
    boost::system::error_code ignored;
    timer_.cancel();
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  std::shared_ptr<KdcServer::Impl> server_;
  std::string source_;  // the peer's address, for the per-source cap
  std::string peer_;
  std::array<std::uint8_t, 4> header_{};
  std::array<std::uint8_t, 4096> chunk_{};
  std::size_t expected_ = 0;
  Bytes body_;
  Bytes out_;
};

}  // namespace

// UDP: one thread, the receiver, waits in recvfrom() on the socket and answers each datagram itself: a
// receive and a send per exchange, no reactor, no hand-off. The other UDP threads are helpers: they sleep
// until the receiver, on taking a datagram, finds another one already queued behind it (FIONREAD), and then
// answer what is queued without blocking, and sleep again. At a low rate one warm thread serves everything
// (when every thread waited in recvfrom() the kernel woke them in turn, the one idle longest first, and
// each request ran on a cold thread: 88.8 against 82.5 us of CPU per AS exchange at 2,000/s); a backlog
// brings in the other cores. The check costs one ioctl per datagram, and only while a helper is idle.
// stop() shuts the socket down, which wakes the receiver, and wakes the helpers.
void KdcServer::Impl::answerDatagram(core::BytesView datagram, const sockaddr_storage& peer,
                                     socklen_t length) {
  udpRequests++;
  try {
    auto reply = dispatcher.dispatch(datagram, RequestContext{Transport::Udp, peerText(peer)});
    if (!reply) {
      dropped++;
      return;
    }
    (void)::sendto(udpFd, reply->data(), reply->size(), MSG_NOSIGNAL,
                   reinterpret_cast<const sockaddr*>(&peer), length);
  } catch (const std::exception& e) {
    handlerExceptions++;
    core::logError("kdc", std::string("a UDP request's handler threw: ") + e.what());
  }
}

bool KdcServer::Impl::datagramQueued() const {
  int next = 0;  // the size of the next queued datagram, 0 when none is (an empty one is not worth a helper)
  return ::ioctl(udpFd, FIONREAD, &next) == 0 && next > 0;
}

void KdcServer::Impl::callHelper() {
  udpHelperCalls++;
  {
    std::lock_guard lock(helpMutex);
    ++helpCalls;
  }
  helpWanted.notify_one();
}

void KdcServer::Impl::receiveDatagrams() {
  core::nameThisThread("kp-kdc-udp");
  std::vector<std::uint8_t> buffer(65536);
  for (;;) {
    sockaddr_storage peer{};
    socklen_t length = sizeof peer;
    const ssize_t n =
        ::recvfrom(udpFd, buffer.data(), buffer.size(), 0, reinterpret_cast<sockaddr*>(&peer), &length);
    if (stopped.load(std::memory_order_acquire)) {
      return;
    }
    if (n < 0 || length == 0) {
      continue;  // EINTR, or an ICMP error left on the socket by an earlier reply's peer
    }
    if (idleHelpers.load(std::memory_order_relaxed) > 0 && datagramQueued()) {
      callHelper();
    }
    answerDatagram(core::BytesView(buffer.data(), static_cast<std::size_t>(n)), peer, length);
  }
}

void KdcServer::Impl::helpWithDatagrams() {
  core::nameThisThread("kp-kdc-udp");
  std::vector<std::uint8_t> buffer(65536);
  for (;;) {
    {
      std::unique_lock lock(helpMutex);
      idleHelpers++;
      signal.changed();
      helpWanted.wait(lock, [this] { return helpCalls > 0 || stopped.load(std::memory_order_acquire); });
      idleHelpers--;
      signal.changed();
      if (stopped.load(std::memory_order_acquire)) {
        return;
      }
      --helpCalls;
    }
    for (;;) {  // what is queued now; the receiver calls again when a backlog builds up again
      sockaddr_storage peer{};
      socklen_t length = sizeof peer;
      const ssize_t n = ::recvfrom(udpFd, buffer.data(), buffer.size(), MSG_DONTWAIT,
                                   reinterpret_cast<sockaddr*>(&peer), &length);
      if (stopped.load(std::memory_order_acquire)) {
        return;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        break;
      }
      if (n < 0 || length == 0) {
        continue;  // EINTR, or an ICMP error (see receiveDatagrams)
      }
      if (idleHelpers.load(std::memory_order_relaxed) > 0 && datagramQueued()) {
        callHelper();
      }
      answerDatagram(core::BytesView(buffer.data(), static_cast<std::size_t>(n)), peer, length);
    }
  }
}

void KdcServer::Impl::accept() {
  acceptor.async_accept(
      asio::make_strand(ioc), [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
        if (ec) {
          if (ec != asio::error::operation_aborted && !self->stopped) {
            self->accept();
          }
          return;
        }
        self->tcpConnections++;
        boost::system::error_code peerEc;
        const auto ep = socket.remote_endpoint(peerEc);
        std::string source = peerEc ? std::string("?") : ep.address().to_string();
        if (!self->admitTcp(source)) {
          self->tcpRejected++;
          core::logDebug("kdc", "TCP connection from " + source + " refused: connection limit reached");
          boost::system::error_code ignored;
          socket.close(ignored);
        } else {
          std::string peer = peerEc ? std::string("?") : endpointText(ep.address(), ep.port());
          std::make_shared<TcpSession>(std::move(socket), self, std::move(source), std::move(peer))->start();
        }
        self->accept();
      });
}

bool KdcServer::Impl::admitTcp(const std::string& source) {
  std::lock_guard lock(tcpMutex);
  auto& fromSource = tcpPerSource[source];
  if (tcpOpen >= config.maxTcpConnections || fromSource >= config.maxTcpConnectionsPerSource) {
    if (fromSource == 0) {
      tcpPerSource.erase(source);
    }
    return false;
  }
  tcpOpen++;
  fromSource++;
  return true;
}

void KdcServer::Impl::releaseTcp(const std::string& source) {
  std::lock_guard lock(tcpMutex);
  tcpOpen--;
  auto it = tcpPerSource.find(source);
  if (it != tcpPerSource.end() && --it->second == 0) {
    tcpPerSource.erase(it);
  }
}

namespace {

core::Status bindBoth(KdcServer::Impl& s, const asio::ip::address& addr, std::uint16_t port) {
  boost::system::error_code ec;
  tcp::endpoint tep(addr, port);
  s.acceptor.open(tep.protocol(), ec);
  if (!ec) {
    s.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  }
  if (!ec) {
    s.acceptor.bind(tep, ec);
  }
  if (!ec) {
    s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    boost::system::error_code ignored;
    s.acceptor.close(ignored);
    return makeError(
        ErrorCategory::Io, "listen_failed",
        "cannot listen on " + endpointText(addr, port) + "/tcp: " + ec.message() +
            (ec == asio::error::address_in_use ? " (is another KDC running on that port?)" : ""));
  }
  const std::uint16_t bound = s.acceptor.local_endpoint().port();
  const udp::endpoint uep(addr, bound);
  const int fd = ::socket(uep.protocol().family(), SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || ::bind(fd, uep.data(), static_cast<socklen_t>(uep.size())) != 0) {
    const int err = errno;
    if (fd >= 0) {
      ::close(fd);
    }
    boost::system::error_code ignored;
    s.acceptor.close(ignored);
    return makeError(ErrorCategory::Io, "bind_failed",
                     "cannot bind " + endpointText(addr, bound) + "/udp: " + std::strerror(err) +
                         (err == EADDRINUSE ? " (is another KDC running on that port?)" : ""));
  }
  s.udpFd = fd;
  s.port = bound;
  return core::okStatus();
}

}  // namespace

core::Result<std::unique_ptr<KdcServer>> KdcServer::start(const KdcServerConfig& config,
                                                          KdcDispatcher& dispatcher) {
  boost::system::error_code ec;
  const auto addr = asio::ip::make_address(config.address, ec);
  if (ec) {
    return makeError(ErrorCategory::Config, "bad_address", "'" + config.address + "' is not an IP address");
  }
  auto runtime = std::make_unique<Runtime>();
  auto impl = std::make_shared<Impl>(config, dispatcher, runtime->ioc);
  core::Status bound = bindBoth(*impl, addr, config.port);
  // With port 0 the TCP port is free but the same UDP number may not be: try a few other numbers.
  for (int attempt = 0; !bound.ok() && config.port == 0 && attempt < 20; ++attempt) {
    bound = bindBoth(*impl, addr, 0);
  }
  if (!bound.ok()) {
    return std::move(bound).error();
  }
  impl->work.emplace(asio::make_work_guard(impl->ioc));
  impl->accept();
  unsigned n = config.threads != 0 ? config.threads : std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < n; ++i) {
    impl->threads.emplace_back([i = impl.get()] { net::runIoContext(i->ioc, "kdc", i->handlerExceptions); });
    if (i == 0) {
      impl->udpThreads.emplace_back([server = impl.get()] { server->receiveDatagrams(); });
    } else {
      impl->udpThreads.emplace_back([server = impl.get()] { server->helpWithDatagrams(); });
    }
  }
  return std::unique_ptr<KdcServer>(new KdcServer(std::move(runtime), std::move(impl)));
}

KdcServer::KdcServer(std::unique_ptr<Runtime> runtime, std::shared_ptr<Impl> impl)
    : runtime_(std::move(runtime)), impl_(std::move(impl)) {}

KdcServer::~KdcServer() {
  stop();
}

std::uint16_t KdcServer::port() const {
  return impl_->port;
}

const std::string& KdcServer::address() const {
  return impl_->config.address;
}

KdcServerStats KdcServer::stats() const {
  return KdcServerStats{
      impl_->udpRequests.load(),       impl_->tcpRequests.load(),      impl_->tcpConnections.load(),
      impl_->dropped.load(),           impl_->tcpFramingErrors.load(), impl_->tcpRejected.load(),
      impl_->handlerExceptions.load(), impl_->udpHelperCalls.load(),   impl_->idleHelpers.load()};
}

bool KdcServer::waitForStats(const std::function<bool(const KdcServerStats&)>& condition,
                             std::chrono::milliseconds timeout) const {
  return impl_->signal.waitFor([&] { return condition(stats()); }, timeout);
}

void KdcServer::stop() {
  if (impl_->stopped.exchange(true)) {
    return;
  }
  asio::post(impl_->ioc, [i = impl_] {
    boost::system::error_code ignored;
    i->acceptor.close(ignored);
  });
  // Wakes the receiver blocked in recvfrom() (Linux does so for an unconnected UDP socket too, answering
  // ENOTCONN) and the helpers; each sees `stopped` and returns.
  ::shutdown(impl_->udpFd, SHUT_RDWR);
  {
    std::lock_guard lock(impl_->helpMutex);  // a helper between its check and its wait cannot miss this
  }
  impl_->helpWanted.notify_all();
  for (auto& t : impl_->udpThreads) {
    if (t.joinable()) {
      t.join();
    }
  }
  impl_->udpThreads.clear();
  ::close(impl_->udpFd);
  impl_->udpFd = -1;
  impl_->work.reset();
  impl_->ioc.stop();
  for (auto& t : impl_->threads) {
    if (t.joinable()) {
      t.join();
    }
  }
  impl_->threads.clear();
}

}  // namespace kerbpool::kdc
