#include "net/connection_caps.hpp"

namespace kerbpool::net {

bool ConnectionCaps::admit(const std::string& source) {
  std::lock_guard lock(mu_);
  if (maxTotal_ != 0 && open_ >= maxTotal_) {
    return false;
  }
  auto& fromSource = perSource_[source];
  if (maxPerSource_ != 0 && fromSource >= maxPerSource_) {
    return false;
  }
  ++fromSource;
  ++open_;
  return true;
}

void ConnectionCaps::release(const std::string& source) {
  std::lock_guard lock(mu_);
  if (open_ > 0) {
    --open_;
  }
  auto it = perSource_.find(source);
  if (it != perSource_.end() && --it->second == 0) {
    perSource_.erase(it);  // the map holds only sources with open connections
  }
}

std::size_t ConnectionCaps::open() const {
  std::lock_guard lock(mu_);
  return open_;
}

std::string_view sourceAddress(std::string_view peer) {
  if (!peer.empty() && peer.front() == '[') {
    const auto close = peer.find(']');
    return close == std::string_view::npos ? peer : peer.substr(1, close - 1);
  }
  const auto colon = peer.rfind(':');
  return colon == std::string_view::npos || peer.find(':') != colon ? peer : peer.substr(0, colon);
}

}  // namespace kerbpool::net
