#include "scenarios/scenario_runner.hpp"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "client/http_connection.hpp"
#include "core/common/log.hpp"
#include "kdc/event_log.hpp"

namespace kerbpool::scenarios {

namespace {

template <typename K>
std::map<K, std::uint64_t> minus(const std::map<K, std::uint64_t>& after,
                                 const std::map<K, std::uint64_t>& before) {
  std::map<K, std::uint64_t> out;
  for (const auto& [k, v] : after) {
    auto it = before.find(k);
    const std::uint64_t b = it == before.end() ? 0 : it->second;
    if (v > b) {
      out[k] = v - b;
    }
  }
  return out;
}

PhaseCounters delta(const ServerCounters& before, const ServerCounters& after) {
  PhaseCounters d;
  d.netlogonCalls = after.netlogonCalls - before.netlogonCalls;
  d.semaphoreTimeouts = after.semaphore.semaphoreTimeouts - before.semaphore.semaphoreTimeouts;
  d.kdcRequests = minus(after.kdcRequests, before.kdcRequests);
  d.kdcErrors = minus(after.kdcErrors, before.kdcErrors);
  d.events = minus(after.events, before.events);
  for (const auto& n : after.nodes) {
    std::map<std::string, std::uint64_t> prev;
    for (const auto& p : before.nodes) {
      if (p.name == n.name) {
        prev = p.stats.deniedByReason;
      }
    }
    auto denied = minus(n.stats.deniedByReason, prev);
    if (!denied.empty()) {
      d.deniedByNode[n.name] = std::move(denied);
    }
  }
  return d;
}

// Every node directly and the load balancer: an anonymous GET and a garbage Negotiate token must both be
// refused with 401. Any 200 is a violation.
std::vector<ProbeResult> probe(PoolWorld& world, const std::string& when) {
  std::vector<ProbeResult> out;
  std::vector<std::pair<std::string, std::uint16_t>> targets;
  for (const auto& n : world.nodes()) {
    targets.emplace_back(n.name, n.port);
  }
  targets.emplace_back("load balancer", world.lbPort());
  const std::vector<std::pair<std::string, std::optional<std::string>>> probes{
      {"anonymous GET", std::nullopt},
      {"garbage Negotiate token", std::string("Negotiate R0FSQkFHRS1OT1QtQS1UT0tFTg==")},
  };
  client::HttpClientRuntime runtime;
  for (const auto& [name, port] : targets) {
    for (const auto& [what, authorization] : probes) {
      client::HttpConnectionOptions co;
      co.address = "127.0.0.1";
      co.port = port;
      co.hostHeader = world.scenario().pool.fqdn;
      co.keepAlive = false;
      if (world.tls()) {
        co.tls = client::HttpTlsOptions{world.scenario().pool.fqdn, world.caFile(), true};
      }
      co.connectTimeout = std::chrono::milliseconds(2000);
      co.requestTimeout = std::chrono::milliseconds(5000);
      client::HttpConnection connection(runtime, co);
      client::HttpClientRequest request;
      request.target = world.scenario().pool.path;
      if (authorization) {
        request.headers.emplace_back("Authorization", *authorization);
      }
      ProbeResult r;
      r.when = when;
      r.target = name + " (127.0.0.1:" + std::to_string(port) + ")";
      r.probe = what;
      auto response = connection.send(request);
      if (response.ok()) {
        r.status = response->status;
        r.violation = response->status == 200;
        r.note = r.violation ? "answered 200 without valid authentication" : "refused as it must be";
      } else {
        r.note = "no answer: " + response.error().message();
      }
      out.push_back(std::move(r));
    }
  }
  return out;
}

bool check(const ExpectationResult& e) {
  if (!e.value) {
    return false;
  }
  return (!e.min || *e.value >= *e.min - 1e-9) && (!e.max || *e.value <= *e.max + 1e-9);
}

}  // namespace

bool isInternalProfile(const Scenario& scenario, const std::string& profile) {
  const ClientProfileSpec* p = scenario.profile(profile);
  return p != nullptr && p->kdcReachable && p->tryKerberos && !p->webTicket;
}

Scenario scaleClients(Scenario s, std::uint64_t total) {
  std::uint64_t before = 0;
  for (const auto& g : s.clients) {
    before += static_cast<std::uint64_t>(g.count);
  }
  if (before == 0 || s.clients.empty()) {
    return s;
  }
  total = std::max<std::uint64_t>(total, s.clients.size());
  std::uint64_t assigned = 0;
  std::vector<int> original;
  for (auto& g : s.clients) {
    original.push_back(g.count);
    const auto n = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(g.count) * total / before);
    g.count = static_cast<int>(n);
    assigned += n;
  }
  for (std::size_t i = 0; assigned < total; i = (i + 1) % s.clients.size()) {
    ++s.clients[i].count;
    ++assigned;
  }
  for (std::size_t i = 0; assigned > total; i = (i + 1) % s.clients.size()) {
    if (s.clients[i].count > 1) {
      --s.clients[i].count;
      --assigned;
    }
  }
  for (std::size_t i = 0; i < s.clients.size(); ++i) {
    auto& g = s.clients[i];
    if (g.count < original[i]) {
      g.concurrency = static_cast<int>(static_cast<std::int64_t>(g.concurrency) * g.count / original[i]);
    }
    g.concurrency = std::max(1, std::min(g.concurrency, g.count));
  }
  return s;
}

