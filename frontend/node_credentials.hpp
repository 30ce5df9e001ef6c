#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/acceptor/acceptor_keys.hpp"
#include "core/common/result.hpp"

namespace kerbpool::kdc {
class Directory;
}

namespace kerbpool::frontend {

using AcceptorKeysConstSharedPtr = std::shared_ptr<const core::acceptor::AcceptorKeys>;

// The long-term keys of one front-end node, as an immutable snapshot swapped as a whole: a request takes
// current() once and keeps using that snapshot, while reload() (a password roll reaching the node) installs
// a new one. Thread-safe.
class NodeCredentials {
 public:
  // Builds the key set from wherever the node gets it (a keytab file, the scenario's directory).
  using Loader = std::function<core::Result<core::acceptor::AcceptorKeys>()>;

  // `description` says where the keys come from, for logs ("keytab /etc/fe01.keytab").
  NodeCredentials(std::string description, core::acceptor::AcceptorKeys initial, Loader loader = {});

  // Every entry of an MIT keytab (every kvno it holds). Errors: the keytab's own (Io/NotFound/Decoding),
  // and Config empty_keytab for a keytab without entries.
  static core::Result<std::unique_ptr<NodeCredentials>> fromKeytabFile(const std::filesystem::path& path);
  // What the directory delivered to the computer account `node` ("FE01$"): Directory::keysHeldBy, every
  // kvno retained (so tickets issued before a password roll still open), realm = the directory's realm.
  // `directory` must outlive the credentials (reload() reads it again).
  static core::Result<std::unique_ptr<NodeCredentials>> fromDirectory(const kdc::Directory& directory,
                                                                      std::string node);
  // A fixed key set (tests, simulations); reload() keeps it.
  static std::unique_ptr<NodeCredentials> fixed(std::string description, core::acceptor::AcceptorKeys keys);

  // The keys in force now.
  AcceptorKeysConstSharedPtr current() const;
  // Loads the keys again from the source and swaps them in. On error the previous keys stay in force.
  core::Status reload();
  // Replaces the keys directly (tests, and scenarios that hand a node a new key set).
  void install(core::acceptor::AcceptorKeys keys);

  const std::string& description() const { return description_; }
  // 1 after construction, +1 for every successful reload() or install().
  std::uint64_t generation() const;

 private:
  const std::string description_;
  const Loader loader_;
  mutable std::mutex mu_;
  AcceptorKeysConstSharedPtr keys_;
  std::uint64_t generation_ = 1;
};

// Directory::keysHeldBy(node) as acceptor keys (realm = the directory's realm).
core::Result<core::acceptor::AcceptorKeys> keysFromDirectory(const kdc::Directory& directory,
                                                             std::string_view node);

}  // namespace kerbpool::frontend
