#include "scenarios/product_words.hpp"

#include <algorithm>
#include <cctype>

#include "core/common/http_text.hpp"

namespace kerbpool::scenarios::words {

namespace {

bool exchange(const Scenario& s) {
  return s.product == Product::Exchange;
}

// "CONTOSO.TEST" -> "CONTOSO".
std::string netbios(const Scenario& s) {
  return core::toUpperAscii(s.realmName.substr(0, s.realmName.find('.')));
}

}  // namespace

std::string defaultSharedAccount(const Scenario& s) {
  return exchange(s) ? "EXCH2010-ASA$" : "POOLKERB$";
}

std::string sharedAccountNoun(const Scenario& s) {
  return exchange(s) ? "the Alternate Service Account (ASA) of the CAS array " + s.pool.fqdn
                     : "the shared Kerberos account of site " + s.pool.site;
}

std::string createAndShare(const Scenario& s) {
  if (exchange(s)) {
    return "create one Alternate Service Account (New-ADComputer -Name " +
           defaultSharedAccount(s).substr(0, defaultSharedAccount(s).size() - 1) +
           "), register the array's names on it (setspn -S HTTP/" + s.pool.fqdn +
           ", the autodiscover name and exchangeMDB/exchangeRFR/exchangeAB) and push its credential to every "
           "member (.\\RollAlternateServiceAccountPassword.ps1 -ToArrayMembers " +
           s.pool.fqdn + " -GenerateNewPasswordFor " + netbios(s) + "\\" + defaultSharedAccount(s) +
           ") so that every Client Access server holds its key";
  }
  return "create one shared Kerberos account (New-CsKerberosAccount), assign it to site " + s.pool.site +
         " (New-CsKerberosAccountAssignment, then Enable-CsTopology) and set its password "
         "(Set-CsKerberosAccountPassword) so that every node holds its key";
}

std::string shareExisting(const Scenario& s, const std::string& holder) {
  if (exchange(s)) {
    return "Make " + holder +
           " the array's Alternate Service Account: push its credential to every member "
           "(.\\RollAlternateServiceAccountPassword.ps1 -ToArrayMembers " +
           s.pool.fqdn + " -GenerateNewPasswordFor " + netbios(s) + "\\" + holder + ").";
  }
  return "Assign " + holder + " to site " + s.pool.site +
         " (New-CsKerberosAccountAssignment, then Enable-CsTopology) and set its password "
         "(Set-CsKerberosAccountPassword).";
}

std::string copyCredential(const Scenario& s, const std::string& from, const std::string& to) {
  const std::string domain = [&] {
    std::string d = s.realmName;
    std::transform(d.begin(), d.end(), d.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return d;
  }();
  if (exchange(s)) {
    return ".\\RollAlternateServiceAccountPassword.ps1 -ToSpecificServers " + core::toUpperAscii(to) +
           " -CopyFrom " +
           (from.empty() ? std::string("<a server with the credential>") : core::toUpperAscii(from));
  }
  return "Set-CsKerberosAccountPassword -FromComputer " +
         (from.empty() ? std::string("<a node with the key>") : from + "." + domain) + " -ToComputer " + to +
         "." + domain;
}

std::string verifyCommand(const Scenario& s) {
  return exchange(s) ? "Get-ClientAccessServer -IncludeAlternateServiceAccountCredentialStatus | Format-List "
                       "Name, AlternateServiceAccountConfiguration"
                     : "Test-CsKerberosAccountAssignment -Report";
}

std::string newPasswordCommand(const Scenario& s, const std::string& account) {
  return exchange(s) ? ".\\RollAlternateServiceAccountPassword.ps1 -ToArrayMembers " + s.pool.fqdn +
                           " -GenerateNewPasswordFor " + netbios(s) + "\\" + account
                     : "Set-CsKerberosAccountPassword";
}

}  // namespace kerbpool::scenarios::words
