#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "client/negotiate_http_client.hpp"
#include "loadbalancer/lb_stats.hpp"
#include "netlogon/netlogon_semaphore.hpp"
#include "scenarios/pool_world.hpp"

// What a run measured: the clients' outcomes (overall, per phase, node, profile and host), latencies, the
// reasons given, the safety violations, and the domain controller's and nodes' own counters.
namespace kerbpool::scenarios {

struct OutcomeCounts {
  std::uint64_t kerberos = 0;
  std::uint64_t ntlm = 0;
  std::uint64_t prompt = 0;
  std::uint64_t failed = 0;
  std::uint64_t anonymous = 0;
  std::uint64_t webticket = 0;  // authenticated with a pool-signed web ticket (Lync's web services)

  void add(client::OutcomeKind kind);
  void merge(const OutcomeCounts& other);
  std::uint64_t total() const { return kerberos + ntlm + prompt + failed + anonymous + webticket; }
  std::uint64_t count(client::OutcomeKind kind) const;
  double percent(client::OutcomeKind kind) const;  // 0 when there were no requests
};

struct LatencySummary {
  std::uint64_t count = 0;
  double p50Ms = 0;
  double p95Ms = 0;
  double p99Ms = 0;
  double maxMs = 0;
  double meanMs = 0;
};
LatencySummary summarize(std::vector<std::uint32_t> micros);

// One request's outcome as the population records it.
struct RecordedRequest {
  std::size_t phase = 0;
  const std::string* profile = nullptr;  // the group's profile name (outlives the collector)
  const std::string* host = nullptr;     // the URL's host
  const std::string* user = nullptr;     // the workstation's user (sAMAccountName)
  const client::RequestOutcome* outcome = nullptr;
  bool internal = false;  // the profile reaches a KDC and tries Kerberos
};

// Per-thread accumulator, merged at the end. A violation: a 200 that is not a Kerberos or NTLM logon of the
// client's own user.
class OutcomeCollector {
 public:
  explicit OutcomeCollector(std::size_t phases = 1);

  void record(const RecordedRequest& r);
  void merge(const OutcomeCollector& other);
  void addViolation(std::string text);

  OutcomeCounts overall;
  std::vector<OutcomeCounts> byPhase;
  std::vector<OutcomeCounts> internalByPhase;
  std::map<std::string, OutcomeCounts> byNode;     // "" when no node answered
  std::map<std::string, OutcomeCounts> byProfile;  // profile name
  std::map<std::string, OutcomeCounts> byHost;     // URL host
  std::map<std::pair<std::size_t, std::string>, OutcomeCounts> byPhaseNode;
  std::map<std::string, std::set<std::string>> spnsByHost;  // the SPNs clients derived for each host
  // (phase, kind, reason) -> count
  std::map<std::tuple<std::size_t, std::string, std::string>, std::uint64_t> reasons;
  std::vector<std::uint32_t> latencyMicros;
  std::vector<std::vector<std::uint32_t>> latencyByPhase;
  std::map<std::string, std::vector<std::uint32_t>> latencyByKind;  // "kerberos", "ntlm", ...
  std::uint64_t violations = 0;
  std::vector<std::string> violationSamples;  // the first few, spelled out
  // Lync web-ticket clients: each POST to /WebTicket/oauthtoken (a sign-in: Kerberos, NTLM or refused),
  // overall and per phase, and why nodes refused a ticket ("fe03: unknown_pool_key" -> count).
  OutcomeCounts signIns;
  std::vector<OutcomeCounts> signInsByPhase;
  std::map<std::string, std::uint64_t> ticketRefusals;
  std::map<std::string, OutcomeCounts> signInsByProfile;
  void recordSignIn(std::size_t phase, const std::string& profile, client::OutcomeKind kind);
  // Lync's client certificates: web tickets bought with one (no Windows sign-in, no DC), certificates bought
  // (CertProv), and certificates a node refused ("client_certificate_revoked" -> count).
  std::uint64_t certificateSignIns = 0;
  std::map<std::string, std::uint64_t> certificateSignInsByProfile;
  std::uint64_t certificatesIssued = 0;
  std::map<std::string, std::uint64_t> certificateRefusals;
  // The users a timeline event names (disable_account, enable_account, revoke_client_certificate): each of
  // their requests, when (simulated hours) and how it went.
  struct WatchedRequest {
    std::string user;
    double hour = 0;
    client::OutcomeKind outcome = client::OutcomeKind::Failed;
    std::string reason;
    std::vector<std::string> signIns;  // "kerberos", "ntlm", "certificate", "refused" (no ticket bought)
  };
  std::vector<WatchedRequest> watched;
};

// A probe of the running pool (anonymous GET, garbage Negotiate token) and what it got.
struct ProbeResult {
  std::string when;     // "start" / "end"
  std::string target;   // "fe01 (127.0.0.1:40001)", "load balancer (127.0.0.1:40000)"
  std::string probe;    // "anonymous GET", "garbage Negotiate token"
  unsigned status = 0;  // 0: no answer (node down)
  bool violation = false;
  std::string note;
};

// The domain controller's and the pool's counters at the end of the run.
struct ServerCounters {
  std::map<std::string, std::uint64_t> kdcRequests;  // AS-REQ, TGS-REQ, ...
  std::map<std::string, std::uint64_t> kdcErrors;    // RFC names
  std::map<std::string, std::uint64_t> kdcIssued;
  std::uint64_t netlogonCalls = 0;  // pass-through validations the DCs did
  std::vector<DcReport> dcs;        // the same, per DC (the maps above are their sums)
  std::map<std::string, std::uint64_t> netlogonByStatus;
  netlogon::SemaphoreCounters semaphore;  // summed over the nodes' secure channels (maxWaiters: the highest)
  std::map<int, std::uint64_t> events;    // by event id: the DCs' and the nodes' (nodes[i].events) together
  std::map<int, std::uint64_t> dcEvents;  // by event id: the DCs' logs only
  // Event 11's texts, each with how many times it was logged (Event Viewer shows one line per occurrence;
  // the report groups them).
  std::map<std::string, std::uint64_t> event11Messages;
  // The texts of the DC's events whose wording names the cause (11, 14, 16, 26, 27, 2974), each with how many
  // times it was logged.
  std::map<int, std::map<std::string, std::uint64_t>> eventMessages;
  // Events 4768 and 4769 by Status ("0x0" for success, "0x7" KDC_ERR_S_PRINCIPAL_UNKNOWN...).
  std::map<int, std::map<std::string, std::uint64_t>> eventStatus;
  std::vector<NodeReport> nodes;
  loadbalancer::LbStats lb;

  std::uint64_t deniedFor(const std::string& code) const;  // over every node
  std::uint64_t event(int id) const;
};

ServerCounters collectServerCounters(PoolWorld& world);

}  // namespace kerbpool::scenarios
