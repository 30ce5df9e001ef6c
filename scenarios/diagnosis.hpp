#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "scenarios/lab_directory.hpp"
#include "scenarios/metrics.hpp"
#include "scenarios/scenario.hpp"

// Why a phase went the way it did, in plain words: derived from the directory's state during the phase
// (who holds the pool's SPN, the site's Kerberos account and which key versions each node holds) and from
// what was measured (outcomes per node, KDC errors, node refusals, Netlogon calls and timeouts).
namespace kerbpool::scenarios {

struct SpnState {
  std::string spn;                   // "HTTP/pool.contoso.test"
  std::vector<std::string> holders;  // sAMAccountNames
  std::string duplicateOrigin;       // two holders or more: how the duplicate got in (LabDirectory's words)
  std::string duplicateFix;          // and what keeps it out
};

// An account's keys as the KDC chooses among them.
struct AccountKeys {
  std::string account;                    // sAMAccountName
  std::uint32_t kvno = 0;                 // current key version
  std::vector<std::int32_t> keyEnctypes;  // of that version, strongest first
  std::uint32_t supported = 0;            // the mask the KDC applies (the account's, or the domain default)
  bool fromDomainDefault = false;         // no msDS-SupportedEncryptionTypes: DefaultDomainSupportedEncTypes
};

// The directory as it stood when a phase began.
struct DirectorySnapshot {
  std::vector<SpnState> spns;  // HTTP/<pool fqdn>, then HTTP/<canonical name> of every other host used
  std::optional<std::string> kerberosAccount;                        // the pool site's
  std::uint32_t accountKvno = 0;                                     // its current key version
  std::map<std::string, std::vector<std::uint32_t>> deliveredKvnos;  // node -> kvnos it holds
  std::map<std::string, std::string> cnames;                         // alias -> canonical name
  std::optional<AccountKeys> poolHolderKeys;  // the single holder of HTTP/<pool fqdn>, if exactly one
  AccountKeys krbtgtKeys;
};

DirectorySnapshot snapshotDirectory(const LabDirectory& lab);

// What the diagnosis reads about one phase.
struct PhaseEvidence {
  const Scenario* scenario = nullptr;
  const DirectorySnapshot* directory = nullptr;
  OutcomeCounts outcomes;
  OutcomeCounts internal;                          // profiles that reach a KDC and try Kerberos
  std::map<std::string, OutcomeCounts> byNode;     // this phase
  std::map<std::string, OutcomeCounts> byHost;     // all phases (hosts do not change)
  std::map<std::string, OutcomeCounts> byProfile;  // all phases
  std::map<std::string, std::set<std::string>> spnsByHost;
  std::map<std::string, std::uint64_t> kdcErrors;                            // this phase
  std::map<int, std::uint64_t> events;                                       // this phase
  std::map<std::string, std::map<std::string, std::uint64_t>> deniedByNode;  // this phase
  std::vector<std::pair<std::string, std::uint64_t>> failureReasons;  // this phase, most frequent first
  std::uint64_t ntlmOnAuthenticatedConnections = 0;  // NTLM answers on a connection NTLM had logged on
  std::uint64_t netlogonCalls = 0;
  std::uint64_t netlogonTimeouts = 0;
  std::uint64_t maxNetlogonWaiters = 0;  // the whole run's highest Semaphore Waiters on one channel
  double p99Ms = 0;
  int maxConcurrentApi = 10;
  // With more than one DC: each DC's Netlogon limit and the nodes whose secure channel it serves.
  struct ChannelLimit {
    std::string dc;
    int maxConcurrentApi = 10;
    double holdMs = 0;
    std::vector<std::string> nodes;
  };
  std::vector<ChannelLimit> channels;
  std::vector<std::string> nodesDown;  // nodes stopped during this phase
};

struct Diagnosis {
  std::vector<std::string> findings;  // sentences, most important first
  std::vector<std::string> fixes;     // what to change
};

Diagnosis diagnose(const PhaseEvidence& evidence);

// "1,234"
std::string withThousands(std::uint64_t n);
// "FE01$, FE02$ and FE03$"
std::string listInWords(const std::vector<std::string>& items);

}  // namespace kerbpool::scenarios
