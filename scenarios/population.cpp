#include "scenarios/population.hpp"

#include <algorithm>
#include <barrier>
#include <cctype>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "client/http_connection.hpp"
#include "client/kdc_network.hpp"
#include "client/kerberos_client.hpp"
#include "client/negotiate_http_client.hpp"
#include "client/string_to_key_cache.hpp"
#include "client/web_ticket_session.hpp"
#include "core/common/thread_name.hpp"
#include "kdc/event_log.hpp"
#include "scenarios/in_process_kdc.hpp"
#include "scenarios/timeline_gate.hpp"

namespace kerbpool::scenarios {

namespace {

constexpr unsigned kThreadCap = 512;

client::ClientProfile toClientProfile(const ClientProfileSpec& s) {
  client::ClientProfile p;
  p.name = s.name;
  p.kdcReachable = s.kdcReachable;
  p.tryKerberos = s.tryKerberos;
  p.ntlmAllowed = s.ntlmAllowed;
  p.ntlmCarrier = s.rawNtlm ? client::NtlmCarrier::NtlmScheme : client::NtlmCarrier::Negotiate;
  p.promptOnKerberosFailure = s.promptOnKerberosFailure;
  p.includePortInSpn = s.includePortInSpn;
  p.canonicalizeCname = s.canonicalizeCname;
  p.spnFromAddress = s.spnFromAddress;
  return p;
}

// Workstation n's own loopback address, so that the load balancer's source affinity sees distinct clients.
std::string workstationAddress(std::uint64_t n) {
  return "127." + std::to_string(1 + (n / 62500) % 200) + "." + std::to_string((n / 250) % 250) + "." +
         std::to_string(1 + n % 250);
}

struct Group {
  const ClientGroupSpec* spec = nullptr;
  client::ClientProfile profile;
  std::string profileName;
  std::vector<std::int32_t> enctypes{18, 17};  // offered in AS-REQ and TGS-REQ
  std::string host;
  std::vector<std::string> urls;  // one per path of the profile (the pool's path when it names none)
  // The profile's autodiscover request, first of each client (empty: none).
  std::string autodiscoverHost;
  std::string autodiscoverUrl;
  int connections = 1;
  bool connectionPerRequest = false;
  std::vector<SignInTraceContext> traceContexts;  // per first-choice DC (PopulationOptions::traces)
  std::uint64_t firstClient = 0;                  // global index of its first client
  std::atomic<std::uint64_t> next{0};
  unsigned threads = 1;
  bool webTicket = false;  // Lync's web-ticket client: urls are then paths under webOrigin
  bool clientCertificate = false;
  bool passwordGrant = false;
  std::string webOrigin;
  std::vector<std::string> webPaths;
};

// One workstation and its user: its Kerberos client, its connections, its web ticket.
struct ClientState {
  Group* group = nullptr;
  std::unique_ptr<core::SeededRng> ownRng;  // simulated time: each client keeps its own across rounds
  client::WorkstationUser user;
  std::unique_ptr<client::KdcTransport> sourced;  // over loopback, or in process (Scenario::transport)
  std::unique_ptr<SignInTap> tap;
  std::unique_ptr<client::KerberosClient> kerberos;
  // One client per connection the application keeps (Outlook: mail and address book), sharing the
  // workstation's tickets: each connection authenticates on its own.
  std::vector<std::unique_ptr<client::NegotiateHttpClient>> connections;
  std::unique_ptr<client::WebTicketSession> webTickets;
  RecordedRequest record;
};

class Runner {
 public:
  Runner(PoolWorld& world, const core::Clock& clock, const PopulationOptions& options)
      : world_(world), scenario_(world.scenario()), clock_(clock), options_(options), start_(clock.now()) {}

  PopulationResult run();

