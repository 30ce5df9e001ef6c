#include "loadbalancer/affinity.hpp"

namespace kerbpool::loadbalancer {

std::uint64_t sourceHash(std::string_view clientAddress) {
  std::uint64_t h = 14695981039346656037ull;
  for (char c : clientAddress) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

std::optional<std::size_t> StickyTable::lookup(std::string_view clientAddress) const {
  std::lock_guard lock(mu_);
  const auto it = entries_.find(std::string(clientAddress));
  if (it == entries_.end()) {
    return std::nullopt;
  }
  return it->second;
}

void StickyTable::remember(std::string_view clientAddress, std::size_t backend) {
  std::lock_guard lock(mu_);
  auto [it, inserted] = entries_.insert_or_assign(std::string(clientAddress), backend);
  if (!inserted) {
    return;
  }
  order_.push_back(it->first);
  while (order_.size() > capacity_) {
    entries_.erase(order_.front());
    order_.pop_front();
  }
}

std::size_t StickyTable::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

std::optional<std::string_view> cookieValue(std::string_view field, std::string_view name) {
  while (!field.empty()) {
    const auto semi = field.find(';');
    std::string_view pair = field.substr(0, semi);
    field = semi == std::string_view::npos ? std::string_view() : field.substr(semi + 1);
    while (!pair.empty() && (pair.front() == ' ' || pair.front() == '\t')) {
      pair.remove_prefix(1);
    }
    while (!pair.empty() && (pair.back() == ' ' || pair.back() == '\t')) {
      pair.remove_suffix(1);
    }
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos || pair.substr(0, eq) != name) {
      continue;
    }
    std::string_view value = pair.substr(eq + 1);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return value;
  }
  return std::nullopt;
}

std::string affinityCookie(std::string_view name, std::string_view backend) {
  return std::string(name) + "=" + std::string(backend) + "; Path=/; HttpOnly";
}

}  // namespace kerbpool::loadbalancer
