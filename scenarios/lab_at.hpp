#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "core/common/clock.hpp"
#include "core/common/result.hpp"
#include "scenarios/lab_directory.hpp"

// The scenario's directory at a point of its timeline, without running anything: the set-up's operations,
// then the directory changes (password_roll, apply_fix) of the timeline events up to that point, in order,
// exactly as `kerbpool run` applies them. Node and clock events change no directory object and are skipped.
// `kerbpool setspn` and `kerbpool test-assignment` use it for --at start|end|PHASE.
namespace kerbpool::scenarios {

struct LabPoint {
  std::size_t eventsApplied = 0;  // timeline events taken into account (0 = start)
  std::string description;        // "end (after 1 timeline event: after the partial roll at 30 %)"
};

// "start" (the set-up only), "end" (every event; the default), a phase number (1 = before the first event,
// k = after event k-1) or an event's label ("after the partial roll", without case). Errors name the
// phases the scenario has.
core::Result<LabPoint> resolveLabPoint(const Scenario& scenario, const std::string& at);

// The directory at that point.
core::Result<std::unique_ptr<LabDirectory>> buildLabAt(const Scenario& scenario, const core::Clock& clock,
                                                       const LabPoint& point);

// Every phase of the scenario (phase 1 .. events + 1), each with its description.
std::vector<LabPoint> labPhases(const Scenario& scenario);

}  // namespace kerbpool::scenarios