 private:
  void worker(Group& group, unsigned threadIndex);
  bool stopped() const { return options_.stop != nullptr && options_.stop->load(); }
  void simulateClient(Group& group, std::uint64_t index, core::Rng& rng, OutcomeCollector& out);
  std::unique_ptr<ClientState> makeClient(Group& group, std::uint64_t index, core::Rng& rng);
  void runRequest(ClientState& c, int n, OutcomeCollector& out);
  // Simulated time: round n runs request n of every client, then the clock moves one step.
  void runRounds();
  void maybeFire();
  void addTraceContexts(Group& group);
  PopulationProgress progress() const;

  PoolWorld& world_;
  const Scenario& scenario_;
  const core::Clock& clock_;
  const PopulationOptions& options_;
  const core::TimePoint start_;  // for the hours of watched users' requests

  std::vector<std::unique_ptr<Group>> groups_;
  std::map<std::string, std::unique_ptr<core::OffsetClock>> clocks_;  // per profile
  std::unique_ptr<client::HttpClientRuntime> http_;
  std::vector<std::unique_ptr<client::KdcNetwork>> kdcNetworks_;     // one per first-choice DC
  std::vector<std::unique_ptr<InProcessKdcNetwork>> inProcessKdcs_;  // the same, Transport::InProcess
  client::StringToKeyCache keyCache_;
  std::string domain_;
  bool traceInternalOnly_ = false;  // some group tries Kerberos: trace only such clients

  std::uint64_t total_ = 0;
  std::atomic<std::uint64_t> completed_{0};
  std::atomic<std::uint64_t> kinds_[6] = {};
  std::atomic<std::size_t> phase_{0};
  TimelineGate gate_;
  std::mutex timelineMu_;
  std::vector<PhaseInfo> phases_;

  std::mutex mergeMu_;
  OutcomeCollector merged_;

