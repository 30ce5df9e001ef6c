#pragma once

#include <string>

#include "scenarios/scenario.hpp"

// The words of the scenario's product for what every pool has: the account the nodes share and the commands
// that create it, give it to the nodes and check it. Lync: the Kerberos account of a site
// (New-CsKerberosAccount...); Exchange: the Alternate Service Account of a CAS array
// (RollAlternateServiceAccountPassword.ps1...). The reports and fixes take their commands from here.
namespace kerbpool::scenarios::words {

// "POOLKERB$" | "EXCH2010-ASA$": the account a fix creates when the scenario names none.
std::string defaultSharedAccount(const Scenario& s);
// "the shared Kerberos account of site Site1" | "the Alternate Service Account (ASA) of the CAS array
// outlook.contoso.test".
std::string sharedAccountNoun(const Scenario& s);
// What to do when no account every node shares holds the pool's names (one clause, no full stop).
std::string createAndShare(const Scenario& s);
// How to make `holder`, an account that holds the names already, the one every node shares.
std::string shareExisting(const Scenario& s, const std::string& holder);
// The command that copies the current credential from node `from` to node `to` (a node that missed a roll).
std::string copyCredential(const Scenario& s, const std::string& from, const std::string& to);
// The command that checks the shared account on every node.
std::string verifyCommand(const Scenario& s);
// The command that sets the shared account's password again and delivers it to every node.
std::string newPasswordCommand(const Scenario& s, const std::string& account);

}  // namespace kerbpool::scenarios::words
