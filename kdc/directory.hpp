#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.hpp"
#include "core/crypto/enctype.hpp"
#include "kdc/account.hpp"
#include "kdc/directory_error.hpp"
#include "kdc/event_log.hpp"
#include "kdc/spn.hpp"

namespace kerbpool::kdc {

// How a name was found.
enum class MatchForm {
  SamAccountName,        // "alice", "FE01$"
  UserPrincipalName,     // "alice@contoso.test" (explicit or implicit UPN)
  ServicePrincipalName,  // "HTTP/pool.contoso.test"
  HostAlias,             // "HTTP/fe01.contoso.test" found as "HOST/fe01.contoso.test" through sPNMappings
  Krbtgt,                // "krbtgt/CONTOSO.TEST"
};
std::string_view toString(MatchForm form);

// What a principal name resolved to: the holding account and its CURRENT keys.
struct Resolution {
  std::string samAccountName;  // the holder, as written in the directory
  std::string distinguishedName;
  AccountKind kind = AccountKind::User;
  bool enabled = true;
  MatchForm form = MatchForm::SamAccountName;
  std::string matchedName;  // the directory value that matched ("HOST/fe01.contoso.test" for an alias)
  std::string salt;         // for ETYPE-INFO2
  std::uint32_t kvno = 0;   // msDS-KeyVersionNumber of the keys below
  // The mask the KDC applied: the account's msDS-SupportedEncryptionTypes, or DefaultDomainSupportedEncTypes
  // when the account has none (fromDomainDefault).
  std::uint32_t supportedEncryptionTypes = 0;
  bool fromDomainDefault = false;
  // The mask allows AES session keys whatever the ticket's enctype (0x20, as in DDSET's 0x27).
  bool aesSessionKeys = false;
  std::vector<std::string> memberOf;
  // Current keys for the account's supported enctypes, strongest first.
  std::vector<core::crypto::Key> keys;
  // The first enctype of the request's list (its preference order) that the account supports, or the
  // strongest supported one when the request named none.
  core::crypto::Key key;

  const core::crypto::Key* keyFor(std::int32_t enctype) const;
};

// setspn's outcomes.
enum class SpnOutcome {
  Added,             // -A / -S: value added
  AlreadyPresent,    // -A / -S: the account already holds it; nothing changed
  RefusedDuplicate,  // -S: another account holds it; nothing changed
  RefusedNotUnique,  // -A: the DC refused the write, another account holds it (0x21C7, 2012 R2 and later)
  Removed,           // -D
  NotPresent,        // -D: the account does not hold it; nothing changed
};
std::string_view toString(SpnOutcome outcome);

struct SpnChange {
  SpnOutcome outcome = SpnOutcome::Added;
  std::string account;               // sAMAccountName of the target
  std::string spn;                   // as written by the caller
  std::vector<std::string> holders;  // Refused*: the accounts that hold it already; Added: the others that
                                     // held it before (the write made a duplicate)
  std::vector<std::string> output;   // setspn-like console lines
};

// What the DC taking an SPN write checks. Since Windows Server 2012 R2 a DC refuses an originating write
// that would put an SPN already held by another account anywhere in the forest (ERROR_DS_SPN_VALUE_NOT_
// UNIQUE_IN_FOREST, 0x21C7 / 8647, and Directory Service event 2974), unless character 21 of dSHeuristics
// turns the check off. Older DCs write the value without looking.
struct SpnWriteCheck {
  bool forestUnique = false;
  std::string dcName = "DC01";  // named in event 2974
};

// Wordings of the KDC's event 11. Windows Server 2003's KDC (source KDC) says "There are multiple accounts
// with name ..."; 2008 and later (source Microsoft-Windows-Kerberos-Key-Distribution-Center) say "The KDC
// encountered duplicate names ...".
enum class KdcEventWording { Windows2003, Windows2008 };

struct SpnListing {
  std::string account;
  std::vector<std::string> spns;
  std::vector<std::string> output;
};

struct SpnHolder {
  std::string samAccountName;
  std::string distinguishedName;
};

struct SpnQuery {
  std::string spn;
  std::vector<SpnHolder> holders;  // every account holding it, case-insensitively; sorted by sAMAccountName
  std::vector<std::string> output;
};

struct DuplicateSpn {
  std::string spn;                 // as written on the first holder
  std::vector<SpnHolder> holders;  // two or more
};

struct DuplicateReport {
  std::vector<DuplicateSpn> duplicates;
  std::vector<std::string> output;
};

// A site and its shared Kerberos account (Lync's Set-CsKerberosAccountAssignment).
struct Site {
  std::string name;
  std::optional<std::string> kerberosAccount;  // sAMAccountName
};

// One key a front-end node holds (one keytab entry): the names it is good for, the version, the key.
struct HeldKey {
  std::string account;  // "FE01$" or "POOLKERB$"
  std::vector<std::string>
      principalNames;  // "HOST/fe01.contoso.test", "HTTP/fe01.contoso.test", "FE01$", ...
  std::uint32_t kvno = 0;
  core::crypto::Key key;
};

// The directory of the simulated domain controller: accounts and their keys, SPNs (setspn), name
// resolution as Active Directory's KDC does it, sites, and the key distribution to front-end nodes.
// Thread-safe: reads run concurrently under a shared lock, changes take it exclusively.
class Directory {
 public:
  // realm is stored upper case ("CONTOSO.TEST") and the DNS domain lower case ("contoso.test").
  // The krbtgt account exists from the start (disabled, as in AD) but has no keys until setKrbtgtPassword.
  Directory(std::string_view realm, EventLog& events);

