#include "client/string_to_key_cache.hpp"

#include <mutex>

#include "core/crypto/primitives.hpp"

namespace kerbpool::client {

core::Result<core::crypto::Key> StringToKeyCache::derive(std::int32_t enctype, std::string_view password,
                                                         std::string_view salt,
                                                         std::optional<core::BytesView> params) {
  KP_TRY(core::Bytes digest, core::crypto::sha1(core::toBytes(password)));
  std::string id =
      std::to_string(enctype) + '|' + std::to_string(salt.size()) + ':' + std::string(salt) + '|';
  id.append(reinterpret_cast<const char*>(digest.data()), digest.size());
  if (params) {
    id += '|';
    id.append(reinterpret_cast<const char*>(params->data()), params->size());
  }
  {
    std::shared_lock lock(mu_);
    if (auto it = keys_.find(id); it != keys_.end()) {
      ++hits_;
      return it->second;
    }
  }
  auto key = core::crypto::stringToKey(enctype, password, salt, params);
  if (!key.ok()) {
    return key;
  }
  ++misses_;
  std::unique_lock lock(mu_);
  if (keys_.size() < capacity_) {
    keys_.emplace(std::move(id), *key);
  }
  return key;
}

}  // namespace kerbpool::client
