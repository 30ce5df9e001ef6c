#include "scenarios/report_sections.hpp"

#include <cstdlib>
#include <map>

#include "core/iana/error_code.hpp"
#include "scenarios/report.hpp"
#include "scenarios/report_text.hpp"
#include "scenarios/text_table.hpp"

namespace kerbpool::scenarios::report_sections {

namespace {

using client::OutcomeKind;

// A run with Lync web-ticket clients gets a "web ticket" column after NTLM.
std::vector<std::string> columns(std::vector<std::string> header, bool webTickets) {
  if (webTickets) {
    header.insert(header.begin() + 4, "web ticket");
  }
  return header;
}

std::vector<std::string> countsRow(const std::string& name, const OutcomeCounts& c, const LatencySummary* l,
                                   bool webTickets) {
  std::vector<std::string> row{name,
                               withThousands(c.total()),
                               formatPercent(c.percent(OutcomeKind::Kerberos)),
                               formatPercent(c.percent(OutcomeKind::Ntlm)),
                               withThousands(c.prompt),
                               withThousands(c.failed)};
  if (webTickets) {
    row.insert(row.begin() + 4, formatPercent(c.percent(OutcomeKind::WebTicket)));
  }
  if (l != nullptr) {
    row.push_back(msText(l->p50Ms));
    row.push_back(msText(l->p99Ms));
  }
  return row;
}

std::string eventName(int id) {
  switch (id) {
    case 11:
      return "11 KDC: duplicate SPN";
    case 2974:
      return "2974 Directory Service: SPN write refused, not unique in the forest";
    case 4768:
      return "4768 TGT requested";
    case 4769:
      return "4769 service ticket requested";
    case 4771:
      return "4771 pre-authentication failed";
    case 4776:
      return "4776 NTLM credential validation";
    case 14:
      return "14 KDC: the account lacks a key (AS)";
    case 16:
      return "16 KDC: the account lacks a key (TGS)";
    case 26:
      return "26 KDC: no suitable key (AS)";
    case 27:
      return "27 KDC: no suitable key (TGS)";
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

// "0x7" -> "0x7 KDC_ERR_S_PRINCIPAL_UNKNOWN"; a status that is not a number stays as it is.
std::string statusText(const std::string& status) {
  char* end = nullptr;
  const unsigned long code = std::strtoul(status.c_str(), &end, 16);
  if (end == status.c_str() || *end != '\0' || code > 0xff) {
    return status;
  }
  return status + " " + std::string(core::iana::rfcName(static_cast<core::iana::ErrorCode>(code)));
}

// " (20 succeeded; 3 failed: 0x7 KDC_ERR_S_PRINCIPAL_UNKNOWN 3)" from an event's counts by Status.
std::string statusBreakdown(const std::map<std::string, std::uint64_t>& byStatus) {
  std::uint64_t ok = 0;
  std::uint64_t failed = 0;
  std::string failures;
  for (const auto& [status, n] : byStatus) {
    if (status == "0x0") {
      ok += n;
      continue;
    }
    failed += n;
    failures += (failures.empty() ? "" : ", ") + statusText(status) + " " + withThousands(n);
  }
  return " (" + withThousands(ok) + " succeeded" +
         (failed == 0 ? std::string() : "; " + withThousands(failed) + " failed: " + failures) + ")";
}

}  // namespace

std::string tables(const RunReport& r) {
  const auto& o = r.population.outcomes;
  const bool wt = r.webTickets().clients > 0;
  std::string out;
  out += "\nOutcomes per phase\n";
  TextTable phases(columns({"phase", "requests", "Kerberos", "NTLM", "prompts", "failed", "p50", "p99"}, wt));
  for (std::size_t i = 0; i < o.byPhase.size(); ++i) {
    const auto l = summarize(o.latencyByPhase[i]);
    phases.add(
        countsRow(i < r.population.phases.size() ? r.population.phases[i].label : std::to_string(i + 1),
                  o.byPhase[i], &l, wt));
  }
  const auto all = summarize(o.latencyMicros);
  phases.add(countsRow("all", o.overall, &all, wt));
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
  TextTable byNode(
      columns({"node", "requests", "Kerberos", "NTLM", "prompts", "failed", "refusals by reason"}, wt));
  for (const auto& [node, counts] : o.byNode) {
    auto row = countsRow(node.empty() ? "(no node answered)" : node, counts, nullptr, wt);
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
  TextTable byProfile(columns({"profile", "requests", "Kerberos", "NTLM", "prompts", "failed"}, wt));
  for (const auto& [profile, counts] : o.byProfile) {
    byProfile.add(countsRow(profile, counts, nullptr, wt));
  }
  out += byProfile.render();
  if (o.byHost.size() > 1) {
    out += "\nOutcomes per host name (the URL's)\n";
    TextTable byHost(
        columns({"host", "requests", "Kerberos", "NTLM", "prompts", "failed", "SPN asked for"}, wt));
    for (const auto& [host, counts] : o.byHost) {
      auto row = countsRow(host, counts, nullptr, wt);
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
  if (r.servers.dcEvents.empty()) {
    out += "  none\n";
  }
  for (const auto& [id, n] : r.servers.dcEvents) {
    const auto status = r.servers.eventStatus.find(id);
    out += "  " + eventName(id) + ": " + withThousands(n) +
           (status == r.servers.eventStatus.end() ? std::string() : statusBreakdown(status->second)) + "\n";
    if (const auto texts = r.servers.eventMessages.find(id); texts != r.servers.eventMessages.end()) {
      // Event Viewer lists one record per occurrence; the same text is shown once here, with its count.
      for (const auto& [message, times] : texts->second) {
        out += wrap((message.empty() ? std::string("(other texts)") : "\"" + message + "\"") + " (" +
                        withThousands(times) + (times == 1 ? " time)" : " times)"),
                    "    ");
      }
    }
  }
  // Netlogon's 5816-5819 are in the System log of the server whose secure channel waited: the front-end.
  std::string nodeEvents;
  for (const auto& n : r.servers.nodes) {
    for (const auto& [id, count] : n.events) {
      nodeEvents += "  " + n.name + " (" + n.account + ", secure channel to " + n.dc + ") " + eventName(id) +
                    ": " + withThousands(count) + "\n";
    }
  }
  if (!nodeEvents.empty()) {
    out += "\nEvents on the front-ends (each node's System log)\n" + nodeEvents;
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
  return out;
}

}  // namespace kerbpool::scenarios::report_sections
