#include "loadbalancer/backend_pool.hpp"

namespace kerbpool::loadbalancer {

std::string HealthTransition::message() const {
  return name + (up ? " UP after " : " DOWN after ") + std::to_string(checks) +
         (up ? " passed check" : " failed check") + (checks == 1 ? "" : "s") +
         (detail.empty() ? "" : ": " + detail);
}

BackendPool::BackendPool(std::vector<BackendSpec> backends, unsigned rise, unsigned fall)
    : rise_(rise == 0 ? 1 : rise), fall_(fall == 0 ? 1 : fall) {
  nodes_.reserve(backends.size());
  for (auto& b : backends) {
    nodes_.push_back(std::make_unique<Node>(std::move(b)));
  }
}

std::optional<std::size_t> BackendPool::find(std::string_view name) const {
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i]->spec.name == name) {
      return i;
    }
  }
  return std::nullopt;
}

bool BackendPool::available(std::size_t i) const {
  const auto& n = *nodes_[i];
  return n.up.load(std::memory_order_relaxed) && !n.draining.load(std::memory_order_relaxed);
}

std::vector<std::size_t> BackendPool::availableBackends() const {
  std::vector<std::size_t> out;
  out.reserve(nodes_.size());
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (available(i)) {
      out.push_back(i);
    }
  }
  return out;
}

std::string BackendPool::unavailableReason() const {
  std::lock_guard lock(mu_);
  std::string out = "no healthy backend: ";
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    const auto& n = *nodes_[i];
    out += (i == 0 ? "" : ", ") + n.spec.name;
    if (!n.up) {
      out += " down" + (n.lastCheckDetail.empty() ? std::string() : " (" + n.lastCheckDetail + ")");
    } else if (n.draining) {
      out += " draining";
    } else {
      out += " up";  // became available while this was written
    }
  }
  return out;
}

std::optional<HealthTransition> BackendPool::recordCheck(std::size_t i, bool passed,
                                                         std::string_view detail) {
  std::lock_guard lock(mu_);
  auto& n = *nodes_[i];
  n.checks++;
  if (!passed) {
    n.failedChecks++;
    n.lastCheckDetail = std::string(detail);
  }
  const bool up = n.up.load();
  if (passed == up) {
    n.streak = 0;  // the check agrees with the current state
    return std::nullopt;
  }
  n.streak++;
  if (n.streak < (up ? fall_ : rise_)) {
    return std::nullopt;
  }
  HealthTransition t{i, n.spec.name, !up, n.streak, std::string(detail)};
  n.streak = 0;
  n.up.store(!up);
  (up ? n.wentDown : n.cameUp)++;
  return t;
}

core::Status BackendPool::setDraining(std::string_view name, bool draining) {
  const auto i = find(name);
  if (!i) {
    return core::makeError(core::ErrorCategory::NotFound, "unknown_backend",
                           "no backend named '" + std::string(name) + "'");
  }
  nodes_[*i]->draining.store(draining);
  return core::okStatus();
}

BackendStats BackendPool::stats(std::size_t i) const {
  const auto& n = *nodes_[i];
  BackendStats s;
  s.name = n.spec.name;
  s.address = (n.spec.host.find(':') != std::string::npos ? "[" + n.spec.host + "]" : n.spec.host) + ":" +
              std::to_string(n.spec.port);
  s.up = n.up.load();
  s.draining = n.draining.load();
  s.requests = n.requests.load();
  s.connections = n.connections.load();
  s.errors = n.errors.load();
  s.active = n.active.load();
  std::lock_guard lock(mu_);
  s.wentDown = n.wentDown;
  s.cameUp = n.cameUp;
  s.checks = n.checks;
  s.failedChecks = n.failedChecks;
  s.lastCheckDetail = n.lastCheckDetail;
  return s;
}

std::vector<BackendStats> BackendPool::stats() const {
  std::vector<BackendStats> out;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    out.push_back(stats(i));
  }
  return out;
}

}  // namespace kerbpool::loadbalancer
