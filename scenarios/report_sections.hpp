#pragma once

#include <string>

#include "scenarios/scenario_runner.hpp"

// The two long parts of formatReport (report.cpp), one file each.
namespace kerbpool::scenarios::report_sections {

// The story in words (report_narrative.cpp): the title, the admin's set-up, the lab, each phase with its
// diagnosis, then Kerberos against NTLM.
std::string narrative(const RunReport& r);
// The tables (report_tables.cpp): outcomes per phase, node, profile and host name; the KDC; Netlogon; the
// DCs' events; latency.
std::string tables(const RunReport& r);

}  // namespace kerbpool::scenarios::report_sections
