#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <optional>

#include "core/common/result.hpp"
#include "loadbalancer/lb_state.hpp"
#include "loadbalancer/upstream_client.hpp"

namespace kerbpool::loadbalancer {

// The VIP: accepts client connections, refuses those over `maxClientConnections`, and gives each accepted one
// its own strand and a tcp or http proxy session. Owns the TLS context of terminated connections.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& ioc, std::shared_ptr<LbState> state, std::shared_ptr<UpstreamConnector> upstream);

  // Loads the certificate for the pool name when TLS is terminated (Config error naming the file).
  core::Status loadTls(const LbTlsFiles& files);
  // Binds and listens (Io error naming address:port).
  core::Status open(const tcp::endpoint& endpoint);
  std::uint16_t port() const;
  void run();
  void stop();

 private:
  void doAccept();
  void onAccept(beast::error_code ec, tcp::socket socket);

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  std::shared_ptr<LbState> state_;
  std::shared_ptr<UpstreamConnector> upstream_;
  std::optional<ssl::context> tls_;
};

}  // namespace kerbpool::loadbalancer
