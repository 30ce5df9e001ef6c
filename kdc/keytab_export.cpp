#include "kdc/keytab_export.hpp"

#include <algorithm>

#include "kdc/directory_error.hpp"

namespace kerbpool::kdc {

namespace {

std::vector<std::string> splitComponents(const std::string& name) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const auto slash = name.find('/', start);
    out.push_back(name.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) {
      return out;
    }
    start = slash + 1;
  }
}

}  // namespace

core::Result<core::keytab::Keytab> exportKeytab(const Directory& directory, const std::string& sam,
                                                const KeytabExportOptions& options) {
  auto account = directory.account(sam);
  if (!account) {
    return core::makeError(core::ErrorCategory::NotFound, std::string(directory_error::kNoSuchAccount),
                           "no account named " + sam + " in " + directory.realm());
  }
  if (account->keyHistory.empty()) {
    return core::makeError(core::ErrorCategory::NotFound, std::string(directory_error::kNoKeys),
                           sam + " has no keys: set its password first");
  }
  std::vector<std::string> names = options.principals;
  if (names.empty()) {
    names = account->servicePrincipalNames;
    names.push_back(account->samAccountName);
  }
  core::keytab::Keytab kt;
  for (const auto& name : names) {
    const auto components = splitComponents(name);
    for (const auto& set : account->keyHistory) {
      if (!options.allKvnos && set.kvno != account->keyVersionNumber) {
        continue;
      }
      for (const auto& key : set.keys) {
        if (std::find(options.enctypes.begin(), options.enctypes.end(), key.enctype) ==
            options.enctypes.end()) {
          continue;
        }
        core::keytab::KeytabEntry e;
        e.components = components;
        e.realm = directory.realm();
        e.nameType = components.size() > 1 ? 3 : 1;  // NT-SRV-HST for service/host, NT-PRINCIPAL otherwise
        e.timestamp = options.timestamp;
        e.kvno = set.kvno;
        e.key = key;
        kt.add(std::move(e));
      }
    }
  }
  return kt;
}

}  // namespace kerbpool::kdc
