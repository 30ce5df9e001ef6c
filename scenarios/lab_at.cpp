#include "scenarios/lab_at.hpp"

#include <algorithm>
#include <cctype>

#include "core/common/result.hpp"

namespace kerbpool::scenarios {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string percent(double p) {
  const long long whole = static_cast<long long>(p);
  return (static_cast<double>(whole) == p ? std::to_string(whole) : std::to_string(p)) + " %";
}

std::string describe(const Scenario& s, std::size_t applied) {
  if (s.timeline.empty()) {
    return "the set-up (this scenario has no timeline)";
  }
  if (applied == 0) {
    return "phase 1, before the first timeline event (the set-up only)";
  }
  const auto& e = s.timeline[applied - 1];
  return "phase " + std::to_string(applied + 1) + ", " + e.label + " (after " + std::to_string(applied) +
         " of " + std::to_string(s.timeline.size()) + " timeline event" +
         (s.timeline.size() == 1 ? "" : "s") + "; the last at " + percent(e.atPercent) + " of the requests)";
}

bool isNumber(const std::string& s) {
  return !s.empty() && s.size() < 6 &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

}  // namespace

std::vector<LabPoint> labPhases(const Scenario& scenario) {
  std::vector<LabPoint> out;
  for (std::size_t i = 0; i <= scenario.timeline.size(); ++i) {
    out.push_back({i, describe(scenario, i)});
  }
  return out;
}

core::Result<LabPoint> resolveLabPoint(const Scenario& s, const std::string& at) {
  const std::string want = lower(at);
  const std::size_t events = s.timeline.size();
  if (want == "start") {
    return LabPoint{0, "start: " + describe(s, 0)};
  }
  if (want == "end" || want.empty()) {
    return LabPoint{events, "end: " + describe(s, events)};
  }
  if (isNumber(want)) {
    const std::size_t phase = std::stoul(want);
    if (phase >= 1 && phase <= events + 1) {
      return LabPoint{phase - 1, describe(s, phase - 1)};
    }
  }
  for (std::size_t i = 0; i < events; ++i) {
    if (lower(s.timeline[i].label) == want) {
      return LabPoint{i + 1, describe(s, i + 1)};
    }
  }
  std::string phases = "start, end";
  for (std::size_t i = 0; i <= events; ++i) {
    phases += ", " + std::to_string(i + 1) +
              (i == 0 ? " (before any event)" : " ('" + s.timeline[i - 1].label + "')");
  }
  return core::makeError(
      core::ErrorCategory::Config, "no_such_phase",
      "--at '" + at + "' is not a point of scenario " + s.name + "'s timeline (give one of: " + phases + ")");
}

core::Result<std::unique_ptr<LabDirectory>> buildLabAt(const Scenario& scenario, const core::Clock& clock,
                                                       const LabPoint& point) {
  KP_TRY(auto lab, LabDirectory::build(scenario, clock));
  std::vector<std::string> down;  // nodes a node_down took away (an ASA roll does not reach them)
  for (std::size_t i = 0; i < point.eventsApplied && i < scenario.timeline.size(); ++i) {
    const TimelineEvent& e = scenario.timeline[i];
    if (e.kind == TimelineEvent::Kind::NodeDown) {
      down.push_back(e.node);
    } else if (e.kind == TimelineEvent::Kind::NodeUp) {
      down.erase(std::remove(down.begin(), down.end(), e.node), down.end());
    } else if (e.kind == TimelineEvent::Kind::RollAsaPassword) {
      auto step = lab->rollAsaPassword(e.operation, down);
      if (!step.ok()) {
        return std::move(step).error().within(e.path);
      }
    } else if (e.kind == TimelineEvent::Kind::PasswordRoll) {
      auto step = lab->rollPassword(e.account, e.reach);
      if (!step.ok()) {
        return std::move(step).error().within(e.path);
      }
    } else if (e.kind == TimelineEvent::Kind::ApplyFix) {
      auto steps = lab->applyFix(e.account);
      if (!steps.ok()) {
        return std::move(steps).error().within(e.path);
      }
    }
  }
  return lab;
}

}  // namespace kerbpool::scenarios
