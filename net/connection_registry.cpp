#include "net/connection_registry.hpp"

#include <latch>
#include <vector>

namespace kerbpool::net {

bool ConnectionRegistry::add(std::uint64_t id, std::weak_ptr<Closable> connection) {
  std::lock_guard lock(mu_);
  if (closing_) {
    return false;
  }
  connections_.emplace(id, std::move(connection));
  return true;
}

void ConnectionRegistry::remove(std::uint64_t id) {
  std::lock_guard lock(mu_);
  connections_.erase(id);
}

void ConnectionRegistry::closeAll() {
  std::vector<std::shared_ptr<Closable>> live;
  {
    std::lock_guard lock(mu_);
    closing_ = true;
    for (auto& [id, weak] : connections_) {
      if (auto c = weak.lock()) {
        live.push_back(std::move(c));
      }
    }
  }
  // Outside the lock: closing may end a connection, whose destructor calls remove().
  for (auto& c : live) {
    c->forceClose();
  }
}

std::size_t ConnectionRegistry::closeAllWhenIdle() {
  std::vector<std::shared_ptr<Closable>> live;
  {
    std::lock_guard lock(mu_);
    for (auto& [id, weak] : connections_) {
      if (auto c = weak.lock()) {
        live.push_back(std::move(c));
      }
    }
  }
  std::latch taken(static_cast<std::ptrdiff_t>(live.size()));
  for (auto& c : live) {
    c->closeWhenIdle([&taken] { taken.count_down(); });
  }
  taken.wait();
  return live.size();
}

std::size_t ConnectionRegistry::size() const {
  std::lock_guard lock(mu_);
  return connections_.size();
}

}  // namespace kerbpool::net
