#include "kdc/directory.hpp"

#include <algorithm>
#include <mutex>

#include "core/iana/etype.hpp"
#include "kdc/name_case.hpp"

namespace kerbpool::kdc {

namespace {

using core::ErrorCategory;
using core::makeError;

core::Error noSuchAccount(std::string_view sam) {
  return makeError(ErrorCategory::NotFound, std::string(directory_error::kNoSuchAccount),
                   "no account '" + std::string(sam) + "'");
}

core::Error badAccount(std::string_view sam, std::string_view why) {
  return makeError(ErrorCategory::Config, std::string(directory_error::kBadAccount),
                   "'" + std::string(sam) + "': " + std::string(why));
}

bool validSamAccountName(std::string_view sam) {
  // MS-ADTS: at most 20 characters, none of " / \ [ ] : ; | = , + * ? < > @ or control characters.
  if (sam.empty() || sam.size() > 20) {
    return false;
  }
  for (char c : sam) {
    if (static_cast<unsigned char>(c) < 0x20 ||
        std::string_view("\"/\\[]:;|=,+*?<>@ ").find(c) != std::string_view::npos) {
      return false;
    }
  }
  return true;
}

std::string baseDnFor(std::string_view dnsDomain) {
  std::string dn;
  std::size_t start = 0;
  while (start <= dnsDomain.size()) {
    std::size_t dot = dnsDomain.find('.', start);
    std::string_view label = dnsDomain.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (!dn.empty()) {
      dn += ',';
    }
    dn += "DC=" + std::string(label);
    if (dot == std::string_view::npos) {
      break;
    }
    start = dot + 1;
  }
  return dn;
}

constexpr std::string_view kKrbtgt = "krbtgt";

}  // namespace

Directory::Directory(std::string_view realm, EventLog& events)
    : realm_(toUpperAscii(realm)),
      dnsDomain_(toLowerAscii(realm)),
      baseDn_(baseDnFor(dnsDomain_)),
      events_(events) {
  Account krbtgt;
  krbtgt.samAccountName = std::string(kKrbtgt);
  krbtgt.kind = AccountKind::User;
  krbtgt.objectClass = ObjectClass::User;
  krbtgt.enabled = false;  // as in Active Directory: the account is disabled, its keys still seal TGTs
  // The TGT follows krbtgt's keys, AES since the 2008 functional level, whatever the domain default says.
  krbtgt.supportedEncryptionTypes = supported_enctypes::kDefault;
  krbtgt.distinguishedName = "CN=krbtgt,CN=Users," + baseDn_;
  krbtgt.salt = core::crypto::adUserSalt(realm_, krbtgt.samAccountName);
  krbtgt.servicePrincipalNames.push_back("kadmin/changepw");
  accounts_.emplace(toLowerAscii(kKrbtgt), std::move(krbtgt));
}

std::string Directory::distinguishedNameFor(const AccountSpec& spec, ObjectClass objectClass) const {
  std::string cn = spec.samAccountName;
  if (objectClass == ObjectClass::Computer && !cn.empty() && cn.back() == '$') {
    cn.pop_back();
  }
  const char* container = objectClass == ObjectClass::Computer ? "CN=Computers," : "CN=Users,";
  return "CN=" + cn + "," + container + baseDn_;
}

core::Status Directory::addAccount(const AccountSpec& spec) {
  const std::string& sam = spec.samAccountName;
  if (!validSamAccountName(sam)) {
    return badAccount(sam, "sAMAccountName must be 1-20 characters without \"/\\[]:;|=,+*?<>@ or spaces");
  }
  ObjectClass objectClass = spec.kind == AccountKind::User       ? ObjectClass::User
                            : spec.kind == AccountKind::Computer ? ObjectClass::Computer
                                                                 : spec.serviceObjectClass;
  if (objectClass == ObjectClass::Computer && (sam.size() < 2 || sam.back() != '$')) {
    return badAccount(sam, "a computer object's sAMAccountName ends with '$'");
  }
  if (spec.kind == AccountKind::Computer && spec.dnsHostName.empty()) {
    return badAccount(sam, "a computer account needs a dNSHostName");
  }
  std::unique_lock lock(mutex_);
  if (findLocked(sam) != nullptr) {
    return makeError(ErrorCategory::Config, std::string(directory_error::kAccountExists),
                     "sAMAccountName '" + sam + "' is already in use");
  }
  if (!spec.userPrincipalName.empty()) {
    for (const auto& [_, other] : accounts_) {
      if (equalsIgnoreCase(other.userPrincipalName, spec.userPrincipalName)) {
        return makeError(
            ErrorCategory::Config, std::string(directory_error::kUpnExists),
            "userPrincipalName '" + spec.userPrincipalName + "' is already held by " + other.samAccountName);
      }
    }
  }
  if (!spec.site.empty() && sites_.find(toLowerAscii(spec.site)) == sites_.end()) {
    return makeError(ErrorCategory::NotFound, std::string(directory_error::kNoSuchSite),
                     "no site '" + spec.site + "'");
  }
  Account a;
  a.samAccountName = sam;
  a.kind = spec.kind;
  a.objectClass = objectClass;
  a.userPrincipalName = spec.userPrincipalName;
  a.dnsHostName = toLowerAscii(spec.dnsHostName);
  a.supportedEncryptionTypes = spec.supportedEncryptionTypes;
  a.memberOf = spec.memberOf;
  a.site = spec.site;
  a.enabled = spec.enabled;
  a.distinguishedName = distinguishedNameFor(spec, objectClass);
  a.salt = objectClass == ObjectClass::Computer ? core::crypto::adComputerSalt(realm_, sam)
                                                : core::crypto::adUserSalt(realm_, sam);
  accounts_.emplace(toLowerAscii(sam), std::move(a));
  return core::okStatus();
}

core::Status Directory::removeAccount(std::string_view sam) {
  if (equalsIgnoreCase(sam, kKrbtgt)) {
    return badAccount(sam, "the krbtgt account cannot be removed");
  }
  std::unique_lock lock(mutex_);
  if (accounts_.erase(toLowerAscii(sam)) == 0) {
    return noSuchAccount(sam);
  }
  std::string key = toLowerAscii(sam);
  delivered_.erase(key);
  for (auto& [_, byAccount] : delivered_) {
    byAccount.erase(key);
  }
  for (auto& [_, s] : sites_) {
    if (s.kerberosAccount && equalsIgnoreCase(*s.kerberosAccount, sam)) {
      s.kerberosAccount.reset();
    }
  }
  return core::okStatus();
}

core::Result<std::uint32_t> Directory::setPassword(std::string_view sam, std::string_view password) {
  // Derive outside the lock: string-to-key is the slow part (PBKDF2, 4096 iterations).
  std::string salt;
  bool aes = true;
  {
    std::shared_lock lock(mutex_);
    const Account* a = findLocked(sam);
    if (a == nullptr) {
      return noSuchAccount(sam);
    }
    salt = a->salt;
    aes = derivesAesKeys_;
  }
  KeySet keys;
  for (std::int32_t enctype : directoryKeyEnctypes()) {
    if (!aes && enctype != static_cast<std::int32_t>(core::iana::EType::Rc4Hmac)) {
      continue;
    }
    KP_TRY(auto key, core::crypto::stringToKey(enctype, password, salt));
    keys.keys.push_back(std::move(key));
  }
  std::unique_lock lock(mutex_);
  Account* a = findLocked(sam);
  if (a == nullptr || a->salt != salt) {  // removed or replaced while deriving
    return noSuchAccount(sam);
  }
  keys.kvno = ++a->keyVersionNumber;
  a->keyHistory.push_back(std::move(keys));
  return a->keyVersionNumber;
}

void Directory::setDerivesAesKeys(bool derive) {
  std::unique_lock lock(mutex_);
  derivesAesKeys_ = derive;
}

bool Directory::derivesAesKeys() const {
  std::shared_lock lock(mutex_);
  return derivesAesKeys_;
}

void Directory::setDefaultDomainSupportedEncTypes(std::uint32_t mask) {
  std::unique_lock lock(mutex_);
  defaultDomainSupportedEncTypes_ = mask;
}

std::uint32_t Directory::defaultDomainSupportedEncTypes() const {
  std::shared_lock lock(mutex_);
  return defaultDomainSupportedEncTypes_;
}

std::uint32_t Directory::effectiveEncryptionTypes(const Account& account) const {
  return account.supportedEncryptionTypes != supported_enctypes::kNotSet ? account.supportedEncryptionTypes
                                                                         : defaultDomainSupportedEncTypes();
}

core::Result<std::uint32_t> Directory::setKrbtgtPassword(std::string_view password) {
  return setPassword(kKrbtgt, password);
}

core::Status Directory::setEnabled(std::string_view sam, bool enabled) {
  std::unique_lock lock(mutex_);
  Account* a = findLocked(sam);
  if (a == nullptr) {
    return noSuchAccount(sam);
  }
  a->enabled = enabled;
  return core::okStatus();
}

core::Status Directory::setSupportedEncryptionTypes(std::string_view sam, std::uint32_t mask) {
  std::unique_lock lock(mutex_);
  Account* a = findLocked(sam);
  if (a == nullptr) {
    return noSuchAccount(sam);
  }
  a->supportedEncryptionTypes = mask;
  return core::okStatus();
}

core::Status Directory::addToGroup(std::string_view sam, std::string_view group) {
  std::unique_lock lock(mutex_);
  Account* a = findLocked(sam);
  if (a == nullptr) {
    return noSuchAccount(sam);
  }
  bool present = std::any_of(a->memberOf.begin(), a->memberOf.end(),
                             [&](const std::string& g) { return equalsIgnoreCase(g, group); });
  if (!present) {
    a->memberOf.emplace_back(group);
  }
  return core::okStatus();
}

std::optional<Account> Directory::account(std::string_view sam) const {
  std::shared_lock lock(mutex_);
  const Account* a = findLocked(sam);
  if (a == nullptr) {
    return std::nullopt;
  }
  return *a;
}

std::vector<std::string> Directory::accountNames() const {
  std::shared_lock lock(mutex_);
  std::vector<std::string> names;
  for (const auto& [_, a] : accounts_) {
    names.push_back(a.samAccountName);
  }
  return names;
}

core::Result<core::crypto::Key> Directory::key(std::string_view sam, std::uint32_t kvno,
                                               std::int32_t enctype) const {
  std::shared_lock lock(mutex_);
  const Account* a = findLocked(sam);
  if (a == nullptr) {
    return noSuchAccount(sam);
  }
  const KeySet* ks = a->keysForKvno(kvno);
  if (ks == nullptr) {
    return makeError(ErrorCategory::NotFound, std::string(directory_error::kNoSuchKvno),
                     a->samAccountName + " has no key version " + std::to_string(kvno));
  }
  const core::crypto::Key* k = ks->keyFor(enctype);
  if (k == nullptr) {
    return makeError(ErrorCategory::NotFound, std::string(directory_error::kNoCommonEnctype),
                     a->samAccountName + " kvno " + std::to_string(kvno) + " has no key of enctype " +
                         std::to_string(enctype));
  }
  return *k;
}

Account* Directory::findLocked(std::string_view sam) {
  auto it = accounts_.find(toLowerAscii(sam));
  return it == accounts_.end() ? nullptr : &it->second;
}

const Account* Directory::findLocked(std::string_view sam) const {
  auto it = accounts_.find(toLowerAscii(sam));
  return it == accounts_.end() ? nullptr : &it->second;
}

}  // namespace kerbpool::kdc
