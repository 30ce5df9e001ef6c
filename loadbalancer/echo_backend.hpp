#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "net/http_message.hpp"

namespace kerbpool::loadbalancer {

// A stand-in pool node for tests, demos and benchmarks, served by net::HttpServer: every answer names
// the node and the connection, which is how one sees where a balancer sent a request.
//   GET /health  -> 200 "ok" (503 "unhealthy" after setHealthy(false))
//   anything else -> 200, X-Backend: NAME, body
//     "node=fe01 conn=3 req=2 xff=127.0.0.1 target=/x\n"
// (conn: the server's connection id; req: requests on that connection; xff: X-Forwarded-For or "-").
class EchoBackendHandler final : public net::HttpHandler {
 public:
  explicit EchoBackendHandler(std::string name) : name_(std::move(name)) {}

  net::HttpResponse handle(const net::HttpRequest& request,
                                net::ConnectionContext& connection) override;

  void setHealthy(bool healthy) { healthy_.store(healthy); }
  std::uint64_t requests() const { return requests_.load(); }  // not counting /health
  const std::string& name() const { return name_; }

 private:
  const std::string name_;
  std::atomic<bool> healthy_{true};
  std::atomic<std::uint64_t> requests_{0};
};

}  // namespace kerbpool::loadbalancer
