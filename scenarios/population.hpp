#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "core/common/clock.hpp"
#include "scenarios/lab_directory.hpp"
#include "scenarios/metrics.hpp"
#include "scenarios/pool_world.hpp"
#include "scenarios/scenario.hpp"
#include "scenarios/sign_in_trace.hpp"
#include "scenarios/timeseries.hpp"

// The workstations: every client of every group logs on as one of the generated users (round robin) and
// makes its requests one after the other through its own Negotiate HTTP client, many clients at a time
// (the groups' concurrency, at most 512 threads). The timeline fires as the share of completed requests
// passes each event's mark, so a run is repeatable whatever the machine's speed; an event waits for the
// requests in flight to be answered and holds new ones until it has been applied.
namespace kerbpool::scenarios {

// Live counters for a progress display.
struct PopulationProgress {
  std::size_t phase = 0;
  std::uint64_t done = 0;
  std::uint64_t total = 0;
  std::uint64_t kerberos = 0;
  std::uint64_t ntlm = 0;
  std::uint64_t prompt = 0;
  std::uint64_t failed = 0;
  std::uint64_t netlogonWaiters = 0;  // NTLM pass-throughs queued for a secure-channel slot, every node
};

// One phase: the stretch of the run between two timeline events.
struct PhaseInfo {
  std::string label;             // "before" for the first, then the event's label
  double startPercent = 0;       // the share of requests completed when it began
  std::vector<AdminStep> steps;  // what the event did (none for the first phase)
  std::string error;             // the event could not be applied
};

struct PopulationResult {
  OutcomeCollector outcomes;
  std::vector<PhaseInfo> phases;
  std::chrono::nanoseconds wall{0};
  unsigned threads = 0;
  std::uint64_t clients = 0;
  std::uint64_t keyCacheHits = 0;
  std::uint64_t keyCacheMisses = 0;
  bool interrupted = false;  // PopulationOptions::stop was set before every request had run
  // Simulated time: the hours the run spanned, its rounds and the clock's step between them (0: wall clock).
  double simulatedHours = 0;
  int rounds = 0;
  core::Micros step{0};
};

struct PopulationOptions {
  unsigned maxThreads = 512;
  // Called about every 100 ms from a separate thread while the clients run.
  std::function<void(const PopulationProgress&)> onProgress;
  // Called under the timeline's lock just before an event ends phase `phase` (counters per phase).
  std::function<void(std::size_t phase)> onPhaseEnd;
  // Called under the timeline's lock just after the event that starts phase `phase` was applied.
  std::function<void(std::size_t phase)> onPhaseStart;
  // Set (by a signal watcher): start no new request; those in flight finish. The result then counts what ran.
  const std::atomic<bool>* stop = nullptr;
  // One client at a time, group after group (the clients' concurrency is ignored): the outcome counts of a
  // seeded run then repeat exactly (docs/scenario-file.md, "What repeats").
  bool serial = false;
  // For the HTML report (null: not recorded): every outcome over time, and the first request of each phase
  // traced message by message.
  TimeSeriesRecorder* timeseries = nullptr;
  SignInTraceRecorder* traces = nullptr;
  // The world's clock when the scenario has simulated_time (null otherwise): round n runs request n of every
  // client (threads take clients in turn) from start + n * hours / rounds, the clock running at wall speed
  // within the round; then it jumps to the next round's start and the timeline events of that hour fire.
  // Think times are not slept.
  core::SteppedClock* simulatedClock = nullptr;
  // Users (lower case, "user001") whose every request is kept in OutcomeCollector::watched.
  std::set<std::string> watchedUsers;
};

// Runs every client against the running world. The scenario's groups, profiles and timeline are used as
// they are (scale them before starting the world if needed).
PopulationResult runPopulation(PoolWorld& world, const core::Clock& clock, const PopulationOptions& options);

// The user a client logs on as: users.prefix + NNN, clients of all groups taken in turn.
std::string clientUser(const UserPopulation& users, std::uint64_t clientIndex);

}  // namespace kerbpool::scenarios
