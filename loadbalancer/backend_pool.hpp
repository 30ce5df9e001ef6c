#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.hpp"
#include "loadbalancer/lb_config.hpp"

namespace kerbpool::loadbalancer {

// A health state change of one node, as logged: "fe02 DOWN after 2 failed checks: connection refused".
struct HealthTransition {
  std::size_t backend = 0;
  std::string name;
  bool up = false;      // the new state
  unsigned checks = 0;  // checks in a row that caused it
  std::string detail;   // the last check's outcome ("connection refused", "HTTP 503")
  std::string message() const;
};

struct BackendStats {
  std::string name;
  std::string address;  // host:port
  bool up = true;
  bool draining = false;
  std::uint64_t requests = 0;     // http: requests forwarded; tcp: connections relayed
  std::uint64_t connections = 0;  // upstream connections opened
  std::uint64_t errors = 0;       // connect failures, upstream errors (each a 502 in http mode)
  std::uint64_t wentDown = 0;     // health transitions
  std::uint64_t cameUp = 0;
  std::uint64_t active = 0;  // http: requests in flight; tcp: relayed connections open
  std::uint64_t checks = 0;
  std::uint64_t failedChecks = 0;
  std::string lastCheckDetail;  // outcome of the last failed check, empty if none failed yet
};

// The pool's nodes: health (rise/fall counting), administrative draining and counters, without sockets.
// Thread-safe: sessions and health probes on any thread use it concurrently. Nodes start up.
class BackendPool {
 public:
  BackendPool(std::vector<BackendSpec> backends, unsigned rise, unsigned fall);

  std::size_t size() const { return nodes_.size(); }
  const BackendSpec& spec(std::size_t i) const { return nodes_[i]->spec; }
  std::optional<std::size_t> find(std::string_view name) const;

  // Up and not draining: may receive new connections and requests.
  bool available(std::size_t i) const;
  std::vector<std::size_t> availableBackends() const;
  // Why nothing is available: "no healthy backend: fe01 down (connection refused), fe02 draining".
  std::string unavailableReason() const;

  // One health check's outcome; returns the transition when it changed the node's state.
  std::optional<HealthTransition> recordCheck(std::size_t i, bool passed, std::string_view detail);
  // Draining: in-flight work finishes, no new work is sent. NotFound for an unknown name.
  core::Status setDraining(std::string_view name, bool draining);

  void countRequest(std::size_t i) { nodes_[i]->requests++; }
  void countConnection(std::size_t i) { nodes_[i]->connections++; }
  void countError(std::size_t i) { nodes_[i]->errors++; }
  void acquire(std::size_t i) { nodes_[i]->active++; }
  void release(std::size_t i) { nodes_[i]->active--; }
  std::uint64_t active(std::size_t i) const { return nodes_[i]->active.load(std::memory_order_relaxed); }

  BackendStats stats(std::size_t i) const;
  std::vector<BackendStats> stats() const;

 private:
  struct Node {
    explicit Node(BackendSpec s) : spec(std::move(s)) {}
    const BackendSpec spec;
    std::atomic<bool> up{true};
    std::atomic<bool> draining{false};
    std::atomic<std::uint64_t> requests{0};
    std::atomic<std::uint64_t> connections{0};
    std::atomic<std::uint64_t> errors{0};
    std::atomic<std::uint64_t> active{0};
    // Guarded by mu_.
    unsigned streak = 0;  // consecutive checks against the current state
    std::uint64_t wentDown = 0;
    std::uint64_t cameUp = 0;
    std::uint64_t checks = 0;
    std::uint64_t failedChecks = 0;
    std::string lastCheckDetail;
  };

  const unsigned rise_;
  const unsigned fall_;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Node>> nodes_;
};

}  // namespace kerbpool::loadbalancer
