#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>
#include <vector>

#include "loadbalancer/lb_state.hpp"
#include "loadbalancer/upstream_client.hpp"

namespace kerbpool::loadbalancer {

class HealthProbe;

// Active health checks: every `health.interval`, `GET health.path` on each node over a fresh connection
// (TLS when re-encrypting or `health.tls`), bounded by `health.timeout`; 2xx/3xx pass. Outcomes go to the
// pool's rise/fall counting; each transition is logged ("fe02 DOWN after 2 failed checks: connection
// refused") and counted. The first check of each node starts at once.
class HealthChecker {
 public:
  HealthChecker(asio::io_context& ioc, std::shared_ptr<LbState> state,
                std::shared_ptr<UpstreamConnector> upstream);
  ~HealthChecker();
  void start();
  void stop();

 private:
  std::vector<std::shared_ptr<HealthProbe>> probes_;
};

}  // namespace kerbpool::loadbalancer
