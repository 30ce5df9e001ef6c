// setspn on the simulated directory: -A (add, no check), -S (add after a forest-wide duplicate check),
// -D, -L, -Q, -X. The console lines imitate setspn.exe's.
#include <algorithm>
#include <mutex>

#include "kdc/directory.hpp"
#include "kdc/event_log.hpp"
#include "kdc/name_case.hpp"

namespace kerbpool::kdc {

namespace {

using core::ErrorCategory;
using core::makeError;

bool holds(const Account& a, std::string_view spn) {
  return std::any_of(a.servicePrincipalNames.begin(), a.servicePrincipalNames.end(),
                     [&](const std::string& s) { return equalsIgnoreCase(s, spn); });
}

std::vector<std::string> registeredLines(const Account& a) {
  std::vector<std::string> lines{"Registering ServicePrincipalNames for " + a.distinguishedName};
  return lines;
}

}  // namespace

std::string_view toString(SpnOutcome outcome) {
  switch (outcome) {
    case SpnOutcome::Added:
      return "added";
    case SpnOutcome::AlreadyPresent:
      return "already_present";
    case SpnOutcome::RefusedDuplicate:
      return "refused_duplicate";
    case SpnOutcome::RefusedNotUnique:
      return "refused_not_unique";
    case SpnOutcome::Removed:
      return "removed";
    case SpnOutcome::NotPresent:
      return "not_present";
  }
  return "unknown";
}

std::vector<const Account*> Directory::spnHoldersLocked(std::string_view spn) const {
  std::vector<const Account*> out;
  for (const auto& [_, a] : accounts_) {
    if (holds(a, spn)) {
      out.push_back(&a);
    }
  }
  return out;
}

core::Result<SpnChange> Directory::addSpn(std::string_view sam, std::string_view spn,
                                          const SpnWriteCheck& check) {
  KP_CHECK(parseSpn(spn));
  std::unique_lock lock(mutex_);
  Account* a = findLocked(sam);
  if (a == nullptr) {
    return noSuchAccountError(sam);
  }
  SpnChange change;
  change.account = a->samAccountName;
  change.spn = std::string(spn);
  change.output = registeredLines(*a);
  change.output.push_back("\t" + change.spn);
  if (holds(*a, spn)) {
    change.outcome = SpnOutcome::AlreadyPresent;
    change.output.push_back("Duplicate SPN found on the object itself: nothing to do");
    return change;
  }
  std::vector<const Account*> others;
  for (const Account* h : spnHoldersLocked(spn)) {
    if (h != a) {
      others.push_back(h);
      change.holders.push_back(h->samAccountName);
    }
  }
  if (check.forestUnique && !others.empty()) {
    // The DC's uniqueness check: the LDAP modify fails with constraintViolation (problem 1005) and
    // ERROR_DS_SPN_VALUE_NOT_UNIQUE_IN_FOREST; setspn prints the Win32 error.
    change.outcome = SpnOutcome::RefusedNotUnique;
    change.output.push_back("Failed to assign SPN on account '" + a->distinguishedName +
                            "', error 0x21c7/8647 -> The operation failed because SPN value provided for "
                            "addition/modification is not unique forest-wide.");
    std::string conflicting;
    for (const Account* h : others) {
      conflicting += (conflicting.empty() ? "" : "; ") + h->distinguishedName;
    }
    events_.append(event_id::kValueNotUnique, event_source::kDirectoryService,
                   {{"Attribute", "servicePrincipalName"},
                    {"Value", change.spn},
                    {"Object", a->distinguishedName},
                    {"ConflictingObjects", conflicting},
                    {"DomainController", check.dcName},
                    {"Winerror", "8647"}},
                   "The attribute value provided is not unique in the forest or partition. Attribute: "
                   "servicePrincipalName Value=" +
                       change.spn + " " + a->distinguishedName + " Winerror: 8647");
    return change;
  }
  a->servicePrincipalNames.push_back(change.spn);
  change.outcome = SpnOutcome::Added;
  change.output.push_back("Updated object");
  return change;
}

core::Result<SpnChange> Directory::addSpnChecked(std::string_view sam, std::string_view spn) {
  KP_CHECK(parseSpn(spn));
  std::unique_lock lock(mutex_);
  Account* a = findLocked(sam);
  if (a == nullptr) {
    return noSuchAccountError(sam);
  }
  SpnChange change;
  change.account = a->samAccountName;
  change.spn = std::string(spn);
  change.output.push_back("Checking domain " + baseDn_);
  std::vector<const Account*> others;
  for (const Account* h : spnHoldersLocked(spn)) {
    if (h != a) {
      others.push_back(h);
    }
  }
  if (!others.empty()) {
    change.outcome = SpnOutcome::RefusedDuplicate;
    for (const Account* h : others) {
      change.holders.push_back(h->samAccountName);
      change.output.push_back(h->distinguishedName);
      for (const auto& s : h->servicePrincipalNames) {
        if (equalsIgnoreCase(s, spn)) {
          change.output.push_back("\t" + s);
        }
      }
    }
    change.output.push_back("");
    change.output.push_back("Duplicate SPN found, aborting operation!");
    return change;
  }
  change.output.push_back("");
  if (holds(*a, spn)) {
    change.outcome = SpnOutcome::AlreadyPresent;
    change.output.push_back(a->distinguishedName);
    change.output.push_back("\t" + change.spn);
    change.output.push_back("");
    change.output.push_back("Duplicate SPN found on the object itself: nothing to do");
    return change;
  }
  for (auto& line : registeredLines(*a)) {
    change.output.push_back(std::move(line));
  }
  change.output.push_back("\t" + change.spn);
  a->servicePrincipalNames.push_back(change.spn);
  change.outcome = SpnOutcome::Added;
  change.output.push_back("Updated object");
  return change;
}

core::Result<SpnChange> Directory::deleteSpn(std::string_view sam, std::string_view spn) {
  std::unique_lock lock(mutex_);
  Account* a = findLocked(sam);
  if (a == nullptr) {
    return noSuchAccountError(sam);
  }
  SpnChange change;
  change.account = a->samAccountName;
  change.spn = std::string(spn);
  change.output.push_back("Unregistering ServicePrincipalNames for " + a->distinguishedName);
  change.output.push_back("\t" + change.spn);
  auto& spns = a->servicePrincipalNames;
  auto it =
      std::find_if(spns.begin(), spns.end(), [&](const std::string& s) { return equalsIgnoreCase(s, spn); });
  if (it == spns.end()) {
    change.outcome = SpnOutcome::NotPresent;
    change.output.push_back("The account does not hold this SPN: nothing to do");
    return change;
  }
  spns.erase(it);
  change.outcome = SpnOutcome::Removed;
  change.output.push_back("Updated object");
  return change;
}

core::Result<SpnListing> Directory::listSpns(std::string_view sam) const {
  std::shared_lock lock(mutex_);
  const Account* a = findLocked(sam);
  if (a == nullptr) {
    return noSuchAccountError(sam);
  }
  SpnListing listing;
  listing.account = a->samAccountName;
  listing.spns = a->servicePrincipalNames;
  listing.output.push_back("Registered ServicePrincipalNames for " + a->distinguishedName + ":");
  for (const auto& s : listing.spns) {
    listing.output.push_back("\t" + s);
  }
  return listing;
}

SpnQuery Directory::querySpn(std::string_view spn) const {
  std::shared_lock lock(mutex_);
  SpnQuery q;
  q.spn = std::string(spn);
  q.output.push_back("Checking domain " + baseDn_);
  for (const Account* h : spnHoldersLocked(spn)) {
    q.holders.push_back({h->samAccountName, h->distinguishedName});
    q.output.push_back(h->distinguishedName);
    for (const auto& s : h->servicePrincipalNames) {
      q.output.push_back("\t" + s);
    }
  }
  q.output.push_back("");
  q.output.push_back(q.holders.empty() ? "No such SPN found." : "Existing SPN found!");
  return q;
}

DuplicateReport Directory::findDuplicates() const {
  std::shared_lock lock(mutex_);
  DuplicateReport report;
  report.output.push_back("Checking domain " + baseDn_);
  report.output.push_back("Processing entry 0");
  // First spelling seen of each SPN (in account order), keyed case-insensitively.
  std::vector<std::string> order;
  std::map<std::string, std::vector<SpnHolder>> holders;
  std::map<std::string, std::string> spelling;
  for (const auto& [_, a] : accounts_) {
    for (const auto& s : a.servicePrincipalNames) {
      std::string key = spnMatchKey(s);
      auto& list = holders[key];
      if (list.empty()) {
        order.push_back(key);
        spelling[key] = s;
      }
      // Capture the name, not the structured binding `a` (clang accepts binding captures only from 16).
      const std::string& sam = a.samAccountName;
      if (std::none_of(list.begin(), list.end(),
                       [&](const SpnHolder& h) { return h.samAccountName == sam; })) {
        list.push_back({a.samAccountName, a.distinguishedName});
      }
    }
  }
  for (const auto& key : order) {
    if (holders[key].size() < 2) {
      continue;
    }
    report.duplicates.push_back({spelling[key], holders[key]});
    report.output.push_back(spelling[key] + " is registered on these accounts:");
    for (const auto& h : holders[key]) {
      report.output.push_back("\t" + h.distinguishedName);
    }
    report.output.push_back("");
  }
  std::size_t n = report.duplicates.size();
  report.output.push_back("found " + std::to_string(n) + (n == 1 ? " group" : " groups") +
                          " of duplicate SPNs.");
  return report;
}

}  // namespace kerbpool::kdc
