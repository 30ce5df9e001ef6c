#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "core/common/rng.hpp"
#include "loadbalancer/lb_config.hpp"

namespace kerbpool::loadbalancer {

class BackendPool;

// Chooses one of the candidate nodes (indexes into the pool, ascending, never empty). Pure logic: randomness
// is injected, counters are read from the pool. Thread-safe.
class LbPolicy {
 public:
  virtual ~LbPolicy() = default;
  virtual std::size_t choose(std::span<const std::size_t> candidates, const BackendPool& pool) = 0;
};

// fe01, fe02, fe03, fe01... over the configured order, skipping unavailable nodes without disturbing the
// order of the others.
class RoundRobinPolicy final : public LbPolicy {
 public:
  std::size_t choose(std::span<const std::size_t> candidates, const BackendPool& pool) override;

 private:
  std::atomic<std::uint64_t> next_{0};
};

// The node with the fewest active requests (http) or connections (tcp); ties go round-robin.
class LeastConnectionsPolicy final : public LbPolicy {
 public:
  std::size_t choose(std::span<const std::size_t> candidates, const BackendPool& pool) override;

 private:
  std::atomic<std::uint64_t> next_{0};
};

// Uniform over the candidates; reproducible with a seeded Rng.
class RandomPolicy final : public LbPolicy {
 public:
  explicit RandomPolicy(core::Rng& rng) : rng_(rng) {}
  std::size_t choose(std::span<const std::size_t> candidates, const BackendPool& pool) override;

 private:
  core::Rng& rng_;
};

std::unique_ptr<LbPolicy> makePolicy(PolicyKind kind, core::Rng& rng);

}  // namespace kerbpool::loadbalancer
