#include "scenarios/report.hpp"

#include <algorithm>
#include <map>

#include "scenarios/report_sections.hpp"
#include "scenarios/report_text.hpp"

namespace kerbpool::scenarios {

namespace {

std::vector<std::string> nodesDownDuring(const RunReport& r, std::size_t phase) {
  std::vector<std::string> down;
  for (std::size_t i = 0; i < phase && i < r.scenario.timeline.size(); ++i) {
    const auto& e = r.scenario.timeline[i];
    if (e.kind == TimelineEvent::Kind::NodeDown) {
      down.push_back(e.node);
    } else if (e.kind == TimelineEvent::Kind::NodeUp) {
      down.erase(std::remove(down.begin(), down.end(), e.node), down.end());
    }
  }
  return down;
}

}  // namespace

std::string formatPercent(double value) {
  return fixed(value, value == 0 || value == 100 ? 0 : 1) + " %";
}

PhaseEvidence evidenceFor(const RunReport& r, std::size_t phase) {
  PhaseEvidence e;
  e.scenario = &r.scenario;
  // A report always has the directory as the run began; one built by hand may have none.
  static const DirectorySnapshot kNoDirectory{};
  e.directory = phase < r.directories.size() ? &r.directories[phase]
                : r.directories.empty()      ? &kNoDirectory
                                             : &r.directories.back();
  const auto& o = r.population.outcomes;
  if (phase < o.byPhase.size()) {
    e.outcomes = o.byPhase[phase];
    e.p99Ms = summarize(o.latencyByPhase[phase]).p99Ms;
  }
  for (const auto& [key, counts] : o.byPhaseNode) {
    if (key.first == phase) {
      e.byNode[key.second].merge(counts);
    }
  }
  e.byHost = o.byHost;
  e.byProfile = o.byProfile;
  e.spnsByHost = o.spnsByHost;
  std::map<std::string, std::uint64_t> failures;
  for (const auto& [key, n] : o.reasons) {
    const auto& [p, kind, reason] = key;
    if (p != phase) {
      continue;
    }
    if (kind == "failed") {
      failures[reason] += n;
    }
    if (kind == "ntlm" && reason.rfind("the connection is already authenticated", 0) == 0) {
      e.ntlmOnAuthenticatedConnections += n;
    }
  }
  e.failureReasons.assign(failures.begin(), failures.end());
  std::sort(e.failureReasons.begin(), e.failureReasons.end(),
            [](const auto& a, const auto& b) { return a.second > b.second; });
  if (phase < o.internalByPhase.size()) {
    e.internal = o.internalByPhase[phase];
  }
  if (phase < r.phaseCounters.size()) {
    const auto& pc = r.phaseCounters[phase];
    e.kdcErrors = pc.kdcErrors;
    e.events = pc.events;
    e.deniedByNode = pc.deniedByNode;
    e.netlogonCalls = pc.netlogonCalls;
    e.netlogonTimeouts = pc.semaphoreTimeouts;
  }
  e.maxConcurrentApi = r.maxConcurrentApi;
  e.maxNetlogonWaiters = r.servers.semaphore.maxWaiters;
  for (const auto& dc : r.servers.dcs) {
    e.channels.push_back(PhaseEvidence::ChannelLimit{dc.name, dc.maxConcurrentApi, dc.holdMs, dc.channels});
  }
  e.nodesDown = nodesDownDuring(r, phase);
  return e;
}

std::string formatVerdict(const RunReport& r, const std::string& label) {
  const auto diagnoses = diagnosePhases(r);
  std::string out = "  " + (label.empty() ? r.scenario.name : label) + "\n";
  if (diagnoses.empty() || diagnoses.back().findings.empty()) {
    return out + "    nothing to explain: no request was made\n";
  }
  const auto& last = diagnoses.back();
  out += wrap((diagnoses.size() > 1 ? "In the last phase: " : "") + last.findings.front(), "    ");
  if (!last.fixes.empty()) {
    out += wrap("Fix: " + last.fixes.front(), "    ");
  }
  return out;
}

std::vector<Diagnosis> diagnosePhases(const RunReport& r) {
  std::vector<Diagnosis> out;
  for (std::size_t i = 0; i < r.population.outcomes.byPhase.size(); ++i) {
    out.push_back(diagnose(evidenceFor(r, i)));
  }
  return out;
}

std::string formatReport(const RunReport& r) {
  const auto& o = r.population.outcomes;
  std::string out = report_sections::narrative(r) + report_sections::tables(r);

  out += "\nSafety (no protected request may get 200 without valid authentication)\n";
  std::size_t refused = 0;
  for (const auto& p : r.probes) {
    refused += p.status == 401 ? 1 : 0;
    if (p.violation || (p.status != 401 && p.status != 0)) {
      out += "  " + std::string(p.violation ? "VIOLATION " : "note ") + p.when + " " + p.target + " " +
             p.probe + ": " + std::to_string(p.status) + " " + p.note + "\n";
    }
  }
  out +=
      "  probes (anonymous GET and a garbage Negotiate token to every node and the load balancer, at start " +
      std::string("and end): ") + std::to_string(refused) + " of " + std::to_string(r.probes.size()) +
      " refused with 401\n";
  for (const auto& v : o.violationSamples) {
    out += "  VIOLATION " + v + "\n";
  }
  out += r.violations == 0 ? "  violations: 0\n"
                           : "  VIOLATIONS: " + withThousands(r.violations) +
                                 " (a protected resource was served " + "without valid authentication)\n";

  if (!r.expectations.empty()) {
    out += "\nExpectations\n";
    for (const auto& e : r.expectations) {
      std::string bounds;
      if (e.min) {
        bounds += "min " + fixed(*e.min, 1);
      }
      if (e.max) {
        bounds += std::string(bounds.empty() ? "" : ", ") + "max " + fixed(*e.max, 1);
      }
      out += "  " + std::string(e.passed ? "PASS " : "FAIL ") + e.metric + " = " +
             (e.value ? fixed(*e.value, 1) : std::string("(unknown metric)")) + " (" + bounds + ")\n";
    }
  }
  if (r.capture) {
    out += formatCaptureSection(*r.capture);
  }
  const double seconds = std::chrono::duration<double>(r.population.wall).count();
  out += "\n" + std::string(r.passed() ? "PASS" : "FAIL") + ": " + withThousands(o.overall.total()) +
         " requests from " + withThousands(r.population.clients) + " clients in " + fixed(seconds, 2) +
         " s (" + fixed(seconds > 0 ? static_cast<double>(o.overall.total()) / seconds : 0, 0) +
         " requests/s)\n";
  if (r.scenario.transport == Transport::InProcess) {
    out +=
        "Transport in-process: the workstations' AS and TGS exchanges went to the KDC service as DER "
        "without a socket; ";
    if (r.httpInProcess == "vip-and-nodes") {
      out +=
          "HTTP went from the workstations through the load balancer to the nodes as the same octets, "
          "handed over in process (" +
          withThousands(r.httpInProcessConnections) +
          " connections, the balancer's to the nodes included; its health checks still crossed loopback).\n";
    } else if (r.httpInProcess == "nodes") {
      out += "HTTP to the nodes' own names stayed in process (" + withThousands(r.httpInProcessConnections) +
             " connections), HTTP to the VIP crossed loopback (" + r.httpInProcessWhyNot + ").\n";
    } else {
      out +=
          "HTTP crossed loopback (the nodes serve HTTPS, and the in-process transport carries plain HTTP "
          "only).\n";
    }
  }
  return out;
}

}  // namespace kerbpool::scenarios
