#pragma once

#include <string>

#include "core/common/clock.hpp"

namespace kerbpool::core {

// How Windows' en-US tools print a time (Exchange's cmdlets, Get-WinEvent's TimeCreated), in UTC:
// "12/4/2026 8:49:47 AM".
std::string windowsUsTime(TimePoint when);

}  // namespace kerbpool::core
