#include "scenarios/report.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

#include "scenarios/text_table.hpp"

namespace kerbpool::scenarios {

namespace {

using client::OutcomeKind;

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string msText(double v) {
  return fixed(v, v < 10 ? 1 : 0) + " ms";
}

// Words wrapped at `width` columns, every line starting with `indent`.
std::string wrap(const std::string& text, const std::string& indent, std::size_t width = 108) {
  std::string out;
  std::string line = indent;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string::npos) {
      end = text.size();
    }
    const std::string word = text.substr(start, end - start);
    if (line.size() > indent.size() && line.size() + 1 + word.size() > width) {
      out += line + "\n";
      line = indent + "  ";
    }
    if (line.size() > indent.size() && line.back() != ' ') {
      line += ' ';
    }
    line += word;
    start = end + 1;
  }
  if (line.size() > indent.size()) {
    out += line + "\n";
  }
  return out;
}

std::vector<std::string> countsRow(const std::string& name, const OutcomeCounts& c, const LatencySummary* l) {
  std::vector<std::string> row{name,
                               withThousands(c.total()),
                               formatPercent(c.percent(OutcomeKind::Kerberos)),
                               formatPercent(c.percent(OutcomeKind::Ntlm)),
                               withThousands(c.prompt),
                               withThousands(c.failed)};
  if (l != nullptr) {
    row.push_back(msText(l->p50Ms));
    row.push_back(msText(l->p99Ms));
  }
  return row;
}

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

std::string eventName(int id) {
  switch (id) {
    case 11:
      return "11 KDC: duplicate SPN";
    case 4768:
      return "4768 TGT requested";
    case 4769:
      return "4769 service ticket requested";
    case 4771:
      return "4771 pre-authentication failed";
    case 4776:
      return "4776 NTLM credential validation";
    case 5816:
      return "5816 Netlogon: request timed out";
    case 5817:
      return "5817 Netlogon: requests timed out";
    case 5818:
      return "5818 Netlogon: slow request";
    case 5819:
      return "5819 Netlogon: slow requests";
  }
  return std::to_string(id);
}

std::string phaseTitle(const RunReport& r, std::size_t i) {
  const auto& phases = r.population.phases;
  std::string label = i < phases.size() ? phases[i].label : "phase " + std::to_string(i + 1);
  std::string from = i < phases.size() ? fixed(phases[i].startPercent, 0) + " %" : "?";
  std::string to = i + 1 < phases.size() ? fixed(phases[i + 1].startPercent, 0) + " %" : "100 %";
  return "Phase " + std::to_string(i + 1) + ": " + label + " (requests " + from + " to " + to + ")";
}

// Kerberos against NTLM, with numbers: the phases (or the kinds) side by side.
std::string comparison(const RunReport& r) {
  const auto& o = r.population.outcomes;
  std::string out;
  auto lat = [&](const char* kind) {
    auto it = o.latencyByKind.find(kind);
    return it == o.latencyByKind.end() ? LatencySummary{} : summarize(it->second);
  };
  const LatencySummary k = lat("kerberos");
  const LatencySummary n = lat("ntlm");
  if (k.count > 0 && n.count > 0) {
    out +=
        wrap("Kerberos logons: " + withThousands(k.count) + ", p50 " + msText(k.p50Ms) + ", p99 " +
                 msText(k.p99Ms) + ", no DC round trip once the workstation holds its ticket. NTLM logons: " +
                 withThousands(n.count) + ", p50 " + msText(n.p50Ms) + ", p99 " + msText(n.p99Ms) +
                 ", each one a Netlogon pass-through to the DC (" + withThousands(r.servers.netlogonCalls) +
                 " in all).",
             "  ");
  } else if (k.count > 0) {
    out += wrap("Every authenticated request used Kerberos (p50 " + msText(k.p50Ms) + ", p99 " +
                    msText(k.p99Ms) + "); the DC did " + withThousands(r.servers.netlogonCalls) +
                    " NTLM pass-throughs.",
                "  ");
  } else if (n.count > 0) {
    out += wrap("Every authenticated request used NTLM (p50 " + msText(n.p50Ms) + ", p99 " + msText(n.p99Ms) +
                    "): the DC did " + withThousands(r.servers.netlogonCalls) +
                    " pass-throughs, one per logon, that Kerberos would not have needed.",
                "  ");
  }
  if (o.byPhase.size() >= 2) {
    TextTable t({"phase", "Kerberos", "NTLM", "prompts", "failed", "Netlogon calls", "timeouts", "p99"});
    for (std::size_t i = 0; i < o.byPhase.size(); ++i) {
      const auto& c = o.byPhase[i];
      const auto l = summarize(o.latencyByPhase[i]);
      const PhaseCounters pc = i < r.phaseCounters.size() ? r.phaseCounters[i] : PhaseCounters{};
      t.add({r.population.phases.size() > i ? r.population.phases[i].label : std::to_string(i + 1),
             formatPercent(c.percent(OutcomeKind::Kerberos)), formatPercent(c.percent(OutcomeKind::Ntlm)),
             withThousands(c.prompt), withThousands(c.failed), withThousands(pc.netlogonCalls),
             withThousands(pc.semaphoreTimeouts), msText(l.p99Ms)});
    }
    out += t.render();
  }
  return out;
}

}  // namespace