  const std::string& realm() const { return realm_; }
  const std::string& dnsDomain() const { return dnsDomain_; }
  const std::string& baseDn() const { return baseDn_; }  // "DC=contoso,DC=test"

  // --- accounts (directory.cpp) ---
  core::Status addAccount(const AccountSpec& spec);
  core::Status removeAccount(std::string_view sam);
  // Derives one key per enctype in directoryKeyEnctypes() with the account's AD salt, increments
  // msDS-KeyVersionNumber (1 after the first set) and keeps the previous versions in the key history.
  // Returns the new kvno. The password is not retained.
  core::Result<std::uint32_t> setPassword(std::string_view sam, std::string_view password);
  // Whether a password set derives AES keys. A domain below the Windows Server 2008 functional level
  // derives RC4 only; raising the level changes no existing key: an account keeps RC4 only until its
  // password is set again. Default: true.
  void setDerivesAesKeys(bool derive);
  bool derivesAesKeys() const;
  // The KDC's DefaultDomainSupportedEncTypes (HKLM\...\services\KDC): the mask for every account without
  // msDS-SupportedEncryptionTypes of its own. Default 0x18, AES only (KB5073381); 0x27 before it. kerbpool
  // applies one value to every DC of the domain, as a GPO or a script would.
  void setDefaultDomainSupportedEncTypes(std::uint32_t mask);
  std::uint32_t defaultDomainSupportedEncTypes() const;
  // The mask the KDC applies to this account: its own attribute, or the domain default when it has none.
  std::uint32_t effectiveEncryptionTypes(const Account& account) const;
  core::Result<std::uint32_t> setKrbtgtPassword(std::string_view password);
  core::Status setEnabled(std::string_view sam, bool enabled);
  core::Status setSupportedEncryptionTypes(std::string_view sam, std::uint32_t mask);
  core::Status addToGroup(std::string_view sam, std::string_view group);
  core::Status setSite(std::string_view sam, std::string_view site);

  std::optional<Account> account(std::string_view sam) const;  // a copy
  std::vector<std::string> accountNames() const;               // sorted case-insensitively
  // A key of any retained version (TGS: a TGT sealed under the previous krbtgt key).
  core::Result<core::crypto::Key> key(std::string_view sam, std::uint32_t kvno, std::int32_t enctype) const;

  // --- setspn (directory_setspn.cpp) ---
  // -A: no look-up before the write; the DC's own check (`check`) may still refuse it.
  core::Result<SpnChange> addSpn(std::string_view sam, std::string_view spn, const SpnWriteCheck& check = {});
  core::Result<SpnChange> addSpnChecked(std::string_view sam, std::string_view spn);  // -S
  core::Result<SpnChange> deleteSpn(std::string_view sam, std::string_view spn);      // -D
  core::Result<SpnListing> listSpns(std::string_view sam) const;                      // -L
  SpnQuery querySpn(std::string_view spn) const;                                      // -Q
  DuplicateReport findDuplicates() const;                                             // -X

  void setKdcEventWording(KdcEventWording wording);

