#include "kdc/keytab_export.hpp"

#include <algorithm>

#include "core/common/principal_text.hpp"
#include "kdc/directory_error.hpp"
#include "kdc/name_case.hpp"

namespace kerbpool::kdc {

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
  // The names ktpass -princ or kadmin's ktadd would write. The krbtgt account's keys are krbtgt/REALM's (its
  // kadmin/changepw SPN is not a name tickets are sealed for here).
  std::vector<std::string> names = options.principals;
  if (names.empty()) {
    if (equalsIgnoreCase(account->samAccountName, "krbtgt")) {
      names.push_back("krbtgt/" + directory.realm());
    } else {
      names = account->servicePrincipalNames;
      names.push_back(account->samAccountName);
    }
  }
  std::vector<core::PrincipalText> principals;
  for (const auto& name : names) {
    // MIT's text form: "HTTP/pool.contoso.test" or "HTTP/pool.contoso.test@CONTOSO.TEST", escapes included.
    auto parsed = core::PrincipalText::parse(name, directory.realm());
    if (!parsed.ok()) {
      return core::makeError(core::ErrorCategory::Config, "bad_principal",
                             "cannot export under \"" + name + "\": " + parsed.error().detail);
    }
    if (!equalsIgnoreCase(parsed->realm, directory.realm())) {
      return core::makeError(
          core::ErrorCategory::Config, "wrong_realm",
          "\"" + name + "\" names realm " + parsed->realm + "; the account is in " + directory.realm());
    }
    parsed->realm = directory.realm();
    principals.push_back(std::move(*parsed));
  }
  const std::vector<std::int32_t> enctypes =
      options.enctypes.empty() ? enctypesInMask(directory.effectiveEncryptionTypes(*account))
                               : options.enctypes;
  core::keytab::Keytab kt;
  for (const auto& principal : principals) {
    for (const auto& set : account->keyHistory) {
      if (!options.allKvnos && set.kvno != account->keyVersionNumber) {
        continue;
      }
      for (const auto& key : set.keys) {
        if (std::find(enctypes.begin(), enctypes.end(), key.enctype) == enctypes.end()) {
          continue;
        }
        core::keytab::KeytabEntry e;
        e.components = principal.components;
        e.realm = principal.realm;
        e.nameType = 1;  // KRB5_NT_PRINCIPAL, as ktpass (its default -ptype) and kadmin's ktadd write
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
