#pragma once

#include <string>
#include <vector>

#include "scenarios/lab_directory.hpp"

// Lync's Test-CsKerberosAccountAssignment, against a scenario's directory: does the pool's site have a
// Kerberos account, does it hold the pool's SPNs (and nobody else), and does every node hold its current key?
namespace kerbpool::scenarios {

struct AssignmentCheck {
  bool passed = false;
  std::string text;  // one sentence in plain words
};

struct AssignmentReport {
  std::vector<AssignmentCheck> checks;
  bool passed() const;
};

AssignmentReport testKerberosAccountAssignment(const LabDirectory& lab);

}  // namespace kerbpool::scenarios
