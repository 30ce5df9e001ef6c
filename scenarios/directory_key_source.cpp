#include "scenarios/directory_key_source.hpp"

#include <utility>

namespace kerbpool::scenarios {

using core::acceptor::AcceptorKeys;

core::Result<AcceptorKeys> DirectoryKeySource::currentKeys(std::string_view account) const {
  KP_TRY(auto held, directory_.keysHeldBy(account));
  AcceptorKeys keys;
  for (auto& h : held) {
    keys.add(core::acceptor::AcceptorKey{std::move(h.principalNames), directory_.realm(), h.kvno,
                                         std::move(h.key)});
  }
  return keys;
}

core::Result<std::unique_ptr<frontend::NodeCredentials>> nodeCredentialsFromDirectory(
    const kdc::Directory& directory, std::string node) {
  return frontend::NodeCredentials::fromKeySource(std::make_shared<DirectoryKeySource>(directory),
                                                  std::move(node));
}

}  // namespace kerbpool::scenarios
