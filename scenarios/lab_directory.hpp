#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/clock.hpp"
#include "core/common/result.hpp"
#include "kdc/directory.hpp"
#include "kdc/event_log.hpp"
#include "scenarios/scenario.hpp"

// The scenario's domain: the realm built from the scenario, then the admin's steps applied one after the
// other (setspn, New-CsKerberosAccount, ...), each leaving the console lines an admin would have seen. The
// runner keeps one for the whole run (timeline events change it too); `kerbpool setspn` and
// `kerbpool test-assignment` build one without starting anything.
namespace kerbpool::scenarios {

// One admin step and what the console showed.
struct AdminStep {
  std::string command;              // "setspn -A HTTP/pool.contoso.test FE01$"
  std::vector<std::string> output;  // the tool's lines
  bool keysChanged = false;         // a node's keys may differ afterwards (reload the nodes)
};

class LabDirectory {
 public:
  // The realm (scenario.realmJson) and every operation of the scenario, in order. Errors: the realm's
  // (Config bad_realm_file) and the first operation that fails, prefixed with its JSON path.
  static core::Result<std::unique_ptr<LabDirectory>> build(const Scenario& scenario,
                                                           const core::Clock& clock);

  kdc::Directory& directory() { return *directory_; }
  const kdc::Directory& directory() const { return *directory_; }
  kdc::EventLog& events() { return *events_; }
  const Scenario& scenario() const { return scenario_; }
  // Every step so far, the set-up's and the timeline's.
  const std::vector<AdminStep>& steps() const { return steps_; }

  // "fe01" -> "FE01$".
  static std::string computerAccount(std::string_view node);

  core::Result<AdminStep> apply(const DirectoryOperation& op);
  // A password roll of `account` (a generated password, kvno + 1); the new keys reach `reach` (node names)
  // or every node of the site the account serves (nobody else needs them for a node's own account).
  core::Result<AdminStep> rollPassword(const std::string& account,
                                       const std::optional<std::vector<std::string>>& reach);
  // How a duplicate of `spn` got into the directory (the first write that made one: which DC took it and why
  // it did not refuse), in plain words; nullopt when no write of this lab made one.
  struct DuplicateOrigin {
    std::string how;  // "The duplicate got in when ..."
    std::string fix;  // what keeps it from coming back: "restore the check: ..."
  };
  std::optional<DuplicateOrigin> duplicateOrigin(std::string_view spn) const;
  // The DC an operation's write goes to: the one named (any case), else the first.
  const DomainControllerSpec& domainController(const std::string& name) const;

  // The fix: HTTP/<pool fqdn> removed from every other account (setspn -D), `account` created when missing
  // (with the SPN), assigned to the pool's site, its password set and delivered to every node. Several steps.
  // Exchange: the ASA created when missing (New-ADComputer), every name of the array registered on it
  // (setspn -S), then RollAlternateServiceAccountPassword.ps1 -ToArrayMembers.
  core::Result<std::vector<AdminStep>> applyFix(const std::string& account);

  // Exchange's RollAlternateServiceAccountPassword.ps1 (op.kind RollAsaPassword): `down` names the CAS
  // servers the script cannot reach (their credential stays as it was).
  core::Result<AdminStep> rollAsaPassword(const DirectoryOperation& op, const std::vector<std::string>& down);
  // The SPNs a CAS array's ASA holds: HTTP/ for the array and each name pointing at the load balancer, and
  // exchangeMDB/, exchangeRFR/, exchangeAB/ for the array (Outlook's RPC endpoints).
  std::vector<std::string> casArraySpns() const;
  // One CAS server's AlternateServiceAccountConfiguration (Get-ClientAccessServer
  // -IncludeAlternateServiceAccountCredentialStatus): the latest and previous credentials it holds.
  struct AsaCredential {
    std::string account;
    std::uint32_t kvno = 0;
    core::TimePoint when;
  };
  struct AsaStatus {
    std::optional<AsaCredential> latest;
    std::optional<AsaCredential> previous;
  };
  AsaStatus asaStatus(const std::string& node) const;
  // Get-ClientAccessServer -IncludeAlternateServiceAccountCredentialStatus | Format-List Name,
  // AlternateServiceAccountConfiguration: its lines, one block per CAS server.
  std::vector<std::string> clientAccessServerStatus() const;
  // The script's command line for `op` (".\\RollAlternateServiceAccountPassword.ps1 -ToArrayMembers ...").
  // Needs no directory: `kerbpool show` prints it without building one.
  static std::string asaRollCommand(const Scenario& scenario, const DirectoryOperation& op);

 private:
  LabDirectory(Scenario scenario, const core::Clock& clock, std::unique_ptr<kdc::EventLog> events,
               std::unique_ptr<kdc::Directory> directory);
  core::Result<AdminStep> setspn(std::string_view flag, const std::string& account, const std::string& spn,
                                 const std::string& dc = "");
  core::Result<AdminStep> setDsHeuristics(const std::string& value);
  core::Result<AdminStep> setDomainFunctionalLevel(const std::string& level);
  core::Result<AdminStep> setDefaultDomainSupportedEncTypes(const std::string& value);
  // What the DC named checks before an SPN write (2012 R2 and later: forest-wide uniqueness, unless
  // dSHeuristics turns it off).
  kdc::SpnWriteCheck spnWriteCheck(const std::string& dc) const;
  bool spnUniquenessBypassed() const;
  // After a write that made a duplicate: remembers how.
  void noteDuplicate(const kdc::SpnChange& change, const std::string& dc);
  core::Result<AdminStep> createKerberosAccount(const std::string& account, const std::string& site);
  core::Result<AdminStep> newClientAccessArray(const DirectoryOperation& op);
  core::Result<AdminStep> newAsaComputer(const std::string& account);
  core::Result<AdminStep> getClientAccessServer();
  core::Result<AdminStep> assign(const std::string& account, const std::string& site);
  core::Result<AdminStep> setAccountPassword(const std::string& account, const std::string& password,
                                             const std::optional<std::vector<std::string>>& reach,
                                             std::string command);
  std::string nextPassword(const std::string& account);
  // A computer object for a service (Lync's Kerberos account, Exchange's ASA) with a first password of its
  // own; returns its kvno (1).
  core::Result<std::uint32_t> newServiceComputer(const std::string& account);
  AdminStep record(AdminStep step);

  const Scenario scenario_;
  const core::Clock& clock_;
  std::unique_ptr<kdc::EventLog> events_;
  std::unique_ptr<kdc::Directory> directory_;
  std::vector<AdminStep> steps_;
  int passwordsMade_ = 0;
  std::string dsHeuristics_;                                 // forest-wide (CN=Directory Service)
  std::map<std::string, DuplicateOrigin> duplicateOrigins_;  // lower-case SPN -> how its duplicate arose
  std::map<std::string, AsaStatus> asaStatus_;               // node -> its ASA credentials (Exchange)
};

}  // namespace kerbpool::scenarios
