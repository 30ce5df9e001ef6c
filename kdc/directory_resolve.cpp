// Name resolution as Active Directory's KDC does it: service names for TGS-REQs (SPN, sAMAccountName, UPN,
// krbtgt, the HOST alias through sPNMappings, the duplicate-SPN rule with event 11) and client names for
// AS-REQs.
#include <algorithm>
#include <mutex>

#include "kdc/directory.hpp"
#include "kdc/name_case.hpp"

namespace kerbpool::kdc {

namespace {

using core::ErrorCategory;
using core::makeError;

core::Error serviceUnknown(std::string detail) {
  return makeError(ErrorCategory::NotFound, std::string(directory_error::kServiceUnknown), std::move(detail));
}

core::Error clientUnknown(std::string detail) {
  return makeError(ErrorCategory::NotFound, std::string(directory_error::kClientUnknown), std::move(detail));
}

// "18 17" (how events 14/16 list enctypes).
std::string enctypeWords(const std::vector<std::int32_t>& enctypes) {
  std::string out;
  for (std::int32_t e : enctypes) {
    out += (out.empty() ? "" : " ") + std::to_string(e);
  }
  return out.empty() ? "none" : out;
}

std::string joinNames(const std::vector<const Account*>& accounts, bool dn) {
  std::string out;
  for (const Account* a : accounts) {
    out += (out.empty() ? "" : ", ") + (dn ? a->distinguishedName : a->samAccountName);
  }
  return out;
}

}  // namespace

std::string_view toString(MatchForm form) {
  switch (form) {
    case MatchForm::SamAccountName:
      return "sAMAccountName";
    case MatchForm::UserPrincipalName:
      return "userPrincipalName";
    case MatchForm::ServicePrincipalName:
      return "servicePrincipalName";
    case MatchForm::HostAlias:
      return "servicePrincipalName via sPNMappings";
    case MatchForm::Krbtgt:
      return "krbtgt";
  }
  return "unknown";
}

const core::crypto::Key* Resolution::keyFor(std::int32_t enctype) const {
  for (const auto& k : keys) {
    if (k.enctype == enctype) {
      return &k;
    }
  }
  return nullptr;
}

void Directory::setSpnMappings(SpnMappings mappings) {
  std::unique_lock lock(mutex_);
  spnMappings_ = std::move(mappings);
}

void Directory::setKdcEventWording(KdcEventWording wording) {
  std::unique_lock lock(mutex_);
  kdcEventWording_ = wording;
}

SpnMappings Directory::spnMappings() const {
  std::shared_lock lock(mutex_);
  return spnMappings_;
}

void Directory::logDuplicate(const std::string& spn, const std::vector<const Account*>& holders) const {
  const bool legacy = kdcEventWording_ == KdcEventWording::Windows2003;
  events_.append(
      event_id::kDuplicateName, legacy ? event_source::kKdc : event_source::kKdc2008,
      {{"Name", spn},
       {"Type", "DS_SERVICE_PRINCIPAL_NAME"},
       {"Accounts", joinNames(holders, false)},
       {"AccountDNs", joinNames(holders, true)}},
      legacy ? "There are multiple accounts with name " + spn + " of type DS_SERVICE_PRINCIPAL_NAME."
             : "The KDC encountered duplicate names while processing a Kerberos authentication "
               "request. The duplicate name is " +
                   spn +
                   " (of type DS_SERVICE_PRINCIPAL_NAME). This may result in authentication failures "
                   "or downgrades to NTLM. In order to prevent this from occuring remove the duplicate "
                   "entries for " +
                   spn + " in Active Directory.");
}

core::Result<Resolution> Directory::makeResolution(const Account& account, MatchForm form,
                                                   std::string matchedName,
                                                   const std::vector<std::int32_t>& requestedEnctypes) const {
  const bool fromDomainDefault = account.supportedEncryptionTypes == supported_enctypes::kNotSet;
  return makeResolution(
      account, form, std::move(matchedName), requestedEnctypes,
      fromDomainDefault ? defaultDomainSupportedEncTypes_ : account.supportedEncryptionTypes,
      fromDomainDefault);
}

core::Result<Resolution> Directory::makeResolution(const Account& account, MatchForm form,
                                                   std::string matchedName,
                                                   const std::vector<std::int32_t>& requestedEnctypes,
                                                   std::uint32_t mask, bool fromDomainDefault) const {
  const KeySet* current = account.currentKeys();
  if (current == nullptr) {
    return makeError(ErrorCategory::NotFound, std::string(directory_error::kNoKeys),
                     account.samAccountName + " has never had a password set");
  }
  Resolution r;
  r.samAccountName = account.samAccountName;
  r.distinguishedName = account.distinguishedName;
  r.kind = account.kind;
  r.enabled = account.enabled;
  r.form = form;
  r.matchedName = std::move(matchedName);
  r.salt = account.salt;
  r.kvno = current->kvno;
  r.fromDomainDefault = fromDomainDefault;
  r.supportedEncryptionTypes = mask;
  r.aesSessionKeys = (mask & supported_enctypes::kAesSessionKeys) != 0;
  r.memberOf = account.memberOf;
  std::vector<std::int32_t> keyless;  // named by msDS-SupportedEncryptionTypes, no key of this version
  r.keys.reserve(current->keys.size());
  for (std::int32_t e : directoryKeyEnctypes()) {  // enctypesInMask(mask), without its vector
    if ((mask & supportedEnctypeBit(e)) == 0) {
      continue;
    }
    if (const auto* k = current->keyFor(e)) {
      r.keys.push_back(*k);
    } else {
      keyless.push_back(e);
    }
  }
  // AD's events 14/16: an enctype the account supports, and the request asks for when it names any, has no
  // key (the password was set before the domain derived it). The detail is the event's own wording.
  const auto missing = [&](std::int32_t id) {
    std::vector<std::int32_t> available;
    for (const auto& k : current->keys) {
      available.push_back(k.enctype);
    }
    std::vector<std::int32_t> requested = requestedEnctypes;
    if (requested.empty()) {
      requested = enctypesInMask(mask);
    }
    return makeError(
        ErrorCategory::Protocol, std::string(directory_error::kMissingKey),
        "the account " + account.samAccountName +
            " did not have a suitable key for generating a Kerberos ticket (the missing key has an "
            "ID of " +
            std::to_string(id) + "). The requested etypes were " + enctypeWords(requested) +
            ". The accounts available etypes were " + enctypeWords(available) +
            ". Changing or resetting the password of " + account.samAccountName +
            " will generate a proper key.");
  };
  const auto keylessRequested = [&]() -> std::int32_t {
    for (std::int32_t e : requestedEnctypes.empty() ? keyless : requestedEnctypes) {
      if (std::find(keyless.begin(), keyless.end(), e) != keyless.end()) {
        return e;
      }
    }
    return 0;
  };
  if (r.keys.empty()) {
    if (const std::int32_t id = keylessRequested(); id != 0) {
      return missing(id);
    }
    return makeError(
        ErrorCategory::Protocol, std::string(directory_error::kNoCommonEnctype),
        account.samAccountName + " supports no enctype it has a key for (" +
            (r.fromDomainDefault ? "no msDS-SupportedEncryptionTypes; DefaultDomainSupportedEncTypes "
                                 : "msDS-SupportedEncryptionTypes ") +
            describeSupportedEnctypes(mask) + ")");
  }
  if (requestedEnctypes.empty()) {
    r.key = r.keys.front();
    return r;
  }
  for (std::int32_t e : requestedEnctypes) {
    if (const auto* k = r.keyFor(e)) {
      r.key = *k;
      return r;
    }
  }
  if (const std::int32_t id = keylessRequested(); id != 0) {
    return missing(id);
  }
  std::vector<std::int32_t> supported;
  for (const auto& k : r.keys) {
    supported.push_back(k.enctype);
  }
  // Events 26/27's wording: the first requested enctype is "the missing key".
  return makeError(
      ErrorCategory::Protocol, std::string(directory_error::kNoCommonEnctype),
      "the account " + account.samAccountName +
          " did not have a suitable key for generating a Kerberos ticket (the missing key has an ID "
          "of " +
          std::to_string(requestedEnctypes.front()) + "). The requested etypes were " +
          enctypeWords(requestedEnctypes) + ". The accounts available etypes were " +
          enctypeWords(supported) + ".");
}

core::Result<Resolution> Directory::resolveSpnLocked(const std::string& spn,
                                                     const std::vector<std::int32_t>& requestedEnctypes,
                                                     bool allowAlias) const {
  auto tryName = [&](const std::string& name, MatchForm form) -> std::optional<core::Result<Resolution>> {
    auto holders = spnHoldersLocked(name);
    if (holders.size() > 1) {
      logDuplicate(name, holders);
      return core::Result<Resolution>(makeError(ErrorCategory::NotFound,
                                                std::string(directory_error::kDuplicateSpn),
                                                name + " is held by " + std::to_string(holders.size()) +
                                                    " accounts: " + joinNames(holders, false)));
    }
    if (holders.empty()) {
      return std::nullopt;
    }
    const Account& a = *holders.front();
    auto it = std::find_if(a.servicePrincipalNames.begin(), a.servicePrincipalNames.end(),
                           [&](const std::string& s) { return equalsIgnoreCase(s, name); });
    return makeResolution(a, form, *it, requestedEnctypes);
  };

  if (auto found = tryName(spn, MatchForm::ServicePrincipalName)) {
    return std::move(*found);
  }
  std::size_t slash = spn.find('/');
  std::string serviceClass = spn.substr(0, slash);
  if (allowAlias && slash != std::string::npos) {
    auto target = spnMappings_.targetOf(serviceClass);
    if (target && !equalsIgnoreCase(*target, serviceClass)) {
      std::string alias = *target + spn.substr(slash);
      if (auto found = tryName(alias, MatchForm::HostAlias)) {
        return std::move(*found);
      }
      return serviceUnknown("no account holds " + spn + " nor its sPNMappings alias " + alias);
    }
  }
  return serviceUnknown("no account holds " + spn +
                        (allowAlias ? " (service class " + serviceClass + " has no sPNMappings alias)" : ""));
}

core::Result<Resolution> Directory::resolveService(const std::vector<std::string>& nameComponents,
                                                   const std::vector<std::int32_t>& requestedEnctypes) const {
  std::shared_lock lock(mutex_);
  if (nameComponents.empty()) {
    return serviceUnknown("empty service name");
  }
  if (nameComponents.size() == 1) {
    const std::string& name = nameComponents.front();
    if (const Account* a = findLocked(name)) {
      return makeResolution(*a, MatchForm::SamAccountName, a->samAccountName, requestedEnctypes);
    }
    for (const auto& [_, a] : accounts_) {
      if (!a.userPrincipalName.empty() && equalsIgnoreCase(a.userPrincipalName, name)) {
        return makeResolution(a, MatchForm::UserPrincipalName, a.userPrincipalName, requestedEnctypes);
      }
    }
    return serviceUnknown("no account has sAMAccountName or userPrincipalName " + name);
  }
  if (nameComponents.size() == 2 && equalsIgnoreCase(nameComponents[0], "krbtgt") &&
      equalsIgnoreCase(nameComponents[1], realm_)) {
    const Account* krbtgt = findLocked("krbtgt");
    return makeResolution(*krbtgt, MatchForm::Krbtgt, "krbtgt/" + realm_, requestedEnctypes);
  }
  return resolveSpnLocked(joinComponents(nameComponents), requestedEnctypes, true);
}

core::Result<Resolution> Directory::lookupClient(const std::vector<std::string>& nameComponents,
                                                 const std::vector<std::int32_t>& requestedEnctypes) const {
  std::shared_lock lock(mutex_);
  if (nameComponents.empty()) {
    return clientUnknown("empty client name");
  }
  std::string displayName = joinComponents(nameComponents);
  auto asClient = [&](core::Result<Resolution> r) -> core::Result<Resolution> {
    if (r.ok() || r.error().code == directory_error::kNoCommonEnctype ||
        r.error().code == directory_error::kMissingKey) {
      return r;
    }
    return clientUnknown(displayName + ": " + r.error().detail);
  };
  auto resolveAccount = [&](const Account& a, MatchForm form, const std::string& matched) {
    // As a client, any key the account has will do (msDS-SupportedEncryptionTypes governs the account as a
    // service); strongest first.
    std::uint32_t anyKey = a.supportedEncryptionTypes;
    for (std::int32_t e : directoryKeyEnctypes()) {
      anyKey |= supportedEnctypeBit(e);
    }
    auto r = makeResolution(a, form, matched, requestedEnctypes, anyKey, false);
    if (r.ok()) {
      r->fromDomainDefault = a.supportedEncryptionTypes == supported_enctypes::kNotSet;
      r->supportedEncryptionTypes =
          r->fromDomainDefault ? defaultDomainSupportedEncTypes_ : a.supportedEncryptionTypes;
    }
    return asClient(std::move(r));
  };

  if (nameComponents.size() > 1) {
    auto r = resolveSpnLocked(displayName, {}, true);
    if (!r.ok()) {
      return asClient(std::move(r));
    }
    return resolveAccount(*findLocked(r->samAccountName), r->form, r->matchedName);
  }
  const std::string& name = nameComponents.front();
  std::size_t at = name.rfind('@');
  if (at == std::string::npos) {
    if (const Account* a = findLocked(name)) {
      return resolveAccount(*a, MatchForm::SamAccountName, a->samAccountName);
    }
    return clientUnknown("no account has sAMAccountName " + name);
  }
  for (const auto& [_, a] : accounts_) {
    if (!a.userPrincipalName.empty() && equalsIgnoreCase(a.userPrincipalName, name)) {
      return resolveAccount(a, MatchForm::UserPrincipalName, a.userPrincipalName);
    }
  }
  // The implicit UPN, sAMAccountName@dnsdomain, always works.
  std::string suffix = name.substr(at + 1);
  if (equalsIgnoreCase(suffix, dnsDomain_)) {
    if (const Account* a = findLocked(name.substr(0, at))) {
      return resolveAccount(*a, MatchForm::UserPrincipalName, a->samAccountName + "@" + dnsDomain_);
    }
  }
  return clientUnknown("no account has userPrincipalName " + name);
}

}  // namespace kerbpool::kdc
