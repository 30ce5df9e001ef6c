#include "scenarios/assignment_check.hpp"

#include <algorithm>

#include "scenarios/diagnosis.hpp"

namespace kerbpool::scenarios {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

}  // namespace

bool AssignmentReport::passed() const {
  return std::all_of(checks.begin(), checks.end(), [](const AssignmentCheck& c) { return c.passed; });
}

AssignmentReport testKerberosAccountAssignment(const LabDirectory& lab) {
  const Scenario& s = lab.scenario();
  const kdc::Directory& dir = lab.directory();
  const bool exchange = s.product == Product::Exchange;
  // Lync checks the pool's HTTP SPN; Exchange's array needs every name clients use (autodiscover, mail) and
  // Outlook's RPC services on its ASA.
  const std::vector<std::string> spns =
      exchange ? lab.casArraySpns() : std::vector<std::string>{"HTTP/" + s.pool.fqdn};
  const std::string noun = exchange ? "Alternate Service Account" : "Kerberos account";
  AssignmentReport r;
  const auto site = dir.site(s.pool.site);
  if (!site || !site->kerberosAccount) {
    r.checks.push_back(
        {false, exchange ? "No CAS server of the array " + s.pool.fqdn +
                               " has an Alternate Service Account credential "
                               "(RollAlternateServiceAccountPassword.ps1 -ToArrayMembers)."
                         : "Site " + s.pool.site +
                               " has no Kerberos account assigned (New-CsKerberosAccountAssignment)."});
  } else {
    r.checks.push_back({true, exchange ? "The array " + s.pool.fqdn + " uses the Alternate Service Account " +
                                             *site->kerberosAccount + "."
                                       : "Site " + s.pool.site + " is assigned the Kerberos account " +
                                             *site->kerberosAccount + "."});
  }
  const std::string account = site && site->kerberosAccount ? *site->kerberosAccount : "";
  const auto a = account.empty() ? std::nullopt : dir.account(account);
  if (!account.empty()) {
    r.checks.push_back(
        {a.has_value(), a ? "The account " + account + " exists (" + a->distinguishedName + ")."
                          : "The account " + account + " does not exist in the directory."});
  }
  for (const auto& spn : spns) {
    std::vector<std::string> holders;
    for (const auto& h : dir.querySpn(spn).holders) {
      holders.push_back(h.samAccountName);
    }
    const bool holdsIt = a && std::any_of(holders.begin(), holders.end(),
                                          [&](const std::string& h) { return lower(h) == lower(account); });
    if (holders.empty()) {
      r.checks.push_back({false, "No account holds " + spn + ": clients get KDC_ERR_S_PRINCIPAL_UNKNOWN."});
    } else if (holders.size() > 1) {
      r.checks.push_back({false, spn + " is held by " + listInWords(holders) +
                                     " (duplicate SPN, event 11): the KDC refuses every ticket for it."});
    } else if (!holdsIt) {
      r.checks.push_back({false, spn + " is held by " + holders.front() + ", not by the " + noun +
                                     (account.empty() ? "" : " " + account) + "."});
    } else {
      r.checks.push_back({true, "The " + noun + " " + account + " alone holds " + spn + "."});
    }
  }
  if (a) {
    const std::uint32_t kvno = a->keyVersionNumber;
    if (kvno == 0) {
      r.checks.push_back(
          {false, "The account " + account + " has no password yet (" +
                      (exchange ? "RollAlternateServiceAccountPassword.ps1 -GenerateNewPasswordFor"
                                : "Set-CsKerberosAccountPassword") +
                      "): no key to share."});
    }
    for (const auto& node : s.pool.nodes) {
      const std::string sam = LabDirectory::computerAccount(node);
      const auto held = dir.deliveredKvnos(account, sam);
      const bool current = kvno != 0 && std::find(held.begin(), held.end(), kvno) != held.end();
      std::string text = (exchange ? "Client Access server " : "Node ") + node + " (" + sam + ") ";
      if (current) {
        text += "holds the current key of " + account + " (kvno " + std::to_string(kvno) + ").";
      } else if (held.empty()) {
        text += "holds no key of " + account + ": it cannot open tickets for " + spns.front() + ".";
      } else {
        text += "holds kvno " + std::to_string(held.back()) + " of " + account +
                " but not the current kvno " + std::to_string(kvno) +
                ": it refuses new tickets (no key with that kvno).";
      }
      r.checks.push_back({current, text});
    }
  }
  return r;
}

}  // namespace kerbpool::scenarios
