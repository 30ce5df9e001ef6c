#include "loadbalancer/listener.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "core/common/log.hpp"
#include "loadbalancer/http_proxy_session.hpp"
#include "loadbalancer/tcp_proxy_session.hpp"

namespace kerbpool::loadbalancer {

using core::ErrorCategory;
using core::makeError;

namespace {

constexpr std::string_view kComponent = "lb";

std::string endpointText(const tcp::endpoint& ep) {
  const auto a = ep.address();
  return (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" + std::to_string(ep.port());
}

}  // namespace

Listener::Listener(net::io_context& ioc, std::shared_ptr<LbState> state,
                   std::shared_ptr<UpstreamConnector> upstream)
    : ioc_(ioc), acceptor_(net::make_strand(ioc)), state_(std::move(state)), upstream_(std::move(upstream)) {}

core::Status Listener::loadTls(const LbTlsFiles& files) {
  beast::error_code ec;
  tls_.emplace(ssl::context::tls_server);
  tls_->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                        ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                    ec);
  tls_->use_certificate_chain_file(files.certificateChainFile, ec);
  if (ec) {
    return makeError(ErrorCategory::Config, "tls_certificate",
                     "cannot load the certificate chain " + files.certificateChainFile + ": " + ec.message());
  }
  tls_->use_private_key_file(files.privateKeyFile, ssl::context::pem, ec);
  if (ec) {
    return makeError(ErrorCategory::Config, "tls_private_key",
                     "cannot load the private key " + files.privateKeyFile + " (or it does not match " +
                         files.certificateChainFile + "): " + ec.message());
  }
  return core::okStatus();
}

core::Status Listener::open(const tcp::endpoint& endpoint) {
  beast::error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) {
    acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  }
  if (!ec) {
    acceptor_.bind(endpoint, ec);
  }
  if (!ec) {
    acceptor_.listen(net::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    beast::error_code ignored;
    acceptor_.close(ignored);
    return makeError(
        ErrorCategory::Io, "listen_failed",
        "cannot listen on " + endpointText(endpoint) + "/tcp: " + ec.message() +
            (ec == net::error::address_in_use ? " (is another server running on that port?)" : ""));
  }
  return core::okStatus();
}

std::uint16_t Listener::port() const {
  beast::error_code ec;
  return acceptor_.local_endpoint(ec).port();
}

void Listener::run() {
  net::dispatch(acceptor_.get_executor(), [self = shared_from_this()] { self->doAccept(); });
}

void Listener::stop() {
  net::post(acceptor_.get_executor(), [self = shared_from_this()] {
    beast::error_code ignored;
    self->acceptor_.close(ignored);
  });
}

void Listener::doAccept() {
  // One strand per connection; with a single I/O thread everything is serialised already, and the strand's
  // locking and type-erased dispatch are pure cost.
  const net::any_io_executor executor =
      state_->config.threads == 1 ? net::any_io_executor(ioc_.get_executor()) : net::make_strand(ioc_);
  acceptor_.async_accept(executor, [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
    self->onAccept(ec, std::move(s));
  });
}

void Listener::onAccept(beast::error_code ec, tcp::socket socket) {
  if (ec) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) {
      return;
    }
    core::logWarn(kComponent, "accept: " + ec.message());
    doAccept();
    return;
  }
  auto& c = state_->counters;
  if (c.activeClientConnections.load() >= state_->config.maxClientConnections) {
    c.rejectedConnections++;
    beast::error_code ignored;
    socket.close(ignored);
    doAccept();
    return;
  }
  c.clientConnections++;
  beast::error_code peerEc;
  socket.set_option(tcp::no_delay(true), peerEc);
  const auto remote = socket.remote_endpoint(peerEc);
  std::string peer = peerEc ? std::string("?") : endpointText(remote);
  if (state_->config.mode == LbMode::Tcp) {
    startTcpProxySession(std::move(socket), state_, upstream_, std::move(peer));
  } else {
    startHttpProxySession(std::move(socket), tls_ ? &*tls_ : nullptr, state_, upstream_, std::move(peer));
  }
  doAccept();
}

}  // namespace kerbpool::loadbalancer
