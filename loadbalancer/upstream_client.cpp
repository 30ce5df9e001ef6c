#include "loadbalancer/upstream_client.hpp"

#include <boost/asio/bind_executor.hpp>

#include "core/common/log.hpp"
#include "core/crypto/x509.hpp"

namespace kerbpool::loadbalancer {

using core::ErrorCategory;
using core::makeError;

core::Result<std::shared_ptr<UpstreamConnector>> UpstreamConnector::create(asio::io_context& ioc,
                                                                           std::shared_ptr<LbState> state) {
  auto c = std::make_shared<UpstreamConnector>(ioc, state);
  const auto& config = state->config;
  tcp::resolver resolver(ioc);
  for (const auto& b : config.backends) {
    beast::error_code ec;
    const auto results = resolver.resolve(b.host, std::to_string(b.port), ec);
    if (ec || results.empty()) {
      return makeError(ErrorCategory::Config, "unresolved_backend",
                       "backend " + b.name + ": cannot resolve '" + b.host +
                           "': " + (ec ? ec.message() : std::string("no address")));
    }
    c->endpoints_.push_back(results.begin()->endpoint());
  }
  c->idle_.resize(config.backends.size());
  const bool healthTls = config.health.tls || config.backendTls;
  if (config.backendTls || healthTls) {
    beast::error_code ec;
    c->tls_.emplace(ssl::context::tls_client);
    c->tls_->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                             ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                         ec);
    if (!config.backendCaFile.empty()) {
      c->tls_->load_verify_file(config.backendCaFile, ec);
      if (ec) {
        return makeError(ErrorCategory::Config, "backend_ca",
                         "cannot load the backend CA " + config.backendCaFile + ": " + ec.message());
      }
      // The balancer's I/O threads verify the nodes' certificates against this store at once.
      core::crypto::cacheTrustStoreExtensions(SSL_CTX_get_cert_store(c->tls_->native_handle()));
      c->tls_->set_verify_mode(ssl::verify_peer);
    } else {
      c->tls_->set_verify_mode(ssl::verify_none);
    }
  }
  return c;
}

void UpstreamConnector::connect(std::size_t backend, const asio::any_io_executor& executor, bool tls,
                                std::chrono::milliseconds timeout, ConnectHandler handler) {
  auto conn = std::make_unique<UpstreamConnection>(ioc_.get_executor(), backend);
  auto& stream = *conn->plain_;
  stream.expires_after(timeout);
  stream.async_connect(
      endpoints_[backend],
      asio::bind_executor(executor, [this, state = state_, conn = std::move(conn), executor, tls, timeout,
                                    handler = std::move(handler)](beast::error_code ec) mutable {
        if (ec) {
          handler(ec, nullptr, "connect");
          return;
        }
        beast::error_code ignored;
        conn->plain_->socket().set_option(tcp::no_delay(true), ignored);
        state->pool.countConnection(conn->backend());
        if (!tls) {
          conn->plain_->expires_never();
          handler(ec, std::move(conn), "connect");
          return;
        }
        handshake(std::move(conn), executor, timeout, std::move(handler));
      }));
}

void UpstreamConnector::handshake(UpstreamPtr conn, const asio::any_io_executor& executor,
                                  std::chrono::milliseconds timeout, ConnectHandler handler) {
  if (!tls_) {
    handler(asio::error::operation_not_supported, nullptr, "tls handshake (no TLS context)");
    return;
  }
  conn->tls_ = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(std::move(*conn->plain_), *tls_);
  conn->plain_.reset();
  const auto& config = state_->config;
  const std::string name =
      config.backendTlsName.empty() ? config.backends[conn->backend()].host : config.backendTlsName;
  // SNI (for a name, not an address) and the name the certificate must carry.
  if (!SSL_set_tlsext_host_name(conn->tls_->native_handle(), name.c_str())) {
    handler(asio::error::invalid_argument, nullptr, "tls handshake (server name)");
    return;
  }
  if (!config.backendCaFile.empty()) {
    conn->tls_->set_verify_callback(ssl::host_name_verification(name));
  }
  auto& lowest = beast::get_lowest_layer(*conn->tls_);
  lowest.expires_after(timeout);
  auto* stream = conn->tls_.get();
  stream->async_handshake(ssl::stream_base::client,
                          asio::bind_executor(executor, [conn = std::move(conn), handler = std::move(handler)](
                                                           beast::error_code ec) mutable {
                            if (ec) {
                              handler(ec, nullptr, "tls handshake");
                              return;
                            }
                            beast::get_lowest_layer(*conn->tls_).expires_never();
                            handler(ec, std::move(conn), "tls handshake");
                          }));
}

UpstreamPtr UpstreamConnector::takeIdle(std::size_t backend) {
  std::lock_guard lock(mu_);
  auto& q = idle_[backend];
  if (q.empty()) {
    return nullptr;
  }
  auto c = std::move(q.back());  // the most recently used: the least likely to have been closed by the node
  q.pop_back();
  return c;
}

void UpstreamConnector::giveBack(UpstreamPtr connection) {
  std::unique_lock lock(mu_);
  auto& q = idle_[connection->backend()];
  if (closed_ || q.size() >= state_->config.maxIdlePerBackend) {
    lock.unlock();
    connection->close();
    return;
  }
  connection->lowest().expires_never();
  q.push_back(std::move(connection));
}

void UpstreamConnector::closeIdle() {
  std::vector<UpstreamPtr> doomed;
  {
    std::lock_guard lock(mu_);
    closed_ = true;
    for (auto& q : idle_) {
      for (auto& c : q) {
        doomed.push_back(std::move(c));
      }
      q.clear();
    }
  }
  for (auto& c : doomed) {
    c->close();
  }
}

}  // namespace kerbpool::loadbalancer
