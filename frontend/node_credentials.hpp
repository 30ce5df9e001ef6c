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

namespace kerbpool::frontend {

using AcceptorKeysConstSharedPtr = std::shared_ptr<const core::acceptor::AcceptorKeys>;

// Where a node gets its keys when it reads no keytab: the account's current keys, asked again on every
// reload() (a password roll reaching the node). The front-end never reaches into the directory itself; the
// scenario's directory-backed source is scenarios/directory_key_source.hpp.
class KeySource {
 public:
  virtual ~KeySource() = default;
  // Every key `account` ("FE01$") holds now, every kvno retained.
  virtual core::Result<core::acceptor::AcceptorKeys> currentKeys(std::string_view account) const = 0;
  // Where the keys come from, for logs ("directory").
  virtual std::string name() const = 0;
};

using KeySourceConstSharedPtr = std::shared_ptr<const KeySource>;

// The long-term keys of one front-end node, as an immutable snapshot swapped as a whole: a request takes
// current() once and keeps using that snapshot, while reload() (a password roll reaching the node) installs
// a new one. Thread-safe.
class NodeCredentials {
 public:
  // Builds the key set from wherever the node gets it (a keytab file, a KeySource).
  using Loader = std::function<core::Result<core::acceptor::AcceptorKeys>()>;

  // `description` says where the keys come from, for logs ("keytab /etc/fe01.keytab").
  NodeCredentials(std::string description, core::acceptor::AcceptorKeys initial, Loader loader = {});

  // Every entry of an MIT keytab (every kvno it holds). Errors: the keytab's own (Io/NotFound/Decoding),
  // and Config empty_keytab for a keytab without entries.
  static core::Result<std::unique_ptr<NodeCredentials>> fromKeytabFile(const std::filesystem::path& path);
  // What `source` holds for the computer account `node` ("FE01$"); reload() asks the source again. The
  // description is "<source name> keys of <node>". Errors: the source's.
  static core::Result<std::unique_ptr<NodeCredentials>> fromKeySource(KeySourceConstSharedPtr source,
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

}  // namespace kerbpool::frontend
