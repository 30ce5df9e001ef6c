#include "loadbalancer/tcp_proxy_session.hpp"

#include <unistd.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <vector>

#include "core/common/log.hpp"
#include "loadbalancer/forwarding_rules.hpp"

namespace kerbpool::loadbalancer {

namespace {

class TcpProxySession : public net::Closable, public std::enable_shared_from_this<TcpProxySession> {
 public:
  TcpProxySession(tcp::socket&& socket, std::shared_ptr<LbState> state,
                  std::shared_ptr<UpstreamConnector> upstream, std::shared_ptr<TcpRelay> relay,
                  std::string peer)
      : state_(std::move(state)),
        connector_(std::move(upstream)),
        relay_(std::move(relay)),
        client_(std::move(socket)),
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
    // From here on the relay owns both sockets; this session lives until the relay reports the pair's end.
    beast::error_code ec1, ec2;
    const int clientFd = client_.release(ec1);
    const int nodeFd = upstream_->lowest().socket().release(ec2);
    if (ec1 || ec2) {
      core::logWarn(kComponent, "client #" + std::to_string(id_) +
                                    ": cannot hand the sockets to the relay: " + (ec1 ? ec1 : ec2).message());
      if (!ec1) {
        ::close(clientFd);
      }
      if (!ec2) {
        ::close(nodeFd);
      }
      closeBoth();
      return;
    }
    relayId_ = relay_->adopt(clientFd, nodeFd, [self = shared_from_this()](TcpRelay::End how) {
      if (how == TcpRelay::End::Idle) {
        self->state_->counters.timeouts++;
      }
    });
    relayed_ = true;
  }

  void closeBoth() {
    if (closed_) {
      return;
    }
    closed_ = true;
    if (relayed_) {
      relay_->close(relayId_);
      return;
    }
    beast::error_code ignored;
    client_.shutdown(tcp::socket::shutdown_both, ignored);
    client_.close(ignored);
    if (upstream_) {
      upstream_->close();
    }
  }

  std::shared_ptr<LbState> state_;
  std::shared_ptr<UpstreamConnector> connector_;
  std::shared_ptr<TcpRelay> relay_;
  tcp::socket client_;
  std::string peer_;
  std::string clientAddress_;
  std::uint64_t id_ = 0;
  std::size_t backend_ = 0;
  std::vector<std::size_t> excluded_;
  UpstreamPtr upstream_;
  bool connected_ = false;
  bool closed_ = false;
  bool relayed_ = false;
  std::uint64_t relayId_ = 0;
};

}  // namespace

void startTcpProxySession(tcp::socket socket, std::shared_ptr<LbState> state,
                          std::shared_ptr<UpstreamConnector> upstream, std::shared_ptr<TcpRelay> relay,
                          std::string peer) {
  std::make_shared<TcpProxySession>(std::move(socket), std::move(state), std::move(upstream),
                                    std::move(relay), std::move(peer))
      ->run();
}

}  // namespace kerbpool::loadbalancer
