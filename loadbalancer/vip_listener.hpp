#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <optional>
#include <vector>

#include "core/common/result.hpp"
#include "loadbalancer/lb_state.hpp"
#include "loadbalancer/tcp_relay.hpp"
#include "loadbalancer/upstream_client.hpp"
#include "net/listener.hpp"

namespace kerbpool::loadbalancer {

// The VIP: net::Listener's accept loop, refusing connections over `maxClientConnections` and giving each
// accepted one a tcp or http proxy session. Owns the TLS context of terminated connections and, in tcp mode,
// one byte relay per I/O thread (connections are spread over them in turn).
class VipListener {
 public:
  // `threads`: the I/O threads running `ioc`.
  static core::Result<std::unique_ptr<VipListener>> create(asio::io_context& ioc,
                                                           std::shared_ptr<LbState> state,
                                                           std::shared_ptr<UpstreamConnector> upstream,
                                                           unsigned threads);

  // Loads the certificate for the pool name when TLS is terminated (Config error naming the file).
  core::Status loadTls(const LbTlsFiles& files);
  // Binds and listens (Io error naming address:port).
  core::Status open(const tcp::endpoint& endpoint) { return listener_->open(endpoint); }
  std::uint16_t port() const { return listener_->port(); }
  void run() { listener_->run(); }
  // Stops accepting and ends every relayed tcp connection.
  void stop();

 private:
  VipListener(asio::io_context& ioc, std::shared_ptr<LbState> state,
              std::shared_ptr<UpstreamConnector> upstream);
  void onAccept(tcp::socket socket, std::string peer);

  std::shared_ptr<LbState> state_;
  std::shared_ptr<UpstreamConnector> upstream_;
  std::optional<ssl::context> tls_;
  std::shared_ptr<net::Listener> listener_;
  std::vector<std::shared_ptr<TcpRelay>> relays_;
  std::atomic<std::size_t> nextRelay_{0};
};

}  // namespace kerbpool::loadbalancer