WebTicketFigures RunReport::webTickets() const {
  WebTicketFigures f;
  for (const auto& g : scenario.clients) {
    const ClientProfileSpec* p = scenario.profile(g.profile);
    (p != nullptr && p->webTicket ? f.clients : f.otherClients) += static_cast<std::uint64_t>(g.count);
  }
  for (const auto& [profile, counts] : population.outcomes.byProfile) {
    const ClientProfileSpec* p = scenario.profile(profile);
    if (p != nullptr && p->webTicket) {
      f.requests += counts.total();
      f.withTicket += counts.webticket;
    } else {
      f.otherRequests += counts.total();
      f.otherNtlm += counts.ntlm;
    }
  }
  f.signIns = population.outcomes.signIns;
  for (const auto& [what, n] : population.outcomes.ticketRefusals) {
    f.refusals += n;
  }
  f.hours = population.simulatedHours > 0 ? population.simulatedHours
                                          : std::chrono::duration<double>(population.wall).count() / 3600.0;
  if (f.hours > 0 && f.clients > 0) {
    f.ntlmSignInsPerUserHour =
        static_cast<double>(f.signIns.ntlm) / (static_cast<double>(f.clients) * f.hours);
  }
  if (f.hours > 0 && f.otherClients > 0) {
    f.otherNtlmPerUserHour =
        static_cast<double>(f.otherNtlm) / (static_cast<double>(f.otherClients) * f.hours);
  }
  return f;
}

