#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/common/result.hpp"
#include "core/common/rng.hpp"
#include "loadbalancer/affinity.hpp"
#include "loadbalancer/backend_pool.hpp"
#include "loadbalancer/lb_config.hpp"
#include "loadbalancer/lb_policy.hpp"

namespace kerbpool::loadbalancer {

// What a choice may depend on.
struct PickContext {
  std::string_view clientAddress;               // IP address without port
  std::optional<std::string_view> cookieField;  // the request's Cookie field (http mode)
};

struct Pick {
  std::size_t backend = 0;
  bool setCookie = false;  // cookie affinity: tell the client which node it got
};

// Affinity first, then the policy, over the available nodes minus `exclude` (nodes that already failed this
// request). Pure logic over the pool; thread-safe.
class BackendChooser {
 public:
  BackendChooser(const BackendPool& pool, const LbConfig& config, core::Rng& rng);

  // Protocol/"no_healthy_backend" with the pool's reason ("no healthy backend: fe01 down (...), ...") when
  // nothing is left.
  core::Result<Pick> choose(const PickContext& context, std::span<const std::size_t> exclude = {});

  AffinityMode affinity() const { return affinity_; }
  const std::string& cookieName() const { return cookieName_; }

 private:
  const BackendPool& pool_;
  const AffinityMode affinity_;
  const std::string cookieName_;
  std::unique_ptr<LbPolicy> policy_;
  StickyTable sticky_;
};

}  // namespace kerbpool::loadbalancer
