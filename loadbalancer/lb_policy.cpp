#include "loadbalancer/lb_policy.hpp"

#include <algorithm>

#include "loadbalancer/backend_pool.hpp"

namespace kerbpool::loadbalancer {

namespace {

// The first candidate at or after `start` in the configured order, wrapping around.
std::size_t firstFrom(std::span<const std::size_t> candidates, std::size_t start) {
  const auto it = std::lower_bound(candidates.begin(), candidates.end(), start);
  return it == candidates.end() ? candidates.front() : *it;
}

}  // namespace

std::size_t RoundRobinPolicy::choose(std::span<const std::size_t> candidates, const BackendPool& pool) {
  const std::size_t n = std::max<std::size_t>(pool.size(), 1);
  const std::uint64_t raw = next_.fetch_add(1, std::memory_order_relaxed);
  const std::size_t start = static_cast<std::size_t>(raw % n);
  const std::size_t chosen = firstFrom(candidates, start);
  if (chosen != start) {
    // Skipped unavailable nodes: continue after the chosen one, so that fe01, fe03 alternate when fe02 is
    // out.
    std::uint64_t expected = raw + 1;
    next_.compare_exchange_strong(expected, raw + 1 + (chosen + n - start) % n, std::memory_order_relaxed);
  }
  return chosen;
}

std::size_t LeastConnectionsPolicy::choose(std::span<const std::size_t> candidates, const BackendPool& pool) {
  const std::size_t n = std::max<std::size_t>(pool.size(), 1);
  const std::size_t start = static_cast<std::size_t>(next_.fetch_add(1, std::memory_order_relaxed) % n);
  // Scan in rotated order so that equal loads are spread.
  const auto first = std::lower_bound(candidates.begin(), candidates.end(), start) - candidates.begin();
  std::size_t best = candidates[static_cast<std::size_t>(first) % candidates.size()];
  std::uint64_t bestActive = pool.active(best);
  for (std::size_t k = 1; k < candidates.size(); ++k) {
    const std::size_t i = candidates[(static_cast<std::size_t>(first) + k) % candidates.size()];
    const auto a = pool.active(i);
    if (a < bestActive) {
      best = i;
      bestActive = a;
    }
  }
  return best;
}

std::size_t RandomPolicy::choose(std::span<const std::size_t> candidates, const BackendPool& /*pool*/) {
  return candidates[static_cast<std::size_t>(rng_.below(candidates.size()))];
}

std::unique_ptr<LbPolicy> makePolicy(PolicyKind kind, core::Rng& rng) {
  switch (kind) {
    case PolicyKind::RoundRobin:
      return std::make_unique<RoundRobinPolicy>();
    case PolicyKind::LeastConnections:
      return std::make_unique<LeastConnectionsPolicy>();
    case PolicyKind::Random:
      return std::make_unique<RandomPolicy>(rng);
  }
  return std::make_unique<RoundRobinPolicy>();
}

}  // namespace kerbpool::loadbalancer
