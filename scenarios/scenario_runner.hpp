#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/common/result.hpp"
#include "kdc/event_log.hpp"
#include "scenarios/diagnosis.hpp"
#include "scenarios/metrics.hpp"
#include "scenarios/pool_world.hpp"
#include "scenarios/population.hpp"
#include "scenarios/run_capture.hpp"
#include "scenarios/scenario.hpp"
#include "scenarios/sign_in_trace.hpp"
#include "scenarios/timeseries.hpp"

// `kerbpool run`: start the pool, probe it, run the clients with the timeline, probe again, collect every
// counter and check the scenario's expectations.
namespace kerbpool::scenarios {

struct RunOptions {
  std::optional<std::uint64_t> clients;  // scale every group's count so that they add up to this
  std::optional<std::uint64_t> seed;
  std::optional<int> maxConcurrentApi;     // overrides every DC's
  std::optional<double> holdMs;            // overrides every DC's mean hold time of a pass-through (ms)
  std::optional<double> netlogonTimeoutS;  // overrides every DC's semaphore wait timeout (s)
  bool serial = false;                     // one client at a time: repeatable counts (PopulationOptions)
  std::optional<Transport> transport;      // overrides the scenario's (`kerbpool run --transport`)
  PoolWorldOptions world;
  // The servers' own log lines (every refusal, every KDC error) on stderr during the run; off by default:
  // the report counts and explains them.
  bool serverLogs = false;
  std::function<void(const PopulationProgress&)> onProgress;
  // Set from another thread (Ctrl-C): the clients stop, requests in flight finish, the report covers what
  // ran and says it was interrupted.
  const std::atomic<bool>* stop = nullptr;
  // Record what the HTML report draws: the time series, one sign-in trace per phase, the event logs.
  bool record = false;
  // --pcap: the run's packets, the directory's keys and the TLS secrets, for Wireshark (run_capture.hpp).
  std::optional<CaptureRequest> capture;
};

// A retained event log record, with the computer that logged it and when, in seconds since the clients
// started (negative: while the pool was set up).
struct LoggedEvent {
  std::string computer;
  double atS = 0;
  kdc::EventRecord record;
};

// What changed on the servers during one phase.
struct PhaseCounters {
  std::uint64_t netlogonCalls = 0;
  std::uint64_t semaphoreTimeouts = 0;
  std::map<std::string, std::uint64_t> kdcRequests;
  std::map<std::string, std::uint64_t> kdcErrors;
  std::map<int, std::uint64_t> events;
  std::map<std::string, std::map<std::string, std::uint64_t>> deniedByNode;  // node -> code -> count
};

struct ExpectationResult {
  std::string metric;
  std::optional<double> value;  // nullopt: not a known metric
  std::optional<double> min;
  std::optional<double> max;
  bool passed = false;
};

// Lync's web tickets in figures (zeros when no client signs in to the web services).
struct WebTicketFigures {
  std::uint64_t clients = 0;       // clients of web-ticket profiles (one user each)
  std::uint64_t requests = 0;      // their requests
  std::uint64_t withTicket = 0;    // of those, answered with the web ticket accepted
  OutcomeCounts signIns;           // POSTs to /WebTicket/oauthtoken: Kerberos, NTLM, prompt, failed
  std::uint64_t refusals = 0;      // tickets a node refused (the client then signed in again)
  std::uint64_t otherClients = 0;  // clients of the other profiles
  std::uint64_t otherRequests = 0;
  std::uint64_t otherNtlm = 0;        // their requests authenticated with NTLM
  double hours = 0;                   // the simulated hours, or the run's wall time in hours
  double ntlmSignInsPerUserHour = 0;  // signIns.ntlm / (clients x hours)
  double otherNtlmPerUserHour = 0;    // otherNtlm / (otherClients x hours)
};

// A user the timeline disabled (disable_account), from its requests after that hour until it was enabled
// again (or the end): what its client certificate still bought. Hours are simulated hours (a run without
// simulated_time: the share of the run, in hours of wall time).
struct DisabledAccountFigures {
  std::string user;
  double disabledAt = 0;
  std::optional<double> enabledAt;       // the window's end, when an enable_account followed
  std::optional<double> revokedAt;       // a revoke_client_certificate of the user inside the window
  std::uint64_t requests = 0;            // its requests in the window
  std::uint64_t served = 0;              // of those, answered with a web ticket accepted
  std::uint64_t certificateSignIns = 0;  // web tickets bought with its client certificate (no DC)
  std::uint64_t windowsSignIns = 0;      // web tickets bought with Kerberos or NTLM
  std::uint64_t kerberosSignIns = 0;     // of those, with Kerberos (tickets it held before: no DC check)
  std::uint64_t refusedSignIns = 0;      // Windows sign-ins that bought no ticket
  std::optional<double> lastServed;      // the hour of its last request served
  std::string lastRefusal;               // the reason of its last request not served
  std::uint64_t requestsAfterRevoke = 0;
  std::uint64_t servedAfterRevoke = 0;
};

struct RunReport {
  Scenario scenario;  // as run (scaled, seeded)
  std::vector<AdminStep> setup;
  PopulationResult population;
  std::vector<PhaseCounters> phaseCounters;    // one per phase
  std::vector<DirectorySnapshot> directories;  // the directory as each phase began
  ServerCounters servers;                      // at the end
  std::vector<ProbeResult> probes;
  std::uint64_t violations = 0;  // the clients' and the probes'
  std::vector<ExpectationResult> expectations;
  int maxConcurrentApi = 10;
  std::uint16_t lbPort = 0;
  // Transport::InProcess: which HTTP hops stayed in process ("vip-and-nodes", "nodes", "none") and, when the
  // VIP's did not, why (its TLS, layer 4).
  std::string httpInProcess;
  std::string httpInProcessWhyNot;
  std::uint64_t httpInProcessConnections = 0;  // HTTP connections opened in process (balancer's to nodes too)
  std::uint16_t kdcPort = 0;
  bool interrupted = false;  // stopped before the clients were done (RunOptions::stop)
  // RunOptions::record only:
  TimeSeries timeseries;
  std::vector<SignInTrace> traces;  // by phase (a phase without a request has none)
  std::vector<LoggedEvent> eventLog;
  std::optional<CaptureReport> capture;  // RunOptions::capture only

  // A metric of docs/scenario-file.md ("kerberos_percent", "event_11"...); nullopt when unknown.
  std::optional<double> metric(const std::string& name) const;
  WebTicketFigures webTickets() const;
  std::vector<DisabledAccountFigures> disabledAccounts() const;
  bool passed() const;  // every expectation met, every timeline event applied, no violation
};

// Errors: the pool could not start (ports, directory operations).
core::Result<RunReport> runScenario(const Scenario& scenario, const RunOptions& options);

// Every group's count scaled so that the counts add up to `total` (each at least 1, remainders to the first
// groups). Scaling down scales the concurrency too (so a timeline still sees clients start after an event);
// scaling up keeps it.
Scenario scaleClients(Scenario scenario, std::uint64_t total);

// The profiles that reach a KDC and try Kerberos on their requests ("internal" in the metrics); a Lync
// web-ticket client's requests carry its web ticket instead (its sign-ins try Kerberos).
bool isInternalProfile(const Scenario& scenario, const std::string& profile);

}  // namespace kerbpool::scenarios