std::string formatPercent(double value) {
  return fixed(value, value == 0 || value == 100 ? 0 : 1) + " %";
}

PhaseEvidence evidenceFor(const RunReport& r, std::size_t phase) {
  PhaseEvidence e;
  e.scenario = &r.scenario;
  e.directory = phase < r.directories.size() ? &r.directories[phase] : &r.directories.back();
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
  for (const auto& dc : r.servers.dcs) {
    e.channels.push_back(PhaseEvidence::ChannelLimit{dc.name, dc.maxConcurrentApi, dc.holdMs, dc.channels});
  }
  e.nodesDown = nodesDownDuring(r, phase);
  return e;
}

std::string formatVerdict(const RunReport& r) {
  const auto diagnoses = diagnosePhases(r);
  std::string out = "  " + r.scenario.name + "\n";
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
  const Scenario& s = r.scenario;
  const auto& o = r.population.outcomes;
  std::string out;
  out += "kerbpool run " + s.name + ": " + s.title + "\n";
  if (!s.description.empty()) {
    out += wrap(s.description, "  ");
  }

  out += "\nSet-up (the admin's commands, in order)\n";
  if (r.setup.empty()) {
    out += "  (none: the pool's name is registered nowhere)\n";
  }
  for (const auto& step : r.setup) {
    out += "  PS> " + step.command + "\n";
    for (const auto& line : step.output) {
      out += "      " + line + "\n";
    }
  }

  std::string nodes;
  for (const auto& n : r.servers.nodes) {
    nodes += (nodes.empty() ? "" : ", ") + n.name + " :" + std::to_string(n.port);
  }
  const auto& lb = s.pool.loadBalancer;
  std::string clients;
  for (const auto& g : s.clients) {
    clients += (clients.empty() ? "" : ", ") + withThousands(static_cast<std::uint64_t>(g.count)) + " " +
               g.profile + (g.host.empty() ? "" : " via " + g.host) + " x " + std::to_string(g.requests) +
               " requests";
  }
  out += "\nThe lab\n";
  out += wrap(
      "Pool " + s.pool.fqdn + " (site " + s.pool.site + "): " + std::to_string(r.servers.nodes.size()) +
          " nodes (" + nodes + ") behind a " + (lb.mode == "tcp" ? "layer-4 (tcp)" : "layer-7 (http)") +
          " load balancer on 127.0.0.1:" + std::to_string(r.lbPort) + ", " + lb.policy + ", affinity " +
          lb.affinity + "; " +
          (!s.pool.tls        ? std::string("plain HTTP")
           : lb.mode == "tcp" ? "HTTPS, TLS passed through to the nodes"
                              : "HTTPS, TLS terminated at the load balancer and re-encrypted to the nodes") +
          " (" + (s.pool.tls ? "https://" : "http://") + s.pool.fqdn + s.pool.path +
          "); authentication persistence " + s.pool.authPersistence + "; NTLM " +
          (s.pool.ntlm ? "offered" : "not offered") + ".",
      "  ");
  for (std::size_t i = 0; i < r.servers.dcs.size() && i < s.domainControllers.size(); ++i) {
    const auto& dc = s.domainControllers[i];
    const auto& live = r.servers.dcs[i];
    out += wrap("Domain controller " + dc.name + ": KDC on 127.0.0.1:" + std::to_string(live.kdcPort) +
                    " (UDP and TCP), Netlogon MaxConcurrentApi " + std::to_string(live.maxConcurrentApi) +
                    ", hold time " + fixed(dc.holdTime.meanMs, 0) + " ms (" + dc.holdTime.model +
                    "), wait timeout " + fixed(dc.waitTimeoutS, 0) + " s; secure channels of " +
                    (live.channels.empty() ? std::string("no node") : listInWords(live.channels)) + ".",
                "  ");
  }
  out += wrap("Clients: " + clients + " = " + withThousands(o.overall.total()) + " requests, " +
                  std::to_string(r.population.threads) + " at a time.",
              "  ");

  const auto diagnoses = diagnosePhases(r);
  for (std::size_t i = 0; i < o.byPhase.size(); ++i) {
    out += "\n" + phaseTitle(r, i) + "\n";
    if (i < r.population.phases.size()) {
      const auto& ph = r.population.phases[i];
      for (const auto& step : ph.steps) {
        out += "  PS> " + step.command + "\n";
        for (const auto& line : step.output) {
          out += "      " + line + "\n";
        }
      }
      if (!ph.error.empty()) {
        out += "  The event could not be applied: " + ph.error + "\n";
      }
    }
    const auto& c = o.byPhase[i];
    const auto l = summarize(o.latencyByPhase[i]);
    out += wrap(withThousands(c.total()) + " requests: " + formatPercent(c.percent(OutcomeKind::Kerberos)) +
                    " Kerberos, " + formatPercent(c.percent(OutcomeKind::Ntlm)) + " NTLM, " +
                    withThousands(c.prompt) + " prompts, " + withThousands(c.failed) + " failed; p50 " +
                    msText(l.p50Ms) + ", p99 " + msText(l.p99Ms) + ".",
                "  ");
    for (const auto& f : diagnoses[i].findings) {
      out += wrap("Why: " + f, "  ");
    }
    for (const auto& f : diagnoses[i].fixes) {
      out += wrap("Fix: " + f, "  ");
    }
  }

  out += "\nKerberos against NTLM\n" + comparison(r);

  out += "\nOutcomes per phase\n";
  TextTable phases({"phase", "requests", "Kerberos", "NTLM", "prompts", "failed", "p50", "p99"});
  for (std::size_t i = 0; i < o.byPhase.size(); ++i) {
    const auto l = summarize(o.latencyByPhase[i]);
    phases.add(
        countsRow(i < r.population.phases.size() ? r.population.phases[i].label : std::to_string(i + 1),
                  o.byPhase[i], &l));
  }
  const auto all = summarize(o.latencyMicros);
  phases.add(countsRow("all", o.overall, &all));
  out += phases.render();

  // Refusals during the phases (the safety probes' own refusals are not the clients').
  std::map<std::string, std::map<std::string, std::uint64_t>> refusals;
  for (const auto& pc : r.phaseCounters) {
    for (const auto& [node, codes] : pc.deniedByNode) {
      for (const auto& [code, n] : codes) {
        refusals[node][code] += n;
      }
    }
  }
  out += "\nOutcomes per node (the node that gave the final answer)\n";
  TextTable byNode({"node", "requests", "Kerberos", "NTLM", "prompts", "failed", "refusals by reason"});
  for (const auto& [node, counts] : o.byNode) {
    auto row = countsRow(node.empty() ? "(no node answered)" : node, counts, nullptr);
    std::string denied;
    if (auto it = refusals.find(node); it != refusals.end()) {
      for (const auto& [code, count] : it->second) {
        denied += (denied.empty() ? "" : ", ") + code + " " + withThousands(count);
      }
    }
    row.push_back(denied.empty() ? "-" : denied);
    byNode.add(row);
  }
  out += byNode.render();

  out += "\nOutcomes per profile\n";
  TextTable byProfile({"profile", "requests", "Kerberos", "NTLM", "prompts", "failed"});
  for (const auto& [profile, counts] : o.byProfile) {
    byProfile.add(countsRow(profile, counts, nullptr));
  }
  out += byProfile.render();
  if (o.byHost.size() > 1) {
    out += "\nOutcomes per host name (the URL's)\n";
    TextTable byHost({"host", "requests", "Kerberos", "NTLM", "prompts", "failed", "SPN asked for"});
    for (const auto& [host, counts] : o.byHost) {
      auto row = countsRow(host, counts, nullptr);
      std::vector<std::string> spns;
      if (auto it = o.spnsByHost.find(host); it != o.spnsByHost.end()) {
        spns.assign(it->second.begin(), it->second.end());
      }
      row.push_back(listInWords(spns));
      byHost.add(row);
    }
    out += byHost.render();
  }

  std::vector<std::string> dcNames;
  for (const auto& dc : r.servers.dcs) {
    dcNames.push_back(dc.name);
  }
  out += "\nKDC (" + listInWords(dcNames) + ")\n";
  std::string req;
  for (const auto& [type, n] : r.servers.kdcRequests) {
    req += (req.empty() ? "" : ", ") + type + " " + withThousands(n);
  }
  std::string err;
  for (const auto& [name, n] : r.servers.kdcErrors) {
    err += (err.empty() ? "" : ", ") + name + " " + withThousands(n);
  }
  out += "  requests: " + (req.empty() ? "none" : req) + "\n";
  out += "  errors:   " + (err.empty() ? "none" : err) + "\n";
  if (r.servers.dcs.size() > 1) {
    for (const auto& dc : r.servers.dcs) {
      std::uint64_t total = 0;
      for (const auto& [type, n] : dc.kdcRequests) {
        total += n;
      }
      out += "  " + dc.name + ": " + withThousands(total) + " requests, " +
             withThousands(dc.netlogon.requests) + " NTLM pass-throughs\n";
    }
  }

  out += "\nNetlogon (NTLM pass-through)\n";
  std::string statuses;
  for (const auto& [name, n] : r.servers.netlogonByStatus) {
    statuses += (statuses.empty() ? "" : ", ") + name + " " + withThousands(n);
  }
  const auto& sem = r.servers.semaphore;
  out += "  pass-throughs: " + withThousands(r.servers.netlogonCalls) +
         (statuses.empty() ? "" : " (" + statuses + ")") + "\n";
  std::string apis;
  for (const auto& dc : r.servers.dcs) {
    apis += (apis.empty() ? "" : ", ") + (r.servers.dcs.size() > 1 ? dc.name + " " : std::string()) +
            std::to_string(dc.maxConcurrentApi);
  }
  out += "  secure channels: MaxConcurrentApi " + apis + ", semaphore acquires " +
         withThousands(sem.semaphoreAcquires) + ", timeouts " + withThousands(sem.semaphoreTimeouts) +
         ", most waiters " + withThousands(sem.maxWaiters) + ", average hold " +
         msText(sem.averageSemaphoreHoldTime * 1000.0) + "\n";

  out += std::string(r.servers.dcs.size() > 1 ? "\nEvents on the DCs\n" : "\nEvents on the DC\n");
  if (r.servers.events.empty()) {
    out += "  none\n";
  }
  for (const auto& [id, n] : r.servers.events) {
    out += "  " + eventName(id) + ": " + withThousands(n) + "\n";
  }
  for (const auto& m : r.servers.event11Messages) {
    out += wrap("event 11: " + m, "    ");
  }

  out += "\nLatency (one request, all legs)\n";
  TextTable lat({"outcome", "count", "p50", "p95", "p99", "max"});
  lat.add({"all", withThousands(all.count), msText(all.p50Ms), msText(all.p95Ms), msText(all.p99Ms),
           msText(all.maxMs)});
  for (const auto& [kind, v] : o.latencyByKind) {
    const auto l = summarize(v);
    lat.add(
        {kind, withThousands(l.count), msText(l.p50Ms), msText(l.p95Ms), msText(l.p99Ms), msText(l.maxMs)});
  }
  out += lat.render();

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
  const double seconds = std::chrono::duration<double>(r.population.wall).count();
  out += "\n" + std::string(r.passed() ? "PASS" : "FAIL") + ": " + withThousands(o.overall.total()) +
         " requests from " + withThousands(r.population.clients) + " clients in " + fixed(seconds, 2) +
         " s (" + fixed(seconds > 0 ? static_cast<double>(o.overall.total()) / seconds : 0, 0) +
         " requests/s)\n";
  return out;
}

}  // namespace kerbpool::scenarios
