#include "loadbalancer/vip_listener.hpp"

#include "loadbalancer/http_proxy_session.hpp"
#include "loadbalancer/tcp_proxy_session.hpp"
#include "net/tls_context.hpp"

namespace kerbpool::loadbalancer {

VipListener::VipListener(asio::io_context& ioc, std::shared_ptr<LbState> state,
                         std::shared_ptr<UpstreamConnector> upstream)
    : state_(std::move(state)), upstream_(std::move(upstream)) {
  // One strand per connection only with several I/O threads: with one, everything is serialised already.
  listener_ = std::make_shared<net::Listener>(
      ioc, std::string(kComponent), state_->config.threads != 1,
      [this](tcp::socket socket, std::string peer) { onAccept(std::move(socket), std::move(peer)); });
}

core::Result<std::unique_ptr<VipListener>> VipListener::create(asio::io_context& ioc,
                                                               std::shared_ptr<LbState> state,
                                                               std::shared_ptr<UpstreamConnector> upstream,
                                                               unsigned threads) {
  const bool tcp = state->config.mode == LbMode::Tcp;
  std::unique_ptr<VipListener> listener(new VipListener(ioc, std::move(state), std::move(upstream)));
  for (unsigned i = 0; tcp && i < threads; ++i) {
    KP_TRY(auto relay, TcpRelay::create(ioc, listener->state_->config.tcpIdleTimeout));
    listener->relays_.push_back(std::move(relay));
  }
  return listener;
}

void VipListener::stop() {
  listener_->stop();
  for (auto& relay : relays_) {
    relay->stop();
  }
}

core::Status VipListener::loadTls(const LbTlsFiles& files) {
  return net::loadServerTls(tls_, files);
}

void VipListener::onAccept(tcp::socket socket, std::string peer) {
  auto& c = state_->counters;
  // The session gives the slot back when it ends (its destructor).
  if (!state_->caps.admit(std::string(net::sourceAddress(peer)))) {
    c.rejectedConnections++;
    state_->signal.changed();
    boost::system::error_code ignored;
    socket.close(ignored);
    return;
  }
  c.clientConnections++;
  if (state_->config.mode == LbMode::Tcp) {
    auto& relay = relays_[nextRelay_++ % relays_.size()];
    startTcpProxySession(std::move(socket), state_, upstream_, relay, std::move(peer));
  } else {
    startHttpProxySession(std::move(socket), tls_ ? &*tls_ : nullptr, state_, upstream_, std::move(peer));
  }
}

}  // namespace kerbpool::loadbalancer
