#include "loadbalancer/tcp_proxy_session.hpp"

#include <array>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <vector>

#include "core/common/log.hpp"
#include "loadbalancer/forwarding_rules.hpp"

namespace kerbpool::loadbalancer {

namespace {

constexpr std::size_t kRelayBuffer = 16 * 1024;

class TcpProxySession : public net::Closable, public std::enable_shared_from_this<TcpProxySession> {
 public:
  TcpProxySession(tcp::socket&& socket, std::shared_ptr<LbState> state,
                  std::shared_ptr<UpstreamConnector> upstream, std::string peer)
      : state_(std::move(state)),
        connector_(std::move(upstream)),
        client_(std::move(socket)),
        idle_(client_.get_executor()),
        peer_(std::move(peer)) {
    id_ = state_->nextConnectionId++;
    clientAddress_ = std::string(addressOf(peer_));
    state_->counters.activeClientConnections++;
  }

  ~TcpProxySession() override {
    if (connected_) {
      state_->pool.release(backend_);
    }
    state_->registry.remove(id_);
    state_->counters.activeClientConnections--;
    state_->caps.release(std::string(net::sourceAddress(peer_)));
    state_->signal.changed();
  }

  void forceClose() override {
    asio::post(client_.get_executor(), [self = shared_from_this()] { self->closeBoth(); });
  }

  void run() {
    asio::dispatch(client_.get_executor(), [self = shared_from_this()] {
      if (!self->state_->registry.add(self->id_, self->weak_from_this())) {
        self->closeBoth();
        return;
      }
      self->pickBackend();
    });
  }

 private:
  void pickBackend() {
    auto pick = state_->chooser.choose(PickContext{clientAddress_, std::nullopt}, excluded_);
    if (!pick.ok()) {
      state_->counters.serviceUnavailable++;
      core::logInfo(kComponent,
                    "client #" + std::to_string(id_) + " from " + peer_ + " closed: " + pick.error().detail);
      closeBoth();
      return;
    }
    backend_ = pick->backend;
    connector_->connect(
        backend_, client_.get_executor(), false, state_->config.upstreamConnectTimeout,
        [self = shared_from_this()](beast::error_code ec, UpstreamPtr conn, std::string_view what) {
          self->onConnect(ec, std::move(conn), what);
        });
  }

  void onConnect(beast::error_code ec, UpstreamPtr conn, std::string_view what) {
    if (closed_) {
      return;
    }
    if (ec) {
      state_->pool.countError(backend_);
      if (ec == beast::error::timeout) {
        state_->counters.timeouts++;
      }
      core::logWarn(kComponent, "client #" + std::to_string(id_) + ": " + state_->pool.spec(backend_).name +
                                    ": " + std::string(what) + ": " +
                                    (ec == beast::error::timeout ? std::string("timeout") : ec.message()));
      excluded_.push_back(backend_);
      state_->counters.retries++;
      pickBackend();
      return;
    }
    upstream_ = std::move(conn);
    connected_ = true;
    state_->pool.acquire(backend_);
    state_->pool.countRequest(backend_);
    armIdleTimer();
    pump(client_, upstream_->lowest().socket(), toUpstream_, 0);
    pump(upstream_->lowest().socket(), client_, toClient_, 1);
  }

  // Copies from `from` to `to` until EOF or an error; direction 0: client to node, 1: node to client.
  void pump(tcp::socket& from, tcp::socket& to, std::array<char, kRelayBuffer>& buf, int direction) {
    // The node's socket belongs to no strand: every handler is bound to this session's.
    const auto strand = client_.get_executor();
    from.async_read_some(
        asio::buffer(buf), asio::bind_executor(strand, [self = shared_from_this(), &from, &to, &buf, direction,
                                                      strand](beast::error_code ec, std::size_t n) {
          if (ec) {
            self->onPumpEnd(ec, to, direction);
            return;
          }
          self->active_ = true;
          asio::async_write(to, asio::buffer(buf.data(), n),
                           asio::bind_executor(strand, [self, &from, &to, &buf, direction](
                                                          beast::error_code ec2, std::size_t) {
                             if (ec2) {
                               self->closeBoth();
                               return;
                             }
                             self->pump(from, to, buf, direction);
                           }));
        }));
  }

  void onPumpEnd(beast::error_code ec, tcp::socket& to, int direction) {
    if (ec == asio::error::eof && !closed_) {
      // A half-close: pass it on, keep the other direction going.
      beast::error_code ignored;
      to.shutdown(tcp::socket::shutdown_send, ignored);
      done_[direction] = true;
      if (done_[0] && done_[1]) {
        closeBoth();
      }
      return;
    }
    closeBoth();
  }

  void armIdleTimer() {
    idle_.expires_after(state_->config.tcpIdleTimeout);
    idle_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->closed_) {
        return;
      }
      if (!self->active_) {
        self->state_->counters.timeouts++;
        self->closeBoth();
        return;
      }
      self->active_ = false;
      self->armIdleTimer();
    });
  }

  void closeBoth() {
    if (closed_) {
      return;
    }
    closed_ = true;
    beast::error_code ignored;
    idle_.cancel();
    client_.shutdown(tcp::socket::shutdown_both, ignored);
    client_.close(ignored);
    if (upstream_) {
      upstream_->close();
    }
  }

  std::shared_ptr<LbState> state_;
  std::shared_ptr<UpstreamConnector> connector_;
  tcp::socket client_;
  asio::steady_timer idle_;
  std::string peer_;
  std::string clientAddress_;
  std::uint64_t id_ = 0;
  std::size_t backend_ = 0;
  std::vector<std::size_t> excluded_;
  UpstreamPtr upstream_;
  bool connected_ = false;
  bool closed_ = false;
  bool active_ = false;
  bool done_[2] = {false, false};
  std::array<char, kRelayBuffer> toUpstream_{};
  std::array<char, kRelayBuffer> toClient_{};
};

}  // namespace

void startTcpProxySession(tcp::socket socket, std::shared_ptr<LbState> state,
                          std::shared_ptr<UpstreamConnector> upstream, std::string peer) {
  std::make_shared<TcpProxySession>(std::move(socket), std::move(state), std::move(upstream), std::move(peer))
      ->run();
}

}  // namespace kerbpool::loadbalancer
