// The report as one JSON document, written with nlohmann_json (scenarios/ links it privately; nothing else in
// the runner depends on it).
#include <nlohmann/json.hpp>

#include "scenarios/report.hpp"

namespace kerbpool::scenarios {

namespace {

using json = nlohmann::ordered_json;
using client::OutcomeKind;

json counts(const OutcomeCounts& c) {
  return json{{"requests", c.total()},
              {"kerberos", c.kerberos},
              {"ntlm", c.ntlm},
              {"prompt", c.prompt},
              {"failed", c.failed},
              {"anonymous", c.anonymous},
              {"webticket", c.webticket},
              {"kerberos_percent", c.percent(OutcomeKind::Kerberos)},
              {"ntlm_percent", c.percent(OutcomeKind::Ntlm)},
              {"webticket_percent", c.percent(OutcomeKind::WebTicket)}};
}

json latency(const std::vector<std::uint32_t>& micros) {
  const auto l = summarize(micros);
  return json{{"count", l.count},  {"p50_ms", l.p50Ms}, {"p95_ms", l.p95Ms},
              {"p99_ms", l.p99Ms}, {"max_ms", l.maxMs}, {"mean_ms", l.meanMs}};
}

json steps(const std::vector<AdminStep>& list) {
  json out = json::array();
  for (const auto& s : list) {
    out.push_back(json{{"command", s.command}, {"output", s.output}});
  }
  return out;
}

}  // namespace

std::string formatReportJson(const RunReport& r) {
  const auto& o = r.population.outcomes;
  json j;
  j["scenario"] = r.scenario.name;
  j["title"] = r.scenario.title;
  j["product"] = r.scenario.product == Product::Exchange ? "exchange" : "lync";
  j["seed"] = r.scenario.seed;
  j["transport"] = std::string(toString(r.scenario.transport));
  if (!r.httpInProcess.empty()) {
    j["http_in_process"] = r.httpInProcess;
    j["http_in_process_connections"] = r.httpInProcessConnections;
  }
  j["passed"] = r.passed();
  j["violations"] = r.violations;
  j["wall_seconds"] = std::chrono::duration<double>(r.population.wall).count();
  j["clients"] = r.population.clients;
  j["threads"] = r.population.threads;
  j["setup"] = steps(r.setup);
  j["overall"] = counts(o.overall);
  if (const WebTicketFigures f = r.webTickets(); f.clients > 0) {
    json signIns = json::object();
    for (const auto& [profile, c] : o.signInsByProfile) {
      signIns[profile] = counts(c);
    }
    j["web_tickets"] =
        json{{"clients", f.clients},
             {"requests", f.requests},
             {"with_ticket", f.withTicket},
             {"sign_ins", counts(f.signIns)},
             {"sign_ins_by_profile", signIns},
             {"ticket_refusals", o.ticketRefusals},
             {"hours", f.hours},
             {"simulated", r.population.simulatedHours > 0},
             {"ntlm_sign_ins_per_user_hour", f.ntlmSignInsPerUserHour},
             {"other_ntlm_per_user_hour", f.otherNtlmPerUserHour},
             {"certificates",
              json{{"issued", o.certificatesIssued},
                   {"sign_ins", o.certificateSignIns},
                   {"sign_ins_by_profile", o.certificateSignInsByProfile},
                   {"refusals", o.certificateRefusals},
                   {"default_validity_period_hours", r.scenario.pool.defaultValidityPeriodHours}}}};
  }
  if (const auto accounts = r.disabledAccounts(); !accounts.empty()) {
    json list = json::array();
    for (const auto& d : accounts) {
      json a{{"user", d.user},
             {"disabled_at_hour", d.disabledAt},
             {"requests", d.requests},
             {"served", d.served},
             {"certificate_sign_ins", d.certificateSignIns},
             {"windows_sign_ins", d.windowsSignIns},
             {"kerberos_sign_ins", d.kerberosSignIns},
             {"refused_sign_ins", d.refusedSignIns}};
      a["enabled_at_hour"] = d.enabledAt ? json(*d.enabledAt) : json(nullptr);
      a["last_served_hour"] = d.lastServed ? json(*d.lastServed) : json(nullptr);
      if (d.revokedAt) {
        a["revoked_at_hour"] = *d.revokedAt;
        a["requests_after_revoke"] = d.requestsAfterRevoke;
        a["served_after_revoke"] = d.servedAfterRevoke;
      }
      list.push_back(std::move(a));
    }
    j["disabled_accounts"] = std::move(list);
  }
  j["latency"] = latency(o.latencyMicros);
  json byKind = json::object();
  for (const auto& [kind, v] : o.latencyByKind) {
    byKind[kind] = latency(v);
  }
  j["latency_by_outcome"] = byKind;

  const auto diagnoses = diagnosePhases(r);
  json phases = json::array();
  for (std::size_t i = 0; i < o.byPhase.size(); ++i) {
    json p;
    p["label"] = i < r.population.phases.size() ? r.population.phases[i].label : "";
    p["start_percent"] = i < r.population.phases.size() ? r.population.phases[i].startPercent : 0.0;
    p["steps"] = i < r.population.phases.size() ? steps(r.population.phases[i].steps) : json::array();
    p["outcomes"] = counts(o.byPhase[i]);
    p["internal_outcomes"] = counts(o.internalByPhase[i]);
    p["latency"] = latency(o.latencyByPhase[i]);
    if (i < r.phaseCounters.size()) {
      const auto& pc = r.phaseCounters[i];
      p["netlogon_calls"] = pc.netlogonCalls;
      p["netlogon_timeouts"] = pc.semaphoreTimeouts;
      p["kdc_requests"] = pc.kdcRequests;
      p["kdc_errors"] = pc.kdcErrors;
      json ev = json::object();
      for (const auto& [id, n] : pc.events) {
        ev[std::to_string(id)] = n;
      }
      p["events"] = ev;
      p["node_refusals"] = pc.deniedByNode;
    }
    p["findings"] = diagnoses[i].findings;
    p["fixes"] = diagnoses[i].fixes;
    json reasons = json::array();
    for (const auto& [key, n] : o.reasons) {
      const auto& [phase, kind, reason] = key;
      if (phase == i && reasons.size() < 20) {
        reasons.push_back(json{{"outcome", kind}, {"reason", reason}, {"count", n}});
      }
    }
    p["reasons"] = reasons;
    phases.push_back(p);
  }
  j["phases"] = phases;

  json nodes = json::array();
  for (const auto& n : r.servers.nodes) {
    json node{{"name", n.name},
              {"account", n.account},
              {"secure_channel_dc", n.dc},
              {"port", n.port},
              {"up", n.up},
              {"requests", n.stats.requests},
              {"allowed", n.stats.allowed},
              {"challenged", n.stats.challenged},
              {"denied", n.stats.denied},
              {"denied_by_reason", n.stats.deniedByReason}};
    if (auto it = o.byNode.find(n.name); it != o.byNode.end()) {
      node["outcomes"] = counts(it->second);
    }
    json nodeEvents = json::object();
    for (const auto& [id, count] : n.events) {
      nodeEvents[std::to_string(id)] = count;
    }
    node["events"] = nodeEvents;  // the node's System log: Netlogon 5816-5819
    nodes.push_back(node);
  }
  j["nodes"] = nodes;
  json profiles = json::object();
  for (const auto& [name, c] : o.byProfile) {
    profiles[name] = counts(c);
  }
  j["profiles"] = profiles;
  json hosts = json::object();
  for (const auto& [name, c] : o.byHost) {
    hosts[name] = counts(c);
    if (auto it = o.spnsByHost.find(name); it != o.spnsByHost.end()) {
      hosts[name]["spns"] = it->second;
    }
  }
  j["hosts"] = hosts;
  j["kdc"] = json{
      {"requests", r.servers.kdcRequests}, {"errors", r.servers.kdcErrors}, {"issued", r.servers.kdcIssued}};
  json dcs = json::array();
  for (const auto& dc : r.servers.dcs) {
    json counts = json::object();
    for (const auto& [status, n] : dc.netlogon.byStatus) {
      counts[std::string(netlogon::toString(status))] = n;
    }
    dcs.push_back(json{{"name", dc.name},
                       {"version", dc.version},
                       {"kdc_port", dc.kdcPort},
                       {"max_concurrent_api", dc.maxConcurrentApi},
                       {"hold_ms", dc.holdMs},
                       {"secure_channels", dc.channels},
                       {"kdc_requests", dc.kdcRequests},
                       {"kdc_errors", dc.kdcErrors},
                       {"netlogon_calls", dc.netlogon.requests},
                       {"netlogon_by_status", counts}});
  }
  j["domain_controllers"] = dcs;
  const auto& sem = r.servers.semaphore;
  j["netlogon"] = json{{"calls", r.servers.netlogonCalls},
                       {"by_status", r.servers.netlogonByStatus},
                       {"max_concurrent_api", r.maxConcurrentApi},
                       {"semaphore_acquires", sem.semaphoreAcquires},
                       {"semaphore_timeouts", sem.semaphoreTimeouts},
                       {"max_waiters", sem.maxWaiters},
                       {"average_hold_seconds", sem.averageSemaphoreHoldTime}};
  json events = json::object();
  for (const auto& [id, n] : r.servers.dcEvents) {
    events[std::to_string(id)] = n;
  }
  j["events"] = events;  // the DCs' logs; the nodes' are under nodes[].events
  json eventStatus = json::object();
  for (const auto& [id, byStatus] : r.servers.eventStatus) {
    eventStatus[std::to_string(id)] = byStatus;
  }
  j["events_by_status"] = eventStatus;
  json probes = json::array();
  for (const auto& p : r.probes) {
    probes.push_back(json{{"when", p.when},
                          {"target", p.target},
                          {"probe", p.probe},
                          {"status", p.status},
                          {"violation", p.violation},
                          {"note", p.note}});
  }
  j["probes"] = probes;
  j["violation_samples"] = o.violationSamples;
  json expectations = json::array();
  for (const auto& e : r.expectations) {
    json x{{"metric", e.metric}, {"passed", e.passed}};
    x["value"] = e.value ? json(*e.value) : json(nullptr);
    x["min"] = e.min ? json(*e.min) : json(nullptr);
    x["max"] = e.max ? json(*e.max) : json(nullptr);
    expectations.push_back(x);
  }
  j["expectations"] = expectations;
  if (r.capture) {
    const auto& c = *r.capture;
    j["capture"] = json{{"file", c.packets.path},
                        {"packets", c.packets.packets},
                        {"bytes", c.packets.bytes},
                        {"hosts", c.packets.hosts},
                        {"capped_packets", c.packets.capped},
                        {"max_bytes", c.packets.maxBytes},
                        {"dropped_packets", c.packets.dropped},
                        {"keytab", c.keytabPath},
                        {"keytab_keys", c.keytabKeys},
                        {"tls_key_log", c.keyLogPath},
                        {"tls_secrets", c.keyLogLines},
                        {"lab_network", c.labNetwork}};
  }
  return j.dump(2) + "\n";
}

}  // namespace kerbpool::scenarios
