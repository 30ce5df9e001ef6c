#include "net/in_process_http.hpp"

namespace kerbpool::net {

namespace {

std::string endpointKey(const std::string& address, std::uint16_t port) {
  return (address.find(':') != std::string::npos ? "[" + address + "]" : address) + ":" +
         std::to_string(port);
}

}  // namespace

void InProcessHttpNetwork::listen(const std::string& address, std::uint16_t port,
                                  InProcessHttpListener listener) {
  std::lock_guard lock(mu_);
  listeners_[endpointKey(address, port)] = std::move(listener);
}

bool InProcessHttpNetwork::serves(const std::string& address, std::uint16_t port) const {
  std::lock_guard lock(mu_);
  return listeners_.count(endpointKey(address, port)) > 0;
}

std::uint64_t InProcessHttpNetwork::connections() const {
  std::lock_guard lock(mu_);
  return connections_;
}

core::Result<std::unique_ptr<InProcessHttpConnection>> InProcessHttpNetwork::connect(
    const std::string& source, const std::string& address, std::uint16_t port) {
  const std::string where = endpointKey(address, port);
  InProcessHttpListener listener;
  std::uint32_t ephemeral = 0;
  {
    std::lock_guard lock(mu_);
    auto it = listeners_.find(where);
    if (it == listeners_.end()) {
      return core::makeError(core::ErrorCategory::Io, "connect_failed",
                             "connect to " + where + " (in process): connection refused");
    }
    listener = it->second;
    // The kernel's ephemeral range (32768-60999), in turn.
    ephemeral = static_cast<std::uint32_t>(32768 + connections_++ % (61000 - 32768));
  }
  return listener(endpointKey(source.empty() ? "127.0.0.1" : source, static_cast<std::uint16_t>(ephemeral)));
}

}  // namespace kerbpool::net
