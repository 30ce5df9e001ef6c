#pragma once

#include <string>
#include <vector>

#include "core/common/result.hpp"
#include "lab/state_store.hpp"

// `kerbpool lab --state DIR Get-WinEvent [-ComputerName NAME] [-Id N] [-MaxEvents N]`: the lab's event logs
// as kept in its state, newest first, in the columns an admin reads in PowerShell (TimeCreated, Id,
// MachineName, ProviderName, Message) plus the lab run that logged each. Answered from the state, so it also
// reads the logs of a lab that is not running.
namespace kerbpool::lab {

// argv[0] is "Get-WinEvent" (any case). Errors: Config "bad_get_winevent" naming the parameter. -Id is
// kerbpool's short form of -FilterHashtable @{Id=N}, which is also accepted.
core::Result<EventQuery> parseGetWinEvent(const std::vector<std::string>& argv);

// The table (times in UTC), or Get-WinEvent's own words when nothing matches.
std::vector<std::string> formatWinEvents(const std::vector<StoredEvent>& events);

}  // namespace kerbpool::lab
