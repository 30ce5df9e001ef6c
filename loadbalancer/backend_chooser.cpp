#include "loadbalancer/backend_chooser.hpp"

#include <algorithm>
#include <vector>

namespace kerbpool::loadbalancer {

BackendChooser::BackendChooser(const BackendPool& pool, const LbConfig& config, core::Rng& rng)
    : pool_(pool),
      affinity_(config.affinity),
      cookieName_(config.cookieName),
      policy_(makePolicy(config.policy, rng)),
      sticky_(config.stickyTableSize) {}

core::Result<Pick> BackendChooser::choose(const PickContext& context, std::span<const std::size_t> exclude) {
  std::vector<std::size_t> candidates = pool_.availableBackends();
  std::erase_if(candidates,
                [&](std::size_t i) { return std::find(exclude.begin(), exclude.end(), i) != exclude.end(); });
  if (candidates.empty()) {
    std::string reason = pool_.unavailableReason();
    if (!exclude.empty()) {
      reason += "; failed for this request:";
      for (std::size_t i : exclude) {
        reason += " " + pool_.spec(i).name;
      }
    }
    return core::makeError(core::ErrorCategory::Protocol, "no_healthy_backend", std::move(reason));
  }
  const auto isCandidate = [&](std::size_t i) {
    return std::binary_search(candidates.begin(), candidates.end(), i);
  };

  switch (affinity_) {
    case AffinityMode::None:
      break;
    case AffinityMode::SourceHash: {
      const auto h = sourceHash(context.clientAddress);
      const auto preferred = static_cast<std::size_t>(h % pool_.size());
      if (isCandidate(preferred)) {
        return Pick{preferred, false};
      }
      // The client's node is out: rehash over what is left (stable while the set is).
      return Pick{candidates[static_cast<std::size_t>(h % candidates.size())], false};
    }
    case AffinityMode::SourceSticky: {
      if (const auto known = sticky_.lookup(context.clientAddress); known && isCandidate(*known)) {
        return Pick{*known, false};
      }
      const auto chosen = policy_->choose(candidates, pool_);
      sticky_.remember(context.clientAddress, chosen);
      return Pick{chosen, false};
    }
    case AffinityMode::Cookie: {
      if (context.cookieField) {
        if (const auto name = cookieValue(*context.cookieField, cookieName_)) {
          if (const auto i = pool_.find(*name); i && isCandidate(*i)) {
            return Pick{*i, false};
          }
        }
      }
      return Pick{policy_->choose(candidates, pool_), true};
    }
  }
  return Pick{policy_->choose(candidates, pool_), false};
}

}  // namespace kerbpool::loadbalancer
