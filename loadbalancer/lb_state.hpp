#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

#include "core/common/rng.hpp"
#include "core/common/stats_signal.hpp"
#include "loadbalancer/backend_chooser.hpp"
#include "loadbalancer/backend_pool.hpp"
#include "loadbalancer/lb_config.hpp"
#include "loadbalancer/lb_stats.hpp"
#include "net/connection_caps.hpp"
#include "net/connection_registry.hpp"

namespace kerbpool::loadbalancer {

// The component name of the balancer's log lines and I/O threads.
inline constexpr std::string_view kComponent = "lb";

// What the listener, every session and the health checker share (after Beast's chat-multi shared_state):
// configuration, the pool, the chooser, counters and the registry of live client connections. No sockets.
struct LbState {
  LbState(LbConfig c, core::Rng& rng)
      : config(std::move(c)),
        pool(config.backends, config.health.rise, config.health.fall),
        chooser(pool, config, rng),
        caps(config.maxClientConnections, config.maxClientConnectionsPerSource) {}

  const LbConfig config;
  BackendPool pool;
  BackendChooser chooser;
  LbCounters counters;
  net::ConnectionRegistry registry;
  net::ConnectionCaps caps;  // open client connections, in all and per source address
  std::atomic<std::uint64_t> nextConnectionId{1};
  core::StatsSignal signal;  // changed() after the counters a waitForStats() caller may be watching

  LbStats stats() const { return LbStats{counters.snapshot(), pool.stats()}; }
};

}  // namespace kerbpool::loadbalancer
