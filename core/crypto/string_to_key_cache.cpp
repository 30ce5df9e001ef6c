#include "core/crypto/string_to_key_cache.hpp"

namespace kerbpool::core::crypto {

StringToKeyCache::~StringToKeyCache() {
  clear();
}

std::string StringToKeyCache::entryKey(std::int32_t enctype, std::uint32_t iterations,
                                       std::string_view password, std::string_view salt) {
  // Fixed-width fields, then the password's length, so no two inputs share a key.
  std::string key;
  key.reserve(16 + password.size() + salt.size());
  for (const std::uint32_t v :
       {static_cast<std::uint32_t>(enctype), iterations, static_cast<std::uint32_t>(password.size())}) {
    for (int shift = 24; shift >= 0; shift -= 8) {
      key.push_back(static_cast<char>((v >> shift) & 0xff));
    }
  }
  key.append(password);
  key.append(salt);
  return key;
}

std::optional<Bytes> StringToKeyCache::find(std::int32_t enctype, std::uint32_t iterations,
                                            std::string_view password, std::string_view salt) {
  std::string key = entryKey(enctype, iterations, password, salt);
  std::optional<Bytes> found;
  {
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(key); it != entries_.end()) {
      ++hits_;
      found = it->second;
    }
  }
  secureWipe(key);
  return found;
}

void StringToKeyCache::insert(std::int32_t enctype, std::uint32_t iterations, std::string_view password,
                              std::string_view salt, BytesView value) {
  std::string key = entryKey(enctype, iterations, password, salt);
  {
    std::lock_guard lock(mutex_);
    auto [it, inserted] = entries_.try_emplace(key, value.begin(), value.end());
    if (inserted) {
      order_.push_back(&it->first);
      while (entries_.size() > kMaxEntries) {
        evictOldestLocked();
      }
    }
  }
  secureWipe(key);
}

void StringToKeyCache::evictOldestLocked() {
  if (order_.empty()) {
    return;
  }
  auto node = entries_.extract(*order_.front());
  order_.pop_front();
  secureWipe(node.mapped());
  secureWipe(node.key());
}

void StringToKeyCache::clear() {
  std::lock_guard lock(mutex_);
  while (!order_.empty()) {
    evictOldestLocked();
  }
}

std::size_t StringToKeyCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

std::uint64_t StringToKeyCache::hits() const {
  std::lock_guard lock(mutex_);
  return hits_;
}

StringToKeyCache& stringToKeyCache() {
  static StringToKeyCache cache;
  return cache;
}

}  // namespace kerbpool::core::crypto