  // Simulated time (options_.simulatedClock with the scenario's simulated_time).
  bool simulated_ = false;
  int rounds_ = 0;
  std::atomic<int> simRound_{0};
  core::Micros step_{0};
  std::vector<std::unique_ptr<ClientState>> clients_;  // by global index
  std::vector<Group*> groupOf_;                        // by global index
  unsigned roundThreads_ = 1;
};

PopulationResult Runner::run() {
  core::Stopwatch watch;
  http_ = std::make_unique<client::HttpClientRuntime>();
  http_->useInProcessNetwork(world_.inProcessHttp());
  // The DC locator: workstation c asks DC (c mod count) first, then the others in turn.
  for (std::size_t first = 0; first < world_.dcCount(); ++first) {
    client::KdcNetworkOptions kn;
    for (std::size_t k = 0; k < world_.dcCount(); ++k) {
      kn.kdcs.push_back(client::KdcAddress{"127.0.0.1", world_.kdcPort((first + k) % world_.dcCount())});
    }
    kdcNetworks_.push_back(std::make_unique<client::KdcNetwork>(kn));
    std::vector<InProcessKdcNetwork::Dc> dcs;
    for (std::size_t k = 0; k < world_.dcCount(); ++k) {
      const std::size_t dc = (first + k) % world_.dcCount();
      dcs.push_back(InProcessKdcNetwork::Dc{world_.dcName(dc), &world_.kdcService(dc)});
    }
    inProcessKdcs_.push_back(std::make_unique<InProcessKdcNetwork>(std::move(dcs)));
  }
  domain_ = world_.netbiosDomain();
  merged_ = OutcomeCollector(scenario_.timeline.size() + 1);
  phases_.push_back(PhaseInfo{"the whole run", 0, {}, ""});
  if (!scenario_.timeline.empty()) {
    const std::string& next = scenario_.timeline.front().label;
    phases_.front().label = next.rfind("after ", 0) == 0 ? "before " + next.substr(6) : "before " + next;
  }

  const std::uint16_t lbPort = world_.lbPort();
  (void)lbPort;
  std::uint64_t first = 0;
  unsigned wanted = 0;
  for (const auto& spec : scenario_.clients) {
    auto g = std::make_unique<Group>();
    g->spec = &spec;
    const ClientProfileSpec* ps = scenario_.profile(spec.profile);
    g->profile = ps != nullptr ? toClientProfile(*ps) : client::ClientProfile::internalPc();
    g->profileName = spec.profile;
    if (ps != nullptr) {
      g->enctypes = ps->enctypes;
    }
    g->host = spec.host.empty() ? scenario_.pool.fqdn : spec.host;
    const std::string scheme = scenario_.pool.tls ? "https://" : "http://";
    const std::vector<std::string> paths =
        ps != nullptr && !ps->paths.empty() ? ps->paths : std::vector<std::string>{scenario_.pool.path};
    for (const auto& path : paths) {
      g->urls.push_back(scheme + g->host + ":" + std::to_string(world_.portFor(g->host)) + path);
    }
    if (ps != nullptr && ps->webTicket) {
      g->webTicket = true;
      g->clientCertificate = ps->clientCertificate;
      g->passwordGrant = ps->passwordGrant;
      g->webOrigin = scheme + g->host + ":" + std::to_string(world_.portFor(g->host));
      g->webPaths = paths;
    }
    if (ps != nullptr && ps->autodiscover) {
      g->autodiscoverHost = "autodiscover." + world_.lab().directory().dnsDomain();
      g->autodiscoverUrl = scheme + g->autodiscoverHost + ":" +
                           std::to_string(world_.portFor(g->autodiscoverHost)) +
                           "/autodiscover/autodiscover.xml";
    }
    g->connections = ps != nullptr ? ps->connections : 1;
    g->connectionPerRequest = spec.connectionPerRequest || (ps != nullptr && ps->connectionPerRequest);
    g->firstClient = first;
    first += static_cast<std::uint64_t>(spec.count);
    total_ += static_cast<std::uint64_t>(spec.count) * static_cast<std::uint64_t>(spec.requests);
    g->threads = static_cast<unsigned>(std::max(1, std::min(spec.concurrency, spec.count)));
    wanted += g->threads;
    if (options_.traces != nullptr) {
      addTraceContexts(*g);
      traceInternalOnly_ =
          traceInternalOnly_ || (g->profile.kdcReachable && g->profile.tryKerberos && !(ps && ps->webTicket));
    }
    if (!clocks_.count(spec.profile)) {
      clocks_[spec.profile] = std::make_unique<core::OffsetClock>(clock_, core::Micros(0));
    }
    groups_.push_back(std::move(g));
  }
  const unsigned cap = std::min(options_.maxThreads == 0 ? kThreadCap : options_.maxThreads, kThreadCap);
  if (wanted > cap) {
    for (auto& g : groups_) {
      g->threads = std::max(1u, static_cast<unsigned>(static_cast<std::uint64_t>(g->threads) * cap / wanted));
    }
  }

  simulated_ = options_.simulatedClock != nullptr && scenario_.simulatedHours > 0;
  if (simulated_) {
    for (const auto& g : groups_) {
      rounds_ = std::max(rounds_, g->spec->requests);
      for (int i = 0; i < g->spec->count; ++i) {
        groupOf_.push_back(g.get());
      }
    }
    clients_.resize(groupOf_.size());
    step_ = core::Micros(static_cast<std::int64_t>(scenario_.simulatedHours * 3600e6 / std::max(1, rounds_)));
    roundThreads_ = options_.serial ? 1u : std::max(1u, std::min(wanted, cap));
  }

  maybeFire();  // events at 0 %
  std::vector<std::thread> threads;
  unsigned started = 0;
  if (simulated_) {
    started = roundThreads_;
    threads.emplace_back([this] { runRounds(); });
  } else if (options_.serial) {
    // One client at a time, the groups in the file's order: nothing interleaves, so a seeded run repeats its
    // outcome counts exactly.
    started = 1;
    threads.emplace_back([this] {
      for (auto& g : groups_) {
        worker(*g, 0);
      }
    });
  } else {
    for (auto& g : groups_) {
      for (unsigned t = 0; t < g->threads; ++t) {
        threads.emplace_back([this, &g, idx = started++] { worker(*g, idx); });
      }
    }
  }
  std::atomic<bool> running{true};
  std::thread reporter;
  if (options_.onProgress) {
    reporter = std::thread([&] {
      while (running.load()) {
        options_.onProgress(progress());
        for (int i = 0; i < 10 && running.load(); ++i) {
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  running.store(false);
  if (reporter.joinable()) {
    reporter.join();
    options_.onProgress(progress());
  }

  PopulationResult result;
  result.outcomes = std::move(merged_);
  result.phases = phases_;
  result.wall = watch.elapsed();
  result.threads = started;
  result.clients = first;
  result.keyCacheHits = keyCache_.hits();
  result.keyCacheMisses = keyCache_.misses();
  result.interrupted = stopped() && completed_.load() < total_;
  if (simulated_) {
    result.simulatedHours = scenario_.simulatedHours;
    result.rounds = rounds_;
    result.step = step_;
  }
  return result;
}

void Runner::runRounds() {
  std::atomic<std::uint64_t> cursor{0};
  const core::TimePoint start = options_.simulatedClock->now();
  // Between rounds no request is in flight: the clock moves one step and the events of the hour fire.
  auto between = [&]() noexcept {
    const int round = simRound_.fetch_add(1) + 1;
    cursor.store(0);
    if (round < rounds_) {
      options_.simulatedClock->jumpTo(start + step_ * round);
      maybeFire();
    }
  };
  std::barrier sync(static_cast<std::ptrdiff_t>(roundThreads_), between);
  auto work = [&](unsigned threadIndex) {
    if (threadIndex != 0) {
      core::nameThisThread("kp-client");  // thread 0 is the caller's
    }
    core::SeededRng rng(scenario_.seed * 1000003 + threadIndex);
    OutcomeCollector local(scenario_.timeline.size() + 1);
    for (int r = 0; r < rounds_; ++r) {
      for (;;) {
        const std::uint64_t i = cursor.fetch_add(1);
        if (i >= clients_.size() || stopped()) {
          break;
        }
        Group& g = *groupOf_[i];
        if (r >= g.spec->requests) {
          continue;
        }
        if (!clients_[i]) {
          clients_[i] = makeClient(g, i, rng);
        }
        runRequest(*clients_[i], r, local);
      }
      sync.arrive_and_wait();
    }
    std::lock_guard lock(mergeMu_);
    merged_.merge(local);
  };
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < roundThreads_; ++t) {
    threads.emplace_back(work, t);
  }
  work(0);
  for (auto& t : threads) {
    t.join();
  }
  clients_.clear();
}

void Runner::addTraceContexts(Group& group) {
  const auto dcs = world_.dcs();
  const auto nodes = world_.nodes();
  const std::uint16_t port = world_.portFor(group.host);
  for (std::size_t first = 0; first < std::max<std::size_t>(1, dcs.size()); ++first) {
    SignInTraceContext c;
    c.kdc = (first < dcs.size() ? dcs[first].name : std::string("DC")) + " (KDC)";
    c.frontDoor = "load balancer";
    for (const auto& n : nodes) {
      c.nodes[n.name] = {n.account, n.dc};
      if (n.port == port) {
        c.frontDoor = n.name;
        c.throughLoadBalancer = false;
      }
    }
    c.netlogonStatusOf = [this](const std::string& user) {
      const std::string account = user.substr(user.find('\\') + 1);
      std::string status;
      for (const auto& e : world_.lab().events().query(kdc::event_id::kNtlmCredentialValidation)) {
        const auto it = e.fields.find("TargetUserName");
        if (it != e.fields.end() && it->second == account) {
          const auto st = e.fields.find("Status");
          status = st == e.fields.end() ? "" : st->second;
        }
      }
      return status;
    };
    group.traceContexts.push_back(std::move(c));
  }
}

PopulationProgress Runner::progress() const {
  PopulationProgress p;
  p.phase = phase_.load();
  p.done = completed_.load();
  p.total = total_;
  p.kerberos = kinds_[0].load();
  p.ntlm = kinds_[1].load();
  p.prompt = kinds_[2].load();
  p.failed = kinds_[3].load();
  p.netlogonWaiters = world_.netlogonWaiters();
  return p;
}

void Runner::worker(Group& group, unsigned threadIndex) {
  core::nameThisThread("kp-client");
  core::SeededRng rng(scenario_.seed * 1000003 + threadIndex);
  OutcomeCollector local(scenario_.timeline.size() + 1);
  local.latencyMicros.reserve(1024);
  for (;;) {
    if (stopped()) {
      break;
    }
    const std::uint64_t i = group.next.fetch_add(1);
    if (i >= static_cast<std::uint64_t>(group.spec->count)) {
      break;
    }
    simulateClient(group, group.firstClient + i, rng, local);
  }
  std::lock_guard lock(mergeMu_);
  merged_.merge(local);
}

void Runner::simulateClient(Group& group, std::uint64_t index, core::Rng& rng, OutcomeCollector& out) {
  auto c = makeClient(group, index, rng);
  for (int n = 0; n < group.spec->requests && !stopped(); ++n) {
    if (n > 0 && group.spec->thinkTimeMs > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(group.spec->thinkTimeMs));
    }
    runRequest(*c, n, out);
  }
}

std::unique_ptr<ClientState> Runner::makeClient(Group& group, std::uint64_t index, core::Rng& threadRng) {
  auto c = std::make_unique<ClientState>();
  c->group = &group;
  core::Rng* rngp = &threadRng;
  if (simulated_) {
    c->ownRng = std::make_unique<core::SeededRng>(scenario_.seed * 7919 + index);
    rngp = c->ownRng.get();
  }
  core::Rng& rng = *rngp;
  const core::Clock& clock = *clocks_.at(group.profileName);
  c->user.user = clientUser(scenario_.users, index);
  c->user.domain = domain_;
  c->user.password = scenario_.users.password;
  c->user.workstation = "WS" + std::to_string(10000 + index);

  // The workstation's own address for its KDC exchanges too, as for its HTTP connections.
  if (scenario_.transport == Transport::InProcess) {
    c->sourced = std::make_unique<InProcessKdcTransport>(*inProcessKdcs_[index % inProcessKdcs_.size()],
                                                         workstationAddress(index));
  } else {
    c->sourced = std::make_unique<client::SourcedKdcTransport>(*kdcNetworks_[index % kdcNetworks_.size()],
                                                               workstationAddress(index));
  }
  client::KdcTransport& network = *c->sourced;
  if (options_.traces != nullptr) {
    c->tap = std::make_unique<SignInTap>(&network, group.traceContexts[index % group.traceContexts.size()],
                                         c->user.workstation, domain_ + "\\" + c->user.user);
  }
  if (group.profile.kdcReachable && group.profile.tryKerberos) {
    client::KerberosClientConfig kc;
    kc.realm = world_.lab().directory().realm();
    kc.as.keyCache = &keyCache_;
    kc.as.etypes = group.enctypes;
    kc.tgs.etypes = group.enctypes;
    c->kerberos = std::make_unique<client::KerberosClient>(
        c->tap ? static_cast<client::KdcTransport&>(*c->tap) : network, clock, rng, kc);
  }
  client::NegotiateHttpOptions ho;
  ho.sourceAddress = workstationAddress(index);
  ho.caFile = world_.caFile();
  ho.trace = c->tap.get();
  for (int k = 0; k < group.connections; ++k) {
    c->connections.push_back(std::make_unique<client::NegotiateHttpClient>(
        group.profile, c->user, world_.dns(), *http_, c->kerberos.get(), clock, rng, ho));
  }
  if (group.webTicket) {
    client::WebTicketSessionOptions wo;
    wo.clientCertificate = group.clientCertificate;
    wo.passwordGrant = group.passwordGrant;
    c->webTickets =
        std::make_unique<client::WebTicketSession>(*c->connections.front(), clock, group.webOrigin, wo);
  }
  c->record.profile = &group.profileName;
  c->record.user = &c->user.user;
  // A web-ticket client's requests carry its web ticket, not Kerberos: not "internal" in the metrics.
  c->record.internal = group.profile.kdcReachable && group.profile.tryKerberos && !group.webTicket;
  return c;
}

void Runner::runRequest(ClientState& c, int n, OutcomeCollector& out) {
  Group& group = *c.group;
  RecordedRequest& r = c.record;
  SignInTap* tap = c.tap.get();
  gate_.enter();
  // The phase cannot change while this request is inside the gate.
  // The sample is an internal PC's (one that tries Kerberos) when the scenario has any.
  if (tap && (r.internal || !traceInternalOnly_) && options_.traces->claim(phase_.load())) {
    tap->arm();
  }
  client::RequestOutcome outcome;
  client::WebTicketRequest web;
  if (c.webTickets) {
    // Lync: the request with the web ticket, signing in to the web services first when needed.
    web = c.webTickets->get(group.webPaths[static_cast<std::size_t>(n) % group.webPaths.size()]);
    outcome = std::move(web.outcome);
    r.host = &group.host;
  } else {
    // The application's request n: autodiscover first when it looks its settings up, then its paths in turn,
    // each on its own connection.
    const bool discover = n == 0 && !group.autodiscoverUrl.empty();
    const std::size_t step = static_cast<std::size_t>(n - (group.autodiscoverUrl.empty() ? 0 : 1));
    client::NegotiateHttpClient& browser = *c.connections[discover ? 0 : step % c.connections.size()];
    r.host = discover ? &group.autodiscoverHost : &group.host;
    outcome = browser.get(discover ? group.autodiscoverUrl : group.urls[step % group.urls.size()]);
  }
  // The phase in force when the answer came (an event waits for the requests in flight: none straddles it).
  // Read inside the gate: once this request leaves it, another thread may start the next phase.
  r.phase = phase_.load();
  gate_.leave();
  r.outcome = &outcome;
  out.record(r);
  for (const auto& signIn : web.signIns) {
    out.recordSignIn(r.phase, group.profileName, signIn.kind);
  }
  for (const auto& refusal : web.refusals) {
    ++out.ticketRefusals[refusal];
  }
  out.certificateSignIns += static_cast<std::uint64_t>(web.certificateSignIns);
  if (web.certificateSignIns > 0) {
    out.certificateSignInsByProfile[group.profileName] += static_cast<std::uint64_t>(web.certificateSignIns);
  }
  out.certificatesIssued += web.certificateProvisioned ? 1 : 0;
  for (const auto& refusal : web.certificateRefusals) {
    const auto colon = refusal.find(": ");
    ++out.certificateRefusals[colon == std::string::npos ? refusal : refusal.substr(colon + 2)];
  }
  if (!options_.watchedUsers.empty() && options_.watchedUsers.count(lowerAscii(c.user.user)) > 0) {
    OutcomeCollector::WatchedRequest w;
    w.user = c.user.user;
    w.hour = std::chrono::duration<double>(clock_.now() - start_).count() / 3600.0;
    w.outcome = outcome.kind;
    w.reason = outcome.reason.substr(0, 300);
    for (int k = 0; k < web.certificateSignIns; ++k) {
      w.signIns.push_back("certificate");
    }
    for (const auto& signIn : web.signIns) {
      const bool bought = signIn.status == 200 && (signIn.kind == client::OutcomeKind::Kerberos ||
                                                   signIn.kind == client::OutcomeKind::Ntlm);
      w.signIns.push_back(bought ? std::string(client::toString(signIn.kind)) : "refused");
    }
    out.watched.push_back(std::move(w));
  }
  if (options_.timeseries != nullptr) {
    options_.timeseries->recordRequest(outcome, group.profileName);
  }
  if (tap && tap->armed()) {
    SignInTrace trace;
    trace.phase = r.phase;
    trace.user = domain_ + "\\" + c.user.user;
    trace.workstation = c.user.workstation;
    trace.profile = group.profileName;
    trace.outcome = std::string(client::toString(outcome.kind));
    trace.reason = outcome.reason;
    trace.messages = tap->take();
    options_.traces->store(std::move(trace));
  }
  const auto k = static_cast<std::size_t>(outcome.kind);
  if (k < std::size(kinds_)) {
    kinds_[k].fetch_add(1, std::memory_order_relaxed);
  }
  // Simulated time with steps longer than IIS's idle connectionTimeout (120 s): the node has closed the
  // connection before the client's next request, which opens (and logs on to) a new one.
  if (group.connectionPerRequest || (simulated_ && step_ > std::chrono::seconds(120))) {
    for (auto& browser : c.connections) {
      browser->closeConnections();  // the next request opens a new connection (and NTLM logs on again)
    }
  }
  completed_.fetch_add(1);
  if (!simulated_) {
    maybeFire();
  }
}

void Runner::maybeFire() {
  const auto& events = scenario_.timeline;
  for (;;) {
    const std::size_t next = phase_.load();
    if (next >= events.size()) {
      return;
    }
    if (simulated_) {
      // Round n starts at hour n * step: an event fires before the first round at or after its hour.
      const double hour = static_cast<double>(simRound_.load()) * static_cast<double>(step_.count()) / 3600e6;
      if (hour + 1e-9 < events[next].atHour.value_or(0)) {
        return;
      }
    } else {
      const double done = static_cast<double>(completed_.load()) * 100.0;
      if (done < events[next].atPercent * static_cast<double>(total_)) {
        return;
      }
    }
    std::lock_guard lock(timelineMu_);
    if (phase_.load() != next) {
      continue;
    }
    const TimelineEvent& e = events[next];
    gate_.close();
    if (options_.onPhaseEnd) {
      options_.onPhaseEnd(next);
    }
    PhaseInfo info;
    info.label = e.label;
    info.startPercent = total_ == 0 ? 0 : 100.0 * static_cast<double>(completed_.load()) / total_;
    if (e.kind == TimelineEvent::Kind::ClockDrift) {
      if (auto it = clocks_.find(e.profile); it != clocks_.end()) {
        it->second->setOffset(core::Micros(static_cast<std::int64_t>(e.offsetS * 1e6)));
      }
    }
    auto steps = world_.apply(e);
    if (steps.ok()) {
      info.steps = std::move(*steps);
    } else {
      info.error = steps.error().message();
    }
    phases_.push_back(std::move(info));
    if (options_.onPhaseStart) {
      options_.onPhaseStart(next + 1);
    }
    phase_.store(next + 1);
    gate_.reopen();
  }
}

}  // namespace

std::string clientUser(const UserPopulation& users, std::uint64_t clientIndex) {
  const std::uint64_t count = users.count > 0 ? static_cast<std::uint64_t>(users.count) : 1;
  std::string n = std::to_string(clientIndex % count + 1);
  while (n.size() < 3) {
    n = "0" + n;
  }
  return users.prefix + n;
}

PopulationResult runPopulation(PoolWorld& world, const core::Clock& clock, const PopulationOptions& options) {
  Runner runner(world, clock, options);
  return runner.run();
}

}  // namespace kerbpool::scenarios