std::vector<DisabledAccountFigures> RunReport::disabledAccounts() const {
  using Kind = TimelineEvent::Kind;
  std::vector<DisabledAccountFigures> out;
  const auto hourOf = [&](const TimelineEvent& e) {
    return e.atHour.value_or(e.atPercent / 100.0 * std::chrono::duration<double>(population.wall).count() /
                             3600.0);
  };
  for (std::size_t i = 0; i < scenario.timeline.size(); ++i) {
    const TimelineEvent& e = scenario.timeline[i];
    if (e.kind != Kind::DisableAccount) {
      continue;
    }
    DisabledAccountFigures f;
    f.user = e.user;
    f.disabledAt = hourOf(e);
    for (std::size_t k = i + 1; k < scenario.timeline.size(); ++k) {
      const TimelineEvent& later = scenario.timeline[k];
      if (later.user != e.user) {
        continue;
      }
      if (later.kind == Kind::EnableAccount && !f.enabledAt) {
        f.enabledAt = hourOf(later);
      } else if (later.kind == Kind::RevokeClientCertificate && !f.revokedAt && !f.enabledAt) {
        f.revokedAt = hourOf(later);
      }
    }
    for (const auto& w : population.outcomes.watched) {
      if (lowerAscii(w.user) != e.user || w.hour < f.disabledAt || (f.enabledAt && w.hour >= *f.enabledAt)) {
        continue;
      }
      const bool served = w.outcome == client::OutcomeKind::WebTicket;
      ++f.requests;
      f.served += served ? 1 : 0;
      if (served) {
        f.lastServed = std::max(f.lastServed.value_or(w.hour), w.hour);
      } else {
        f.lastRefusal = w.reason;
      }
      if (f.revokedAt && w.hour >= *f.revokedAt) {
        ++f.requestsAfterRevoke;
        f.servedAfterRevoke += served ? 1 : 0;
      }
      for (const auto& how : w.signIns) {
        if (how == "certificate") {
          ++f.certificateSignIns;
        } else if (how == "refused") {
          ++f.refusedSignIns;
        } else {
          ++f.windowsSignIns;
          f.kerberosSignIns += how == "kerberos" ? 1 : 0;
        }
      }
    }
    out.push_back(std::move(f));
  }
  return out;
}

std::optional<double> RunReport::metric(const std::string& name) const {
  using K = client::OutcomeKind;
  const auto& o = population.outcomes.overall;
  if (name == "webticket_percent") {
    return o.percent(K::WebTicket);
  }
  if (name == "signins" || name == "signin_kerberos" || name == "signin_ntlm" || name == "signin_failed" ||
      name == "ticket_refusals" || name == "ntlm_signins_per_user_hour" ||
      name == "other_ntlm_per_user_hour") {
    const auto f = webTickets();
    if (name == "signins") {
      return static_cast<double>(f.signIns.total());
    }
    if (name == "signin_kerberos") {
      return static_cast<double>(f.signIns.kerberos);
    }
    if (name == "signin_ntlm") {
      return static_cast<double>(f.signIns.ntlm);
    }
    if (name == "signin_failed") {
      return static_cast<double>(f.signIns.failed + f.signIns.prompt);
    }
    if (name == "ticket_refusals") {
      return static_cast<double>(f.refusals);
    }
    return name == "ntlm_signins_per_user_hour" ? f.ntlmSignInsPerUserHour : f.otherNtlmPerUserHour;
  }
  if (name == "signin_certificate") {
    return static_cast<double>(population.outcomes.certificateSignIns);
  }
  if (name == "certificates_issued") {
    return static_cast<double>(population.outcomes.certificatesIssued);
  }
  if (name == "certificate_refusals") {
    std::uint64_t n = 0;
    for (const auto& [code, count] : population.outcomes.certificateRefusals) {
      n += count;
    }
    return static_cast<double>(n);
  }
  if (name == "disabled_account_served" || name == "disabled_account_certificate_signins" ||
      name == "revoked_account_served") {
    std::uint64_t n = 0;
    for (const auto& f : disabledAccounts()) {
      n += name == "disabled_account_served"                ? f.served
           : name == "disabled_account_certificate_signins" ? f.certificateSignIns
                                                            : f.servedAfterRevoke;
    }
    return static_cast<double>(n);
  }
  if (name == "kerberos_percent") {
    return o.percent(K::Kerberos);
  }
  if (name == "ntlm_percent") {
    return o.percent(K::Ntlm);
  }
  if (name == "prompt_percent") {
    return o.percent(K::Prompt);
  }
  if (name == "failed_percent") {
    return o.percent(K::Failed);
  }
  if (name == "internal_kerberos_percent" || name == "internal_ntlm_percent") {
    OutcomeCounts internal;
    for (const auto& [profile, counts] : population.outcomes.byProfile) {
      if (isInternalProfile(scenario, profile)) {
        internal.merge(counts);
      }
    }
    return internal.percent(name == "internal_kerberos_percent" ? K::Kerberos : K::Ntlm);
  }
  if (name == "requests") {
    return static_cast<double>(o.total());
  }
  if (name == "violations") {
    return static_cast<double>(violations);
  }
  if (name.rfind("event_", 0) == 0) {
    try {
      return static_cast<double>(servers.event(std::stoi(name.substr(6))));
    } catch (...) {
      return std::nullopt;
    }
  }
  if (name == "netlogon_calls") {
    return static_cast<double>(servers.netlogonCalls);
  }
  if (name == "netlogon_timeouts") {
    return static_cast<double>(servers.semaphore.semaphoreTimeouts);
  }
  if (name == "kdc_s_principal_unknown") {
    auto it = servers.kdcErrors.find("KDC_ERR_S_PRINCIPAL_UNKNOWN");
    return it == servers.kdcErrors.end() ? 0.0 : static_cast<double>(it->second);
  }
  if (name == "no_key_for_spn" || name == "no_key_for_kvno" || name == "clock_skew") {
    return static_cast<double>(servers.deniedFor(name));
  }
  if (name == "p99_ms") {
    return summarize(population.outcomes.latencyMicros).p99Ms;
  }
  return std::nullopt;
}

