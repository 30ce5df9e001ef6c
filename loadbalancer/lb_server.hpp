#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/common/result.hpp"
#include "core/common/rng.hpp"
#include "loadbalancer/lb_config.hpp"
#include "loadbalancer/lb_stats.hpp"
#include "net/in_process_http.hpp"

namespace kerbpool::loadbalancer {

// The load balancer in front of the pool (one VIP, several nodes): listener, proxy sessions, upstream
// connection pool and health checks on an io_context with `threads` threads.
class LbServer {
 public:
  // Validates the configuration, resolves the nodes, loads TLS material, binds and starts. Config errors name
  // the setting or file; a taken port is an Io error naming address:port. `rng` (random policy) must outlive
  // the server.
  static core::Result<std::unique_ptr<LbServer>> start(const LbConfig& config, core::Rng& rng);
  ~LbServer();
  LbServer(const LbServer&) = delete;
  LbServer& operator=(const LbServer&) = delete;

  std::uint16_t port() const;
  const std::string& address() const;
  LbStats stats() const;
  // Until `condition` (over stats()) holds, woken by the balancer's own changes (health checks, closed
  // connections, finished requests); false if it still does not after the timeout. For tests and tools.
  bool waitForStats(const std::function<bool(const LbStats&)>& condition,
                    std::chrono::milliseconds timeout) const;
  // Administrative drain: in-flight connections and requests finish, no new ones go to the node.
  core::Status setDraining(std::string_view backend, bool draining);
  // The VIP on the in-process transport (net/in_process_http.hpp): client connections routed and relayed by
  // the same rules, state and counters as the socket sessions (layer 7 or 4), to the nodes as `nodes` reaches
  // them (their addresses and ports as configured). Plain HTTP only: with TLS anywhere a Config error
  // in_process_unsupported saying where. `nodes` must outlive the balancer.
  core::Result<net::InProcessHttpListener> inProcessListener(net::InProcessHttpNetwork& nodes);
  // Stops accepting, closes every connection, stops the checks and joins the threads. Idempotent.
  void stop();

  struct Impl;
  struct Runtime;

 private:
  LbServer(std::unique_ptr<Runtime> runtime, std::unique_ptr<Impl> impl);
  std::unique_ptr<Runtime> runtime_;  // destroyed after impl_
  std::unique_ptr<Impl> impl_;
};

}  // namespace kerbpool::loadbalancer
