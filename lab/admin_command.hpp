#pragma once

#include <string>
#include <vector>

#include "scenarios/pool_world.hpp"

// The admin's commands against a running lab (`kerbpool lab --state DIR COMMAND...`), in the words an admin
// types on Windows:
//   setspn -A|-S|-D SPN ACCOUNT, setspn -L ACCOUNT, setspn -Q SPN, setspn -X
//   New-CsKerberosAccount -UserAccount DOMAIN\NAME, New-CsKerberosAccountAssignment -UserAccount DOMAIN\NAME
//   [-Identity site:SITE], Set-CsKerberosAccountPassword [-UserAccount DOMAIN\NAME],
//   Test-CsKerberosAccountAssignment
//   iisreset [NODE], node-down NODE, node-up NODE, clock-drift NODE SECONDS
//   reg add [\\NODE\]HKLM\SYSTEM\CurrentControlSet\Services\Netlogon\Parameters /v MaxConcurrentApi /t
//   REG_DWORD /d N /f (every node without \\NODE)
// Directory commands and registry changes persist (they are replayed when the lab restarts on its state);
// the others act on the running servers or only read.
namespace kerbpool::lab {

struct AdminOutcome {
  bool ok = false;
  bool changesDirectory = false;  // replayed on restart
  std::vector<std::string> output;
};

// Parses and applies `argv` to the running pool. Never throws: a bad command is refused with the tool's own
// error text (setspn's "Unable to locate account X"), or a usage line.
AdminOutcome runAdminCommand(const std::vector<std::string>& argv, scenarios::PoolWorld& world);

// Whether `argv` changes the directory (what a restart replays), without running it.
bool changesDirectory(const std::vector<std::string>& argv);
// Whether the command can change the pool's web ticket keys (Set-CsCertificate -Type OAuthTokenIssuer).
bool changesWebTicketKeys(const std::vector<std::string>& argv);

}  // namespace kerbpool::lab
