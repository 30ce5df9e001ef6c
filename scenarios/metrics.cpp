#include "scenarios/metrics.hpp"

#include <algorithm>
#include <cmath>

#include "core/common/http_text.hpp"
#include "kdc/event_log.hpp"
#include "netlogon/nt_status.hpp"

namespace kerbpool::scenarios {

namespace {

constexpr std::size_t kViolationSamples = 20;

// "user001@CONTOSO.TEST", "CONTOSO\user001", "user001" -> "user001".
std::string accountPart(std::string_view name) {
  if (auto at = name.find('@'); at != std::string_view::npos) {
    name = name.substr(0, at);
  }
  if (auto slash = name.rfind('\\'); slash != std::string_view::npos) {
    name = name.substr(slash + 1);
  }
  return core::toLowerAscii(name);
}

double percentile(const std::vector<std::uint32_t>& sorted, double p) {
  if (sorted.empty()) {
    return 0;
  }
  const double rank = std::ceil(p / 100.0 * static_cast<double>(sorted.size()));
  const std::size_t index = rank < 1 ? 0 : static_cast<std::size_t>(rank) - 1;
  return sorted[std::min(index, sorted.size() - 1)] / 1000.0;
}

}  // namespace

void OutcomeCounts::add(client::OutcomeKind kind) {
  using K = client::OutcomeKind;
  switch (kind) {
    case K::Kerberos:
      ++kerberos;
      break;
    case K::Ntlm:
      ++ntlm;
      break;
    case K::Prompt:
      ++prompt;
      break;
    case K::Failed:
      ++failed;
      break;
    case K::Anonymous:
      ++anonymous;
      break;
    case K::WebTicket:
      ++webticket;
      break;
  }
}

void OutcomeCounts::merge(const OutcomeCounts& o) {
  kerberos += o.kerberos;
  ntlm += o.ntlm;
  prompt += o.prompt;
  failed += o.failed;
  anonymous += o.anonymous;
  webticket += o.webticket;
}

std::uint64_t OutcomeCounts::count(client::OutcomeKind kind) const {
  using K = client::OutcomeKind;
  switch (kind) {
    case K::Kerberos:
      return kerberos;
    case K::Ntlm:
      return ntlm;
    case K::Prompt:
      return prompt;
    case K::Failed:
      return failed;
    case K::Anonymous:
      return anonymous;
    case K::WebTicket:
      return webticket;
  }
  return 0;
}

double OutcomeCounts::percent(client::OutcomeKind kind) const {
  const auto t = total();
  return t == 0 ? 0.0 : 100.0 * static_cast<double>(count(kind)) / static_cast<double>(t);
}

LatencySummary summarize(std::vector<std::uint32_t> micros) {
  LatencySummary s;
  s.count = micros.size();
  if (micros.empty()) {
    return s;
  }
  std::sort(micros.begin(), micros.end());
  s.p50Ms = percentile(micros, 50);
  s.p95Ms = percentile(micros, 95);
  s.p99Ms = percentile(micros, 99);
  s.maxMs = micros.back() / 1000.0;
  double sum = 0;
  for (auto m : micros) {
    sum += m;
  }
  s.meanMs = sum / static_cast<double>(micros.size()) / 1000.0;
  return s;
}

OutcomeCollector::OutcomeCollector(std::size_t phases)
    : byPhase(phases), internalByPhase(phases), latencyByPhase(phases), signInsByPhase(phases) {}

void OutcomeCollector::recordSignIn(std::size_t phase, const std::string& profile, client::OutcomeKind kind) {
  signIns.add(kind);
  signInsByProfile[profile].add(kind);
  if (phase >= signInsByPhase.size()) {
    signInsByPhase.resize(phase + 1);
  }
  signInsByPhase[phase].add(kind);
}

void OutcomeCollector::record(const RecordedRequest& r) {
  const client::RequestOutcome& o = *r.outcome;
  overall.add(o.kind);
  if (r.phase >= byPhase.size()) {
    byPhase.resize(r.phase + 1);
    internalByPhase.resize(r.phase + 1);
    latencyByPhase.resize(r.phase + 1);
  }
  byPhase[r.phase].add(o.kind);
  if (r.internal) {
    internalByPhase[r.phase].add(o.kind);
  }
  byNode[o.node].add(o.kind);
  byProfile[*r.profile].add(o.kind);
  byHost[*r.host].add(o.kind);
  byPhaseNode[{r.phase, o.node}].add(o.kind);
  if (!o.spn.empty()) {
    auto& spns = spnsByHost[*r.host];
    if (spns.size() < 8) {
      spns.insert(o.spn);
    }
  }
  ++reasons[{r.phase, std::string(client::toString(o.kind)), o.reason}];
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(o.latency).count();
  const auto clamped = static_cast<std::uint32_t>(std::clamp<long long>(us, 0, 0xffffffffLL));
  latencyMicros.push_back(clamped);
  latencyByPhase[r.phase].push_back(clamped);
  latencyByKind[std::string(client::toString(o.kind))].push_back(clamped);

  // The runner's own safety check: a protected request answered 200 must be an authenticated one, for the
  // very user of this workstation.
  if (o.status == 200) {
    const bool authenticated = o.kind == client::OutcomeKind::Kerberos ||
                               o.kind == client::OutcomeKind::Ntlm ||
                               o.kind == client::OutcomeKind::WebTicket;
    if (!authenticated) {
      addViolation("200 from node '" + o.node + "' for " + *r.user + " without authentication (outcome " +
                   std::string(client::toString(o.kind)) + ": " + o.reason + ")");
    } else if (accountPart(o.user) != core::toLowerAscii(*r.user)) {
      addViolation("200 from node '" + o.node + "' for " + *r.user + " named another user: '" + o.user + "'");
    }
  }
}

void OutcomeCollector::addViolation(std::string text) {
  ++violations;
  if (violationSamples.size() < kViolationSamples) {
    violationSamples.push_back(std::move(text));
  }
}

void OutcomeCollector::merge(const OutcomeCollector& o) {
  overall.merge(o.overall);
  if (o.byPhase.size() > byPhase.size()) {
    byPhase.resize(o.byPhase.size());
    internalByPhase.resize(o.byPhase.size());
    latencyByPhase.resize(o.byPhase.size());
  }
  for (std::size_t i = 0; i < o.byPhase.size(); ++i) {
    byPhase[i].merge(o.byPhase[i]);
    internalByPhase[i].merge(o.internalByPhase[i]);
    latencyByPhase[i].insert(latencyByPhase[i].end(), o.latencyByPhase[i].begin(), o.latencyByPhase[i].end());
  }
  for (const auto& [k, v] : o.byNode) {
    byNode[k].merge(v);
  }
  for (const auto& [k, v] : o.byProfile) {
    byProfile[k].merge(v);
  }
  for (const auto& [k, v] : o.byHost) {
    byHost[k].merge(v);
  }
  for (const auto& [k, v] : o.byPhaseNode) {
    byPhaseNode[k].merge(v);
  }
  for (const auto& [k, v] : o.spnsByHost) {
    spnsByHost[k].insert(v.begin(), v.end());
  }
  for (const auto& [k, v] : o.reasons) {
    reasons[k] += v;
  }
  latencyMicros.insert(latencyMicros.end(), o.latencyMicros.begin(), o.latencyMicros.end());
  for (const auto& [k, v] : o.latencyByKind) {
    auto& mine = latencyByKind[k];
    mine.insert(mine.end(), v.begin(), v.end());
  }
  signIns.merge(o.signIns);
  if (o.signInsByPhase.size() > signInsByPhase.size()) {
    signInsByPhase.resize(o.signInsByPhase.size());
  }
  for (std::size_t i = 0; i < o.signInsByPhase.size(); ++i) {
    signInsByPhase[i].merge(o.signInsByPhase[i]);
  }
  for (const auto& [k, v] : o.signInsByProfile) {
    signInsByProfile[k].merge(v);
  }
  certificateSignIns += o.certificateSignIns;
  certificatesIssued += o.certificatesIssued;
  for (const auto& [k, v] : o.certificateSignInsByProfile) {
    certificateSignInsByProfile[k] += v;
  }
  for (const auto& [k, v] : o.certificateRefusals) {
    certificateRefusals[k] += v;
  }
  watched.insert(watched.end(), o.watched.begin(), o.watched.end());
  for (const auto& [k, v] : o.ticketRefusals) {
    ticketRefusals[k] += v;
  }
  violations += o.violations;
  for (const auto& v : o.violationSamples) {
    if (violationSamples.size() < kViolationSamples) {
      violationSamples.push_back(v);
    }
  }
}

std::uint64_t ServerCounters::deniedFor(const std::string& code) const {
  std::uint64_t n = 0;
  for (const auto& node : nodes) {
    n += node.stats.deniedFor(code);
  }
  return n;
}

std::uint64_t ServerCounters::event(int id) const {
  auto it = events.find(id);
  return it == events.end() ? 0 : it->second;
}

ServerCounters collectServerCounters(PoolWorld& world) {
  ServerCounters c;
  c.dcs = world.dcs();
  for (const auto& dc : c.dcs) {
    for (const auto& [k, n] : dc.kdcRequests) {
      c.kdcRequests[k] += n;
    }
    for (const auto& [k, n] : dc.kdcErrors) {
      c.kdcErrors[k] += n;
    }
    for (const auto& [k, n] : dc.kdcIssued) {
      c.kdcIssued[k] += n;
    }
    c.netlogonCalls += dc.netlogon.requests;
    for (const auto& [status, n] : dc.netlogon.byStatus) {
      c.netlogonByStatus[netlogon::toString(status)] += n;
    }
  }
  c.nodes = world.nodes();
  for (const auto& n : c.nodes) {
    if (n.channel) {
      c.semaphore.semaphoreAcquires += n.channel->semaphoreAcquires;
      c.semaphore.semaphoreTimeouts += n.channel->semaphoreTimeouts;
      c.semaphore.semaphoreWaiters += n.channel->semaphoreWaiters;
      c.semaphore.semaphoreHolders += n.channel->semaphoreHolders;
      c.semaphore.maxWaiters = std::max(c.semaphore.maxWaiters, n.channel->maxWaiters);
      c.semaphore.averageSemaphoreHoldTime =
          std::max(c.semaphore.averageSemaphoreHoldTime, n.channel->averageSemaphoreHoldTime);
    }
  }
  auto& events = world.lab().events();
  c.dcEvents = events.counters();
  c.events = c.dcEvents;
  for (const auto& n : c.nodes) {
    for (const auto& [id, count] : n.events) {
      c.events[id] += count;
    }
  }
  c.event11Messages = events.countsByMessage(kdc::event_id::kDuplicateName);
  for (int id :
       {kdc::event_id::kDuplicateName, kdc::event_id::kMissingKeyAs, kdc::event_id::kMissingKeyTgs,
        kdc::event_id::kNoSuitableKeyAs, kdc::event_id::kNoSuitableKeyTgs, kdc::event_id::kValueNotUnique}) {
    if (auto texts = events.countsByMessage(id); !texts.empty()) {
      c.eventMessages[id] = std::move(texts);
    }
  }
  for (int id : {kdc::event_id::kTgtRequested, kdc::event_id::kServiceTicketRequested}) {
    if (auto byStatus = events.countsByStatus(id); !byStatus.empty()) {
      c.eventStatus[id] = std::move(byStatus);
    }
  }
  c.lb = world.lbStats();
  return c;
}

}  // namespace kerbpool::scenarios
