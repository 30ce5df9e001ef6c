#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/acceptor/acceptor_keys.hpp"
#include "core/common/result.hpp"
#include "frontend/node_credentials.hpp"
#include "kdc/directory.hpp"

// The directory-backed frontend::KeySource: where a node of an in-process pool gets its keys. It lives here,
// where nodes are wired to the directory, so that frontend/ never knows kdc::Directory.
namespace kerbpool::scenarios {

// What the directory delivered to a computer account ("FE01$"): Directory::keysHeldBy, every kvno retained
// (so tickets issued before a password roll still open), realm = the directory's realm. The directory must
// outlive the source (NodeCredentials::reload() asks it again).
class DirectoryKeySource final : public frontend::KeySource {
 public:
  explicit DirectoryKeySource(const kdc::Directory& directory) : directory_(directory) {}

  core::Result<core::acceptor::AcceptorKeys> currentKeys(std::string_view account) const override;
  std::string name() const override { return "directory"; }

 private:
  const kdc::Directory& directory_;
};

// NodeCredentials::fromKeySource over a DirectoryKeySource: the keys of `node`, read again on every reload().
core::Result<std::unique_ptr<frontend::NodeCredentials>> nodeCredentialsFromDirectory(
    const kdc::Directory& directory, std::string node);

}  // namespace kerbpool::scenarios
