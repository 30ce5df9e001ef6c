#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace kerbpool::loadbalancer {

// Affinity keeps one client on one node, which connection-bound authentication (NTLM) needs behind a
// balancer.

// FNV-1a of the client address: stable across runs and processes, so a client keeps its node.
std::uint64_t sourceHash(std::string_view clientAddress);

// Remembers the node first chosen for each client address (a stick-table). Bounded: beyond `capacity` the
// oldest entries are forgotten. Thread-safe.
class StickyTable {
 public:
  explicit StickyTable(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}
  std::optional<std::size_t> lookup(std::string_view clientAddress) const;
  void remember(std::string_view clientAddress, std::size_t backend);
  std::size_t size() const;

 private:
  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::size_t> entries_;
  std::deque<std::string> order_;  // insertion order, for eviction
};

// The value of cookie `name` in a Cookie field ("a=1; KPLB=fe02; b=2" -> "fe02"), or nullopt.
std::optional<std::string_view> cookieValue(std::string_view cookieField, std::string_view name);
// The Set-Cookie value the balancer inserts: "KPLB=fe02; Path=/; HttpOnly".
std::string affinityCookie(std::string_view name, std::string_view backend);

}  // namespace kerbpool::loadbalancer
