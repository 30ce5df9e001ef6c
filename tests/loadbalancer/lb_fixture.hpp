#pragma once

// Shared pieces of the load balancer tests: echo nodes on 127.0.0.1:0 (net::HttpServer with
// EchoBackendHandler), a base configuration, the parsed echo body, and bounded polling.

#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/common/rng.hpp"
#include "net/http_server.hpp"
#include "loadbalancer/echo_backend.hpp"
#include "loadbalancer/lb_config.hpp"
#include "loadbalancer/lb_server.hpp"

namespace kerbpool::test {

// Starts a balancer, failing the test (with the error's words) when it cannot.
inline std::unique_ptr<loadbalancer::LbServer> startLb(const loadbalancer::LbConfig& c, core::Rng& rng) {
  auto lb = loadbalancer::LbServer::start(c, rng);
  if (!lb.ok()) {
    FAIL(lb.error().message());
  }
  return std::move(lb).value();
}

// A pool node that answers "node=fe01 conn=N req=M xff=... target=...".
class EchoNode {
 public:
  explicit EchoNode(std::string name, std::optional<net::TlsFiles> tls = std::nullopt)
      : handler_(std::move(name)), tls_(std::move(tls)) {
    start();
  }
  void start(std::uint16_t port = 0) {
    net::HttpServerConfig c;
    c.port = port != 0 ? port : port_;
    c.tls = tls_;
    c.serverName = "echo/" + handler_.name();
    auto s = net::HttpServer::start(c, handler_);
    REQUIRE(s.ok());
    server_ = std::move(*s);
    port_ = server_->port();
  }
  void stop() { server_->stop(); }
  net::HttpServer& server() { return *server_; }
  std::uint16_t port() const { return port_; }
  loadbalancer::EchoBackendHandler& handler() { return handler_; }
  const std::string& name() const { return handler_.name(); }

 private:
  loadbalancer::EchoBackendHandler handler_;
  std::optional<net::TlsFiles> tls_;
  std::unique_ptr<net::HttpServer> server_;
  std::uint16_t port_ = 0;
};

inline loadbalancer::LbConfig lbConfig(const std::vector<EchoNode*>& nodes,
                                       loadbalancer::LbMode mode = loadbalancer::LbMode::Http) {
  loadbalancer::LbConfig c;
  c.mode = mode;
  for (auto* n : nodes) {
    c.backends.push_back({n->name(), "127.0.0.1", n->port()});
  }
  c.health.interval = std::chrono::milliseconds(0);  // tests that check health turn it on
  c.upstreamConnectTimeout = std::chrono::milliseconds(2000);
  c.upstreamReadTimeout = std::chrono::milliseconds(3000);
  return c;
}

// "node=fe01 conn=3 req=2 xff=127.0.0.1 target=/x\n" -> {node: fe01, conn: 3, ...}
inline std::map<std::string, std::string> echoFields(const std::string& body) {
  std::map<std::string, std::string> out;
  std::size_t pos = 0;
  while (pos < body.size()) {
    auto end = body.find_first_of(" \n", pos);
    if (end == std::string::npos) {
      end = body.size();
    }
    const auto item = body.substr(pos, end - pos);
    const auto eq = item.find('=');
    if (eq != std::string::npos) {
      out[item.substr(0, eq)] = item.substr(eq + 1);
    }
    pos = end + 1;
  }
  return out;
}

// Until `condition` holds, woken by the balancer's own changes (LbServer::waitForStats); bounded.
inline bool waitUntil(const loadbalancer::LbServer& lb, const std::function<bool()>& condition,
                      std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
  return lb.waitForStats([&](const loadbalancer::LbStats&) { return condition(); }, timeout);
}

inline loadbalancer::BackendStats backendStats(const loadbalancer::LbServer& lb, const std::string& name) {
  for (const auto& b : lb.stats().backends) {
    if (b.name == name) {
      return b;
    }
  }
  FAIL("no backend " << name);
  return {};
}

}  // namespace kerbpool::test
