#pragma once

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
  // The fix: HTTP/<pool fqdn> removed from every other account (setspn -D), `account` created when missing
  // (with the SPN), assigned to the pool's site, its password set and delivered to every node. Several steps.
  core::Result<std::vector<AdminStep>> applyFix(const std::string& account);

 private:
  LabDirectory(Scenario scenario, std::unique_ptr<kdc::EventLog> events,
               std::unique_ptr<kdc::Directory> directory);
  core::Result<AdminStep> setspn(std::string_view flag, const std::string& account, const std::string& spn);
  core::Result<AdminStep> createKerberosAccount(const std::string& account, const std::string& site);
  core::Result<AdminStep> assign(const std::string& account, const std::string& site);
  core::Result<AdminStep> setAccountPassword(const std::string& account, const std::string& password,
                                             const std::optional<std::vector<std::string>>& reach,
                                             std::string command);
  std::string nextPassword(const std::string& account);
  AdminStep record(AdminStep step);

  const Scenario scenario_;
  std::unique_ptr<kdc::EventLog> events_;
  std::unique_ptr<kdc::Directory> directory_;
  std::vector<AdminStep> steps_;
  int passwordsMade_ = 0;
};

}  // namespace kerbpool::scenarios
