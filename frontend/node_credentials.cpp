#include "frontend/node_credentials.hpp"

#include "core/keytab/keytab.hpp"

namespace kerbpool::frontend {

using core::ErrorCategory;
using core::makeError;
using core::acceptor::AcceptorKeys;

namespace {

core::Result<AcceptorKeys> loadKeytab(const std::filesystem::path& path) {
  KP_TRY(auto keytab, core::keytab::Keytab::readFile(path));
  if (keytab.empty()) {
    return makeError(ErrorCategory::Config, "empty_keytab", "the keytab " + path.string() + " holds no key");
  }
  return AcceptorKeys::fromKeytab(keytab);
}

}  // namespace

NodeCredentials::NodeCredentials(std::string description, AcceptorKeys initial, Loader loader)
    : description_(std::move(description)),
      loader_(std::move(loader)),
      keys_(std::make_shared<const AcceptorKeys>(std::move(initial))) {}

core::Result<std::unique_ptr<NodeCredentials>> NodeCredentials::fromKeytabFile(
    const std::filesystem::path& path) {
  KP_TRY(auto keys, loadKeytab(path));
  return std::make_unique<NodeCredentials>("keytab " + path.string(), std::move(keys),
                                           [path] { return loadKeytab(path); });
}

core::Result<std::unique_ptr<NodeCredentials>> NodeCredentials::fromKeySource(KeySourceConstSharedPtr source,
                                                                              std::string node) {
  KP_TRY(auto keys, source->currentKeys(node));
  std::string description = source->name() + " keys of " + node;
  return std::make_unique<NodeCredentials>(std::move(description), std::move(keys),
                                           [source, node] { return source->currentKeys(node); });
}

std::unique_ptr<NodeCredentials> NodeCredentials::fixed(std::string description, AcceptorKeys keys) {
  return std::make_unique<NodeCredentials>(std::move(description), std::move(keys));
}

AcceptorKeysConstSharedPtr NodeCredentials::current() const {
  std::lock_guard lock(mu_);
  return keys_;
}

core::Status NodeCredentials::reload() {
  if (!loader_) {
    return core::okStatus();
  }
  KP_TRY(auto keys, loader_());
  install(std::move(keys));
  return core::okStatus();
}

void NodeCredentials::install(AcceptorKeys keys) {
  auto fresh = std::make_shared<const AcceptorKeys>(std::move(keys));
  std::lock_guard lock(mu_);
  keys_ = std::move(fresh);
  ++generation_;
}

std::uint64_t NodeCredentials::generation() const {
  std::lock_guard lock(mu_);
  return generation_;
}

}  // namespace kerbpool::frontend
