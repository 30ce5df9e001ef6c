// The Netlogon listener's only I/O file: TCP on Boost.Asio. What a frame means is netlogon_dispatch's.
#include "kdc/netlogon_server.hpp"

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <optional>
#include <thread>
#include <vector>

#include "core/common/log.hpp"
#include "kdc/netlogon_dispatch.hpp"
#include "net/io_threads.hpp"
#include "netlogon/netlogon_wire.hpp"

namespace kerbpool::kdc {

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using core::Bytes;
using core::ErrorCategory;
using core::makeError;
using netlogon::frameNetlogon;
using netlogon::netlogonFrameLength;

struct Shared {
  Shared(const NetlogonServerConfig& c, NetlogonService& s) : config(c), service(s) {}
  NetlogonServerConfig config;
  NetlogonService& service;
  asio::io_context ioc;
  std::atomic<std::uint64_t> connections{0};
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> framingErrors{0};
  std::atomic<std::uint64_t> handlerExceptions{0};
};

// One front-end connection: header, body, reply, repeat until the peer closes or the idle timer fires.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Shared& shared)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), shared_(shared) {}

  void start() { doReadHeader(); }

 private:
  void doReadHeader() {
    timer_.expires_after(shared_.config.idleTimeout);
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) {
        self->close();
      }
    });
    asio::async_read(
        socket_, asio::buffer(header_),
        [self = shared_from_this()](boost::system::error_code ec, std::size_t) { self->onHeader(ec); });
  }

  void onHeader(boost::system::error_code ec) {
    if (ec) {
      close();
      return;
    }
    auto length = netlogonFrameLength(header_);
    if (!length.ok()) {
      // The stream has lost its framing: answer once and close.
      shared_.framingErrors++;
      core::logWarn("netlogon", length.error().message());
      doWrite(netlogonFramingErrorReply(), false);
      return;
    }
    body_.resize(*length);
    asio::async_read(
        socket_, asio::buffer(body_),
        [self = shared_from_this()](boost::system::error_code ec2, std::size_t) { self->onBody(ec2); });
  }

  void onBody(boost::system::error_code ec) {
    if (ec) {
      shared_.framingErrors++;  // truncated: the peer left mid-frame
      close();
      return;
    }
    shared_.requests++;
    doWrite(handleNetlogonFrame(shared_.service, body_), true);
  }

  void doWrite(const Bytes& reply, bool keepReading) {
    out_ = frameNetlogon(reply);
    asio::async_write(socket_, asio::buffer(out_),
                      [self = shared_from_this(), keepReading](boost::system::error_code ec, std::size_t) {
                        if (ec || !keepReading) {
                          self->close();
                          return;
                        }
                        self->doReadHeader();
                      });
  }

  void close() {
    boost::system::error_code ignored;
    timer_.cancel();
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  Shared& shared_;
  std::array<std::uint8_t, 4> header_{};
  Bytes body_;
  Bytes out_;
};

class AsioNetlogonServer final : public NetlogonServer {
 public:
  AsioNetlogonServer(const NetlogonServerConfig& config, NetlogonService& service)
      : shared_(std::make_unique<Shared>(config, service)), acceptor_(shared_->ioc) {}
  ~AsioNetlogonServer() override { stop(); }

  core::Status listen(const asio::ip::address& addr) {
    boost::system::error_code ec;
    tcp::endpoint ep(addr, shared_->config.port);
    acceptor_.open(ep.protocol(), ec);
    if (!ec) {
      acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    }
    if (!ec) {
      acceptor_.bind(ep, ec);
    }
    if (!ec) {
      acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    }
    if (ec) {
      boost::system::error_code ignored;
      acceptor_.close(ignored);
      return makeError(ErrorCategory::Io, "listen_failed",
                       "cannot listen on " + addr.to_string() + ":" + std::to_string(shared_->config.port) +
                           "/tcp for Netlogon: " + ec.message());
    }
    port_ = acceptor_.local_endpoint().port();
    work_.emplace(asio::make_work_guard(shared_->ioc));
    doAccept();
    const unsigned n = std::max(1u, shared_->config.threads);
    for (unsigned i = 0; i < n; ++i) {
      threads_.emplace_back(
          [s = shared_.get()] { net::runIoContext(s->ioc, "netlogon", s->handlerExceptions); });
    }
    return core::okStatus();
  }

  std::uint16_t port() const override { return port_; }

  NetlogonServerStats stats() const override {
    return NetlogonServerStats{shared_->connections.load(), shared_->requests.load(),
                               shared_->framingErrors.load()};
  }

  void stop() override {
    if (stopped_.exchange(true)) {
      return;
    }
    asio::post(shared_->ioc, [this] {
      boost::system::error_code ignored;
      acceptor_.close(ignored);
    });
    work_.reset();
    shared_->ioc.stop();
    for (auto& t : threads_) {
      if (t.joinable()) {
        t.join();
      }
    }
    threads_.clear();
  }

 private:
  void doAccept() {
    acceptor_.async_accept(asio::make_strand(shared_->ioc),
                           [this](boost::system::error_code ec, tcp::socket socket) {
                             if (ec) {
                               if (ec != asio::error::operation_aborted && !stopped_) {
                                 doAccept();
                               }
                               return;
                             }
                             shared_->connections++;
                             std::make_shared<Session>(std::move(socket), *shared_)->start();
                             doAccept();
                           });
  }

  // Sessions hold references to *shared_; it is destroyed after the io_context's handlers (members are
  // destroyed in reverse order: threads are joined in stop(), then acceptor_, then shared_ with the ioc).
  std::unique_ptr<Shared> shared_;
  tcp::acceptor acceptor_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopped_{false};
};

}  // namespace

core::Result<std::unique_ptr<NetlogonServer>> startNetlogonServer(const NetlogonServerConfig& config,
                                                                  NetlogonService& service) {
  boost::system::error_code ec;
  const auto addr = asio::ip::make_address(config.address, ec);
  if (ec) {
    return makeError(ErrorCategory::Config, "bad_address", "'" + config.address + "' is not an IP address");
  }
  if (!addr.is_loopback()) {
    return makeError(ErrorCategory::Config, "not_loopback",
                     "the Netlogon listener sends session keys in the clear and binds loopback only, not " +
                         config.address);
  }
  auto server = std::make_unique<AsioNetlogonServer>(config, service);
  KP_CHECK(server->listen(addr));
  return std::unique_ptr<NetlogonServer>(std::move(server));
}

}  // namespace kerbpool::kdc