bool RunReport::passed() const {
  const bool eventsApplied = std::all_of(population.phases.begin(), population.phases.end(),
                                         [](const PhaseInfo& p) { return p.error.empty(); });
  return !interrupted && violations == 0 && eventsApplied &&
         std::all_of(expectations.begin(), expectations.end(), [](const auto& e) { return e.passed; });
}

core::Result<RunReport> runScenario(const Scenario& input, const RunOptions& options) {
  RunReport report;
  report.scenario = options.clients ? scaleClients(input, *options.clients) : input;
  if (options.seed) {
    report.scenario.seed = *options.seed;
  }
  if (options.transport) {
    report.scenario.transport = *options.transport;
  }
  if (options.capture && report.scenario.transport == Transport::InProcess) {
    return core::makeError(
        core::ErrorCategory::Config, "capture_needs_loopback",
        "--pcap records packets on loopback, and with transport in-process the workstations' "
        "Kerberos exchanges and plain HTTP never reach a socket: run with --transport loopback");
  }
  for (auto& dc : report.scenario.domainControllers) {
    if (options.holdMs) {
      dc.holdTime.meanMs = *options.holdMs;
    }
    if (options.netlogonTimeoutS) {
      dc.waitTimeoutS = *options.netlogonTimeoutS;
    }
    if (options.maxConcurrentApi) {
      dc.maxConcurrentApi = *options.maxConcurrentApi;
    }
  }
  struct LogLevelGuard {
    core::LogLevel saved = core::Logger::level();
    ~LogLevelGuard() { core::Logger::setLevel(saved); }
  } restore;
  if (!options.serverLogs) {
    core::Logger::setLevel(core::LogLevel::Off);
  }
  core::SystemClock wall;
  // simulated_time: the whole world (KDC, nodes, clients) on a clock that runs at wall speed within a round
  // of requests and jumps to the next round's hour between rounds.
  std::optional<core::SteppedClock> simulated;
  if (report.scenario.simulatedHours > 0) {
    simulated.emplace(wall, wall.now());
  }
  const core::Clock& clock = simulated ? static_cast<const core::Clock&>(*simulated) : wall;
  PoolWorldOptions wo = options.world;
  if (options.maxConcurrentApi) {
    wo.maxConcurrentApi = options.maxConcurrentApi;
  }
  std::unique_ptr<RunCapture> capture;
  if (options.capture) {
    KP_TRY(capture, RunCapture::prepare(*options.capture));
  }
  KP_TRY(auto world, PoolWorld::start(report.scenario, wo, clock));
  if (capture) {
    KP_CHECK(capture->start(*world));
  }
  report.setup = world->lab().steps();
  report.maxConcurrentApi = world->maxConcurrentApi();
  report.lbPort = world->lbPort();
  if (report.scenario.transport == Transport::InProcess) {
    report.httpInProcess = world->vipInProcess()     ? "vip-and-nodes"
                           : world->nodesInProcess() ? "nodes"
                                                     : "none";
    report.httpInProcessWhyNot = world->vipNotInProcessReason();
  }
  report.kdcPort = world->kdcPort();

  report.probes = probe(*world, "start");
  std::vector<ServerCounters> snapshots{collectServerCounters(*world)};
  report.directories.push_back(snapshotDirectory(world->lab()));

  PopulationOptions po;
  po.onProgress = options.onProgress;
  po.stop = options.stop;
  po.serial = options.serial;
  po.simulatedClock = simulated ? &*simulated : nullptr;
  for (const auto& e : report.scenario.timeline) {
    if (!e.user.empty()) {
      po.watchedUsers.insert(e.user);
    }
  }
  po.onPhaseEnd = [&](std::size_t) { snapshots.push_back(collectServerCounters(*world)); };
  std::optional<TimeSeriesRecorder> timeseries;
  std::optional<SignInTraceRecorder> traces;
  std::thread sampler;
  std::mutex samplerMu;
  std::condition_variable samplerWake;
  bool samplerDone = false;
  const core::TimePoint clientsStart = clock.now();
  if (options.record) {
    timeseries.emplace();
    timeseries->baseline(sampleServers(*world));
    traces.emplace(report.scenario.timeline.size() + 1);
    po.timeseries = &*timeseries;
    po.traces = &*traces;
    // The servers' counters four times per bucket (the width grows with the run), into the current bucket:
    // sampled once per bucket, a bucket would catch two samples or none as the wake-ups drift.
    sampler = std::thread([&] {
      std::unique_lock lock(samplerMu);
      const auto period = [&] { return std::max(std::chrono::milliseconds(2), timeseries->width() / 4); };
      while (!samplerWake.wait_for(lock, period(), [&] { return samplerDone; })) {
        timeseries->recordServers(sampleServers(*world));
      }
    });
  }
  po.onPhaseStart = [&](std::size_t phase) {
    report.directories.push_back(snapshotDirectory(world->lab()));
    if (timeseries) {
      timeseries->markPhase(phase);
    }
  };
  report.population = runPopulation(*world, clock, po);
  report.interrupted = report.population.interrupted;
  if (world->inProcessHttp() != nullptr) {
    report.httpInProcessConnections = world->inProcessHttp()->connections();
  }
  report.servers = collectServerCounters(*world);
  snapshots.push_back(report.servers);
  for (std::size_t i = 0; i + 1 < snapshots.size(); ++i) {
    report.phaseCounters.push_back(delta(snapshots[i], snapshots[i + 1]));
  }
  auto end = probe(*world, "end");
  if (sampler.joinable()) {
    {
      std::lock_guard lock(samplerMu);
      samplerDone = true;
    }
    samplerWake.notify_all();
    sampler.join();
    timeseries->recordServers(sampleServers(*world));
    report.timeseries = timeseries->result();
    report.traces = traces->traces();
    for (auto& [computer, record] : world->eventRecords()) {
      const double at = std::chrono::duration<double>(record.time - clientsStart).count();
      report.eventLog.push_back(LoggedEvent{computer, at, std::move(record)});
    }
  }
  report.probes.insert(report.probes.end(), end.begin(), end.end());
  if (capture) {
    KP_TRY(report.capture, capture->finish(*world));
  }
  world->stop();

  report.violations = report.population.outcomes.violations;
  for (const auto& p : report.probes) {
    report.violations += p.violation ? 1 : 0;
  }
  for (const auto& e : report.scenario.expectations) {
    ExpectationResult r;
    r.metric = e.metric;
    r.min = e.min;
    r.max = e.max;
    r.value = report.metric(e.metric);
    r.passed = check(r);
    report.expectations.push_back(r);
  }
  return report;
}

}  // namespace kerbpool::scenarios