  // --- resolution (directory_resolve.cpp) ---
  // The service a TGS-REQ names. One component: sAMAccountName, then UPN. "krbtgt/<realm>": the krbtgt.
  // Otherwise the components joined with '/' are matched case-insensitively against every SPN; two or more
  // holders fail with duplicate_spn (KDC_ERR_S_PRINCIPAL_UNKNOWN) and log event 11 naming them all; none ->
  // the same lookup with the service class replaced by its sPNMappings target (HOST), duplicates included;
  // still none -> service_principal_unknown. requestedEnctypes is the request's etype list, in its order.
  core::Result<Resolution> resolveService(const std::vector<std::string>& nameComponents,
                                          const std::vector<std::int32_t>& requestedEnctypes = {}) const;
  // The client of an AS-REQ: sAMAccountName (case-insensitive), explicit UPN, implicit UPN (sam@dnsdomain);
  // several components: an SPN (unique holder). Unknown -> client_principal_unknown
  // (KDC_ERR_C_PRINCIPAL_UNKNOWN).
  core::Result<Resolution> lookupClient(const std::vector<std::string>& nameComponents,
                                        const std::vector<std::int32_t>& requestedEnctypes = {}) const;

  void setSpnMappings(SpnMappings mappings);
  SpnMappings spnMappings() const;

  // --- sites and key distribution (directory_sites.cpp) ---
  core::Status addSite(std::string_view name);
  std::vector<Site> sites() const;
  std::optional<Site> site(std::string_view name) const;
  // Computer accounts whose site is `name`, sorted.
  std::vector<std::string> nodesOf(std::string_view name) const;
  // Set-CsKerberosAccountAssignment: the site's front-ends share this account's key.
  core::Status assignKerberosAccount(std::string_view site, std::string_view sam);

  // The node (a computer account) receives the account's CURRENT keys and keeps every version it has been
  // given before: what a password roll that reached this node leaves on it.
  core::Status deliverKeys(std::string_view sam, std::string_view node);
  // deliverKeys(site's Kerberos account, n) for every node of the site; returns the nodes reached.
  core::Result<std::vector<std::string>> deliverKeysToSite(std::string_view site);
  // Every key the node holds: its own computer account's current and previous versions (what Windows keeps
  // as the machine password and the old one), named by its SPNs, their HTTP forms for HOST SPNs and its
  // sAMAccountName; then every delivered version of every shared account (accounts in name order), named by
  // that account's current SPNs and sAMAccountName. One entry per (account, kvno, enctype), kvno ascending.
  core::Result<std::vector<HeldKey>> keysHeldBy(std::string_view node) const;
  // The kvnos of `sam` delivered to `node`, ascending.
  std::vector<std::uint32_t> deliveredKvnos(std::string_view sam, std::string_view node) const;

 private:
  // Callers hold mutex_.
  Account* findLocked(std::string_view sam);
  const Account* findLocked(std::string_view sam) const;
  std::vector<const Account*> spnHoldersLocked(std::string_view spn) const;
  core::Result<Resolution> resolveSpnLocked(const std::string& spn,
                                            const std::vector<std::int32_t>& requestedEnctypes,
                                            bool allowAlias) const;
  core::Result<Resolution> makeResolution(const Account& account, MatchForm form, std::string matchedName,
                                          const std::vector<std::int32_t>& requestedEnctypes) const;
  // With the enctype mask given: `mask` picks the keys (an account as a client may use any key it has).
  core::Result<Resolution> makeResolution(const Account& account, MatchForm form, std::string matchedName,
                                          const std::vector<std::int32_t>& requestedEnctypes,
                                          std::uint32_t mask, bool fromDomainDefault) const;
  void logDuplicate(const std::string& spn, const std::vector<const Account*>& holders) const;
  std::string distinguishedNameFor(const AccountSpec& spec, ObjectClass objectClass) const;

  std::string realm_;
  std::string dnsDomain_;
  std::string baseDn_;
  EventLog& events_;
  mutable std::shared_mutex mutex_;
  std::map<std::string, Account> accounts_;  // lower-case sAMAccountName -> account
  std::map<std::string, Site> sites_;        // lower-case name -> site
  // lower-case node sam -> lower-case account sam -> delivered key versions
  std::map<std::string, std::map<std::string, std::vector<KeySet>>> delivered_;
  SpnMappings spnMappings_ = SpnMappings::activeDirectoryDefault();
  KdcEventWording kdcEventWording_ = KdcEventWording::Windows2008;
  bool derivesAesKeys_ = true;
  std::uint32_t defaultDomainSupportedEncTypes_ = supported_enctypes::kDefaultDomainSupported;
};

}  // namespace kerbpool::kdc
