#include "scenarios/pool_world.hpp"

#include "core/crypto/crypto_rng.hpp"

#include <algorithm>

#include "core/common/http_text.hpp"
#include "frontend/frontend_config.hpp"
#include "frontend/node_credentials.hpp"
#include "frontend/ntlm_handler.hpp"
#include "frontend/secure_channel.hpp"
#include "kdc/kdc_server.hpp"
#include "loadbalancer/lb_server.hpp"
#include "net/http_server.hpp"
#include "scenarios/directory_key_source.hpp"

namespace kerbpool::scenarios {

namespace {

using core::ErrorCategory;
using core::makeError;

netlogon::HoldDistribution holdDistribution(const std::string& model) {
  if (model == "exponential") {
    return netlogon::HoldDistribution::Exponential;
  }
  if (model == "lognormal") {
    return netlogon::HoldDistribution::LogNormal;
  }
  return netlogon::HoldDistribution::Fixed;
}

}  // namespace

struct PoolWorld::Dc {
  DomainControllerSpec spec;
  int maxConcurrentApi = 10;
  core::SeededRng rng;
  std::unique_ptr<kdc::KdcService> kdc;
  std::unique_ptr<kdc::KdcServer> server;
  std::unique_ptr<kdc::NetlogonService> netlogon;

  explicit Dc(std::uint64_t seed) : rng(seed) {}
};

struct PoolWorld::Node {
  std::string name;
  std::string account;
  std::size_t dc = 0;  // index of its secure channel's DC
  std::uint16_t port = 0;
  core::SeededRng rng;
  frontend::RealTimeDelay delay;
  std::unique_ptr<core::OffsetClock> clock;  // the node's own clock (`kerbpool lab clock-drift`)
  std::unique_ptr<kdc::EventLog> systemLog;  // the node's System log (Netlogon 5816-5819)
  std::unique_ptr<frontend::ChannelThrottle> throttle;
  std::unique_ptr<frontend::InProcessSecureChannel> channel;
  std::unique_ptr<frontend::NtlmPassThroughHandler> ntlm;
  std::unique_ptr<frontend::FrontendNode> node;
  std::unique_ptr<net::HttpServer> server;
  unsigned requestThreads = 0;  // its server's pool for requests that wait for the DC

  explicit Node(std::uint64_t seed) : rng(seed) {}
};

struct PoolWorld::Lb {
  std::unique_ptr<loadbalancer::LbServer> server;
};

PoolWorld::PoolWorld(const Scenario& scenario, const core::Clock& clock)
    : scenario_(scenario), clock_(clock), lbRng_(scenario.seed * 7919 + 2) {}

PoolWorld::~PoolWorld() {
  stop();
}

core::Result<std::unique_ptr<PoolWorld>> PoolWorld::start(const Scenario& scenario,
                                                          const PoolWorldOptions& options,
                                                          const core::Clock& clock) {
  std::unique_ptr<PoolWorld> w(new PoolWorld(scenario, clock));
  KP_TRY(w->lab_, LabDirectory::build(w->scenario_, clock));

  KP_CHECK(w->startDcs(options));
  w->nodeThreads_ = options.nodeThreads;
  if (w->scenario_.pool.tls) {
    auto made = options.certificates ? LabCertificates::load(*options.certificates)
                                     : LabCertificates::create(w->scenario_, clock);
    if (!made.ok()) {
      return std::move(made).error().within("the pool's TLS certificate");
    }
    w->certificates_ = std::move(*made);
  }
  KP_CHECK(w->startNodes(options));

  loadbalancer::LbConfig lc;
  KP_TRY(lc.mode, loadbalancer::parseMode(w->scenario_.pool.loadBalancer.mode));
  KP_TRY(lc.policy, loadbalancer::parsePolicy(w->scenario_.pool.loadBalancer.policy));
  KP_TRY(lc.affinity, loadbalancer::parseAffinity(w->scenario_.pool.loadBalancer.affinity));
  KP_TRY(lc.connectionModel,
         loadbalancer::parseConnectionModel(w->scenario_.pool.loadBalancer.connectionModel));
  lc.threads = options.lbThreads;
  lc.port = options.lbPort;
  lc.health.interval = options.healthInterval;
  // A stopped node refuses the probe's connection at once, so one failed probe (fall 1) finds it within an
  // interval. A node that is only slow (one I/O thread busy with crypto, a loaded machine, TLS under a
  // sanitizer) must not be taken out: that remaps source affinity in the middle of NTLM handshakes and
  // turns their last leg into a prompt. Hence a timeout far above the interval.
  lc.health.timeout = std::max(options.healthInterval * 50, std::chrono::milliseconds(5000));
  lc.health.rise = 1;
  lc.health.fall = 1;
  lc.maxClientConnections = 100000;
  lc.maxIdlePerBackend = options.lbUpstreamReuse ? 1024 : 0;
  if (w->tls()) {
    // The nodes serve HTTPS. Layer 7 terminates TLS with the pool's certificate and re-encrypts to the
    // nodes, checking theirs; layer 4 passes TLS through and checks the nodes' health over TLS.
    lc.backendCaFile = w->caFile();
    lc.backendTlsName = core::toLowerAscii(w->scenario_.pool.fqdn);
    if (lc.mode == loadbalancer::LbMode::Http) {
      const std::string& how = w->scenario_.pool.loadBalancer.tls;
      lc.tls = how == "reencrypt" ? loadbalancer::LbTlsFiles{w->certificates_->chainFile(),
                                                             w->certificates_->privateKeyFile()}
                                  : loadbalancer::LbTlsFiles{w->certificates_->balancerChainFile(),
                                                             w->certificates_->balancerPrivateKeyFile()};
      lc.backendTls = how != "offload";
    } else {
      lc.health.tls = true;
    }
  }
  for (const auto& n : w->nodes_) {
    lc.backends.push_back(loadbalancer::BackendSpec{n->name, "127.0.0.1", n->port});
  }
  w->lb_ = std::make_unique<Lb>();
  KP_TRY(w->lb_->server, loadbalancer::LbServer::start(lc, w->lbRng_));
  if (w->scenario_.transport == Transport::InProcess) {
    w->startInProcessHttp();
  }

  for (const auto& r : w->scenario_.dns) {
    if (r.type == "CNAME") {
      KP_CHECK(w->dns_.addCname(r.name, r.target));
    } else {
      KP_CHECK(w->dns_.addA(r.name, "127.0.0.1"));
    }
  }
  return w;
}

core::Status PoolWorld::startDcs(const PoolWorldOptions& options) {
  std::vector<DomainControllerSpec> specs = scenario_.domainControllers;
  if (specs.empty()) {
    specs.push_back(DomainControllerSpec{});
  }
  std::uint64_t i = 0;
  for (const auto& spec : specs) {
    // The first DC keeps the seed a one-DC lab always had, so single-DC runs repeat as before.
    auto dc = std::make_unique<Dc>(scenario_.seed * 7919 + 1 + 104729 * i++);
    dc->spec = spec;
    dc->maxConcurrentApi = options.maxConcurrentApi.value_or(spec.maxConcurrentApi);
    kdc::KdcConfig kc;
    kc.realm = lab_->directory().realm();
    dc->kdc = std::make_unique<kdc::KdcService>(kc, lab_->directory(), lab_->events(), clock_, dc->rng);
    kdc::KdcServerConfig ks;
    ks.threads = options.kdcThreads;
    if (i == 1) {
      ks.port = options.kdcPort;  // the first DC
    }
    auto server = kdc::KdcServer::start(ks, *dc->kdc);
    if (!server.ok()) {
      return std::move(server).error().within("the KDC of " + spec.name);
    }
    dc->server = std::move(*server);
    kdc::NetlogonOptions no;
    no.dcName = spec.name;
    dc->netlogon = std::make_unique<kdc::NetlogonService>(lab_->directory(), lab_->events(), no);
    dcs_.push_back(std::move(dc));
  }
  return core::okStatus();
}

core::Status PoolWorld::startNodes(const PoolWorldOptions& options) {
  (void)options;
  {
    core::crypto::CryptoRng random;  // a secret the scenario does not determine
    KP_TRY(auto first, core::webticket::generatePoolKey(1, random));
    webTicketKeys_ = {std::move(first)};
  }
  if (scenario_.product == Product::Lync) {
    // Valid from a day back: a workstation whose clock runs behind still takes its certificates.
    KP_TRY(clientCertificates_,
           frontend::ClientCertificateAuthority::create(clock_.now() - std::chrono::hours(24)));
  }
  std::uint64_t i = 0;
  for (const auto& name : scenario_.pool.nodes) {
    auto n = std::make_unique<Node>(scenario_.seed * 104729 + (++i));
    n->name = name;
    n->account = LabDirectory::computerAccount(name);
    n->dc = (i - 1) % dcs_.size();
    Dc& home = *dcs_[n->dc];
    const DomainControllerSpec& dc = home.spec;
    kdc::NetlogonService& netlogon = *home.netlogon;

    // The node's Netlogon secure channel to the DC: MaxConcurrentApi slots, the DC's hold time, the wait
    // timeout after which a pass-through fails with STATUS_NO_LOGON_SERVERS.
    frontend::ChannelConfig cc;
    cc.semaphore.maxConcurrentApi = static_cast<unsigned>(home.maxConcurrentApi);
    cc.semaphore.waitTimeout = core::Micros(static_cast<std::int64_t>(dc.waitTimeoutS * 1e6));
    cc.semaphore.events.channel = n->account;
    cc.semaphore.events.domainController = dc.name;
    cc.semaphore.events.domain = netlogon.netbiosDomain();
    cc.semaphore.events.warningEventThreshold =
        core::Micros(static_cast<std::int64_t>(dc.warningEventThresholdS * 1e6));
    cc.semaphore.events.eventLogPeriodicity =
        core::Micros(static_cast<std::int64_t>(dc.eventLogPeriodicityS * 1e6));
    cc.latency.distribution = holdDistribution(dc.holdTime.model);
    cc.latency.mean = core::Micros(static_cast<std::int64_t>(dc.holdTime.meanMs * 1000));
    cc.latency.sigma = dc.holdTime.sigma;
    cc.latency.seed = scenario_.seed * 31 + i;
    n->clock = std::make_unique<core::OffsetClock>(clock_, core::Micros(0));
    n->systemLog = std::make_unique<kdc::EventLog>(clock_);
    KP_TRY(n->throttle, frontend::ChannelThrottle::create(cc, clock_, n->systemLog.get(), n->delay));
    n->channel = std::make_unique<frontend::InProcessSecureChannel>(netlogon, *n->throttle);

    frontend::FrontendNodeConfig nc;
    nc.name = name;
    const auto extendedProtection = core::acceptor::parseExtendedProtection(scenario_.pool.extendedProtection)
                                        .value_or(core::acceptor::ExtendedProtection::Off);
    nc.auth.verify.extendedProtection = extendedProtection;
    if (scenario_.pool.ntlm) {
      auto ntlmConfig = frontend::ntlmConfigFor(name, lab_->directory().realm(), netlogon.netbiosDomain());
      ntlmConfig.extendedProtection = extendedProtection;
      n->ntlm =
          std::make_unique<frontend::NtlmPassThroughHandler>(ntlmConfig, *n->channel, *n->clock, n->rng);
      nc.auth.ntlm = n->ntlm.get();
      ntlmEnabled_ = true;
    }
    KP_TRY(nc.auth.persistence, frontend::parsePersistence(scenario_.pool.authPersistence));
    KP_TRY(auto credentials, nodeCredentialsFromDirectory(lab_->directory(), n->account));
    if (scenario_.product == Product::Lync) {
      // Lync's web services: discovery, the WebTicket service, UCWA with the pool's web tickets.
      frontend::WebServiceConfig web;
      web.poolFqdn = scenario_.pool.fqdn;
      web.externalFqdns = scenario_.pool.externalWebFqdns;
      web.ntlm = scenario_.pool.ntlm;
      web.defaultValidityPeriod = std::chrono::hours(scenario_.pool.defaultValidityPeriodHours);
      web.certificates = clientCertificates_;
      nc.webServices = web;
    }
    n->node = std::make_unique<frontend::FrontendNode>(nc, std::move(credentials), *n->clock, n->rng);
    const auto& missing = scenario_.pool.poolKeyMissingOn;
    if (nc.webServices && std::find(missing.begin(), missing.end(), name) == missing.end()) {
      // The pool's web services certificate's key (version 1), as Lync's deployment gives it to every node
      // (pool.web_services.pool_key_missing_on: not to those).
      n->node->webTicketKeys().set(webTicketKeys_);
    }
    KP_CHECK(startNode(*n));
    nodes_.push_back(std::move(n));
  }
  return core::okStatus();
}

core::Result<AdminStep> PoolWorld::setAccountEnabled(const std::string& user, bool enabled) {
  KP_CHECK(lab_->directory().setEnabled(user, enabled));
  AdminStep step;
  step.command = std::string(enabled ? "Enable-ADAccount" : "Disable-ADAccount") + " -Identity " + user;
  if (enabled) {
    step.output.push_back(user + " may log on again");
  } else {
    step.output.push_back(
        user +
        " is disabled: the KDC answers its AS-REQ KDC_ERR_CLIENT_REVOKED (event 4768, "
        "0x12) and Netlogon its NTLM pass-through STATUS_ACCOUNT_DISABLED (4776, 0xC0000072)");
    if (clientCertificates_) {
      step.output.push_back(
          "its Lync client certificates are not touched: they still buy web tickets with no "
          "DC until they expire or Revoke-CsClientCertificate");
    }
  }
  return step;
}

core::Result<AdminStep> PoolWorld::revokeClientCertificate(const std::string& user) {
  if (!clientCertificates_) {
    return core::makeError(core::ErrorCategory::Config, "not_lync",
                           "Revoke-CsClientCertificate: this pool has no Lync certificate provisioning");
  }
  const std::string realm = lab_->directory().realm();
  const std::string sip = sipAddress(user, realm);
  clientCertificates_->revoke(user + "@" + realm, clock_.now());
  AdminStep step;
  step.command = "Revoke-CsClientCertificate -Identity sip:" + sip;
  step.output.push_back("every client certificate the pool issued to " + user + "@" + realm +
                        " until now is revoked, and the web tickets issued to it until now are refused");
  return step;
}

std::string PoolWorld::webTicketVersions(const std::vector<core::webticket::PoolKey>& keys) {
  std::string out;
  for (const auto& k : keys) {
    out += (out.empty() ? "" : ", ") + std::to_string(k.version);
  }
  return out.empty() ? "none" : out;
}

int PoolWorld::requestThreadsFor(const Node& n) const {
  const int inForce = n.throttle ? static_cast<int>(n.throttle->semaphore().maxConcurrentApi())
                                 : dcs_[n.dc]->maxConcurrentApi;
  return inForce + 112;
}

void PoolWorld::startInProcessHttp() {
  inProcessHttp_ = std::make_unique<net::InProcessHttpNetwork>();
  for (const auto& n : nodes_) {
    if (n->server->tls()) {
      continue;  // HTTPS: over loopback
    }
    nodesInProcess_ = true;
    // The node as it is when the connection is made: a node_down event stops (and drops) its server.
    inProcessHttp_->listen("127.0.0.1", n->port, [this, node = n.get()](const std::string& peer) {
      std::lock_guard lock(mu_);
      if (!node->server) {
        return core::Result<std::unique_ptr<net::InProcessHttpConnection>>(core::makeError(
            core::ErrorCategory::Io, "connect_failed",
            "connect to " + node->name + " (in process): connection refused (the node is down)"));
      }
      return node->server->connectInProcess(peer);
    });
  }
  auto vip = lb_->server->inProcessListener(*inProcessHttp_);
  if (vip.ok()) {
    inProcessHttp_->listen(lb_->server->address(), lb_->server->port(), std::move(*vip));
    vipInProcess_ = true;
  } else {
    vipNotInProcessReason_ = vip.error().detail;
  }
}

core::Status PoolWorld::startNode(Node& n) {
  net::HttpServerConfig base;
  base.port = n.port;
  base.threads = nodeThreads_;
  // An NTLM pass-through holds its request thread for the DC's hold time (and its wait for a Netlogon
  // slot): such requests run on a pool of request threads, as IIS's worker threads, enough that logons queue
  // at the secure channel's semaphore (where Netlogon times them out and logs 5816-5819), not in the node:
  // MaxConcurrentApi + 112, at most 262 (150 + 112). Kerberos and everything else stays on the I/O thread.
  base.blockingThreads = ntlmEnabled_ ? static_cast<unsigned>(std::clamp(requestThreadsFor(n), 16, 262)) : 0u;
  base.readTimeout = std::chrono::milliseconds(10000);
  if (tls() && scenario_.pool.loadBalancer.tls != "offload") {
    base.tls = net::TlsFiles{certificates_->chainFile(), certificates_->privateKeyFile()};
  }
  n.requestThreads = base.blockingThreads;
  auto server = net::HttpServer::start(frontend::serverConfigFor(n.node->config(), base), *n.node);
  if (!server.ok()) {
    return std::move(server).error().within("node " + n.name);
  }
  n.server = std::move(*server);
  n.port = n.server->port();
  return core::okStatus();
}

std::uint16_t PoolWorld::kdcPort(std::size_t dc) const {
  return dcs_.at(dc)->server->port();
}

kdc::KdcService& PoolWorld::kdcService(std::size_t dc) {
  return *dcs_.at(dc)->kdc;
}

const std::string& PoolWorld::dcName(std::size_t dc) const {
  return dcs_.at(dc)->spec.name;
}

const std::string& PoolWorld::netbiosDomain() const {
  return dcs_.front()->netlogon->netbiosDomain();
}

int PoolWorld::maxConcurrentApi() const {
  return dcs_.front()->maxConcurrentApi;
}

std::vector<DcReport> PoolWorld::dcs() const {
  std::vector<DcReport> out;
  for (const auto& dc : dcs_) {
    DcReport r;
    r.name = dc->spec.name;
    r.version = dc->spec.version;
    r.kdcPort = dc->server->port();
    r.maxConcurrentApi = dc->maxConcurrentApi;
    r.holdMs = dc->spec.holdTime.meanMs;
    const auto& stats = dc->kdc->stats();
    r.kdcRequests = stats.requests();
    r.kdcErrors = stats.errors();
    r.kdcIssued = stats.issued();
    r.netlogon = dc->netlogon->counters();
    out.push_back(std::move(r));
  }
  for (const auto& n : nodes_) {
    out[n->dc].channels.push_back(n->name);
  }
  return out;
}

std::uint16_t PoolWorld::lbPort() const {
  return lb_->server->port();
}

std::uint16_t PoolWorld::portFor(const std::string& host) const {
  std::string name = core::toLowerAscii(host);
  for (std::size_t hops = 0; hops < 16; ++hops) {
    const auto it = std::find_if(scenario_.dns.begin(), scenario_.dns.end(),
                                 [&](const DnsRecord& r) { return r.name == name; });
    if (it == scenario_.dns.end()) {
      break;
    }
    if (it->type == "CNAME") {
      name = it->target;
      continue;
    }
    for (const auto& n : nodes_) {
      if (n->name == it->target) {
        return n->port;
      }
    }
    break;
  }
  return lbPort();
}

void PoolWorld::reloadAll() {
  for (auto& n : nodes_) {
    (void)n->node->credentials().reload();
  }
}

core::Result<std::vector<AdminStep>> PoolWorld::apply(const TimelineEvent& event) {
  using Kind = TimelineEvent::Kind;
  std::vector<AdminStep> steps;
  auto findNode = [&](const std::string& name) -> Node* {
    for (auto& n : nodes_) {
      if (n->name == name) {
        return n.get();
      }
    }
    return nullptr;
  };
  switch (event.kind) {
    case Kind::NodeDown: {
      std::lock_guard lock(mu_);
      Node* n = findNode(event.node);
      if (n == nullptr) {
        return makeError(ErrorCategory::Config, "no_such_node", "no node '" + event.node + "'");
      }
      if (n->server) {
        n->server->stop();
        n->server.reset();
      }
      steps.push_back(AdminStep{"Stop-Service W3SVC on " + n->name, {n->name + " is down"}, false});
      break;
    }
    case Kind::NodeUp: {
      AdminStep step{"Start-Service W3SVC on " + event.node, {}, false};
      bool started = false;
      {
        std::lock_guard lock(mu_);
        Node* n = findNode(event.node);
        if (n == nullptr) {
          return makeError(ErrorCategory::Config, "no_such_node", "no node '" + event.node + "'");
        }
        if (!n->server) {
          auto up = startNode(*n);
          started = up.ok();
          step.output.push_back(up.ok() ? n->name + " is up again on port " + std::to_string(n->port)
                                        : n->name + " could not start: " + up.error().message());
        } else {
          step.output.push_back(n->name + " was already up");
        }
      }
      // The requests of the next phase wait until the balancer's health check has seen the node again, as a
      // phase of a real day would begin some time after the service started.
      if (started && lb_ && lb_->server) {
        const bool back = lb_->server->waitForStats(
            [&](const loadbalancer::LbStats& st) {
              return std::any_of(st.backends.begin(), st.backends.end(),
                                 [&](const auto& b) { return b.name == event.node && b.up; });
            },
            std::chrono::seconds(10));
        step.output.push_back(back ? "the load balancer's health check sees " + event.node + " up"
                                   : "the load balancer has not yet seen " + event.node + " up (10 s)");
      }
      steps.push_back(std::move(step));
      break;
    }
    case Kind::PasswordRoll: {
      KP_TRY(AdminStep step, lab_->rollPassword(event.account, event.reach));
      steps.push_back(std::move(step));
      reloadAll();
      break;
    }
    case Kind::ApplyFix: {
      KP_TRY(steps, lab_->applyFix(event.account));
      reloadAll();
      if (event.iisreset) {
        steps.push_back(iisreset(""));
      }
      break;
    }
    case Kind::IisReset: {
      steps.push_back(iisreset(event.node));
      break;
    }
    case Kind::RollAsaPassword: {
      // The script reaches the CAS servers that are up; the others keep the credential they had.
      std::vector<std::string> down;
      {
        std::lock_guard lock(mu_);
        for (const auto& n : nodes_) {
          if (!n->server) {
            down.push_back(n->name);
          }
        }
      }
      KP_TRY(AdminStep step, lab_->rollAsaPassword(event.operation, down));
      steps.push_back(std::move(step));
      reloadAll();
      break;
    }
    case Kind::SetOAuthCertificate: {
      KP_TRY(AdminStep step, assignWebTicketKey(event.node));
      steps.push_back(std::move(step));
      break;
    }
    case Kind::RollOAuthCertificate: {
      KP_TRY(AdminStep step, rollWebTicketKey());
      steps.push_back(std::move(step));
      break;
    }
    case Kind::DisableAccount:
    case Kind::EnableAccount: {
      KP_TRY(AdminStep step, setAccountEnabled(event.user, event.kind == Kind::EnableAccount));
      steps.push_back(std::move(step));
      break;
    }
    case Kind::RevokeClientCertificate: {
      KP_TRY(AdminStep step, revokeClientCertificate(event.user));
      steps.push_back(std::move(step));
      break;
    }
    case Kind::ClockDrift: {
      const long long s = static_cast<long long>(event.offsetS);
      steps.push_back(AdminStep{"clock drift on every " + event.profile + " workstation",
                                {"their clocks now run " + std::to_string(s < 0 ? -s : s) + " s " +
                                 (s < 0 ? "behind" : "ahead of") + " the domain controller"},
                                false});
      break;
    }
  }
  return steps;
}

core::Result<AdminStep> PoolWorld::driftNodeClock(const std::string& node, double offsetS) {
  std::lock_guard lock(mu_);
  for (auto& n : nodes_) {
    if (n->name == node) {
      n->clock->setOffset(core::Micros(static_cast<std::int64_t>(offsetS * 1e6)));
      const long long s = static_cast<long long>(offsetS < 0 ? -offsetS : offsetS);
      return AdminStep{
          "Set-Date -Adjust " + std::to_string(static_cast<long long>(offsetS)) + " seconds on " + node,
          {node + "'s clock now runs " + std::to_string(s) + " s " + (offsetS < 0 ? "behind" : "ahead of") +
           " the domain controller (Kerberos allows 300 s of skew: beyond it the node refuses "
           "tickets with KRB_AP_ERR_SKEW)"},
          false};
    }
  }
  return makeError(ErrorCategory::Config, "no_such_node", "no node '" + node + "'");
}

core::Result<AdminStep> PoolWorld::setMaxConcurrentApi(const std::string& node, int value) {
  std::lock_guard lock(mu_);
  if (!ntlmEnabled_) {
    return makeError(ErrorCategory::Config, "ntlm_not_enabled",
                     "this pool has no NTLM (pool.ntlm false): no node passes logons through Netlogon, so "
                     "MaxConcurrentApi changes nothing here");
  }
  std::vector<Node*> targets;
  for (auto& n : nodes_) {
    if (node.empty() || n->name == node) {
      targets.push_back(n.get());
    }
  }
  if (targets.empty()) {
    return makeError(ErrorCategory::Config, "no_such_node", "no node '" + node + "'");
  }
  if (value < static_cast<int>(netlogon::max_concurrent_api::kMin) ||
      value > static_cast<int>(netlogon::max_concurrent_api::kMax)) {
    return makeError(
        ErrorCategory::Config, "max_concurrent_api_out_of_range",
        "MaxConcurrentApi " + std::to_string(value) + " is out of range: Netlogon accepts 1..150");
  }
  AdminStep step{
      "reg add HKLM\\SYSTEM\\CurrentControlSet\\Services\\Netlogon\\Parameters /v MaxConcurrentApi /t "
      "REG_DWORD /d " +
          std::to_string(value) + " /f",
      {"The operation completed successfully."},
      false};
  for (Node* n : targets) {
    const unsigned before = n->throttle->semaphore().maxConcurrentApi();
    KP_CHECK(n->throttle->semaphore().setMaxConcurrentApi(static_cast<unsigned>(value)));
    const auto c = n->throttle->semaphore().counters();
    std::string line = n->name + " (" + n->account + ", secure channel to " + dcs_[n->dc]->spec.name +
                       "): MaxConcurrentApi " + std::to_string(before) + " -> " + std::to_string(value) +
                       ", in force now (Semaphore Holders " + std::to_string(c.semaphoreHolders) +
                       ", Semaphore Waiters " + std::to_string(c.semaphoreWaiters) + ")";
    if (n->server && static_cast<unsigned>(value) >= n->requestThreads) {
      line += "; its " + std::to_string(n->requestThreads) +
              " request threads were sized at start: `node-down " + n->name + "` then `node-up " + n->name +
              "` gives it " + std::to_string(std::min(requestThreadsFor(*n), 262));
    }
    step.output.push_back(line);
  }
  step.output.push_back(
      "On Windows, Netlogon reads its parameters when it starts (netlogon.log lists them then): restart it "
      "with "
      "`net stop netlogon && net start netlogon` on each server to be sure the value is in force; the lab "
      "applies it at once");
  return step;
}

core::Result<AdminStep> PoolWorld::assignWebTicketKey(const std::string& node) {
  std::lock_guard lock(mu_);
  if (scenario_.product != Product::Lync) {
    return makeError(ErrorCategory::Config, "not_lync", "web tickets are Lync's; this pool is Exchange's");
  }
  for (auto& n : nodes_) {
    if (n->name == node) {
      n->node->webTicketKeys().set(webTicketKeys_);
      return AdminStep{
          "Set-CsCertificate -Type OAuthTokenIssuer -Computer " + node,
          {node + " now holds the pool's web ticket key (version(s) " + webTicketVersions(webTicketKeys_) +
           "): it issues web tickets and opens those of "
           "the other nodes"},
          false};
    }
  }
  return makeError(ErrorCategory::Config, "no_such_node", "no node '" + node + "'");
}

std::vector<core::webticket::PoolKey> PoolWorld::webTicketKeys() const {
  std::lock_guard lock(mu_);
  return webTicketKeys_;
}

std::size_t PoolWorld::adoptWebTicketKeys(const std::vector<core::webticket::PoolKey>& stored) {
  std::lock_guard lock(mu_);
  const auto replace = [&](std::vector<core::webticket::PoolKey> keys, std::size_t* count) {
    for (auto& k : keys) {
      for (const auto& s : stored) {
        if (s.version == k.version) {
          k.key = s.key;
          if (count != nullptr) {
            ++*count;
          }
        }
      }
    }
    return keys;
  };
  std::size_t replaced = 0;
  webTicketKeys_ = replace(webTicketKeys_, &replaced);
  for (auto& n : nodes_) {
    if (n->node) {
      n->node->webTicketKeys().set(replace(*n->node->webTicketKeys().keys(), nullptr));
    }
  }
  return replaced;
}

core::Result<AdminStep> PoolWorld::rollWebTicketKey() {
  std::lock_guard lock(mu_);
  if (scenario_.product != Product::Lync) {
    return makeError(ErrorCategory::Config, "not_lync", "web tickets are Lync's; this pool is Exchange's");
  }
  core::crypto::CryptoRng random;
  const std::uint32_t version = webTicketKeys_.back().version + 1;
  KP_TRY(auto next, core::webticket::generatePoolKey(version, random));
  // The new key signs from now on; the previous one still opens the tickets it signed.
  webTicketKeys_.push_back(std::move(next));
  if (webTicketKeys_.size() > 2) {
    webTicketKeys_.erase(webTicketKeys_.begin());
  }
  AdminStep step{"Set-CsCertificate -Type OAuthTokenIssuer -Roll", {}, false};
  std::vector<std::string> missed;
  for (auto& n : nodes_) {
    const auto held = n->node->webTicketKeys().keys();
    if (!n->server || held->empty()) {
      missed.push_back(n->name + (n->server ? " (never given the certificate)" : " (down)"));
      continue;
    }
    n->node->webTicketKeys().set(webTicketKeys_);
    step.output.push_back(n->name + ": web ticket key version " + std::to_string(version) + " (and " +
                          std::to_string(version - 1) + " for the tickets already issued)");
  }
  for (const auto& m : missed) {
    step.output.push_back(m + ": NOT reached; it refuses tickets signed with version " +
                          std::to_string(version) +
                          " (webticket_unknown_pool_key) until `Set-CsCertificate -Type "
                          "OAuthTokenIssuer -Computer " +
                          m.substr(0, m.find(' ')) + "`");
  }
  return step;
}

core::Result<AdminStep> PoolWorld::applyOperation(const DirectoryOperation& op) {
  KP_TRY(AdminStep step, lab_->apply(op));
  reloadAll();
  return step;
}

AdminStep PoolWorld::iisreset(const std::string& node) {
  std::lock_guard lock(mu_);
  AdminStep step{"iisreset /restart", {}, false};
  std::vector<std::string> names;
  std::size_t closed = 0;
  for (auto& n : nodes_) {
    if ((node.empty() || n->name == node) && n->server) {
      closed += n->server->recycleConnections();
      names.push_back(n->name);
    }
  }
  if (names.empty()) {
    step.output.push_back("no node was up to restart");
    return step;
  }
  std::string list;
  for (std::size_t i = 0; i < names.size(); ++i) {
    list += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + names[i];
  }
  step.output.push_back(
      "on " + list + ": the web service restarted, " + std::to_string(closed) +
      " client connection(s) closed, with the logons IIS kept on them; clients reconnect and "
      "authenticate again");
  return step;
}

std::vector<NodeReport> PoolWorld::nodes() const {
  std::lock_guard lock(mu_);
  std::vector<NodeReport> out;
  for (const auto& n : nodes_) {
    NodeReport r;
    r.name = n->name;
    r.account = n->account;
    r.dc = dcs_[n->dc]->spec.name;
    r.port = n->port;
    r.up = n->server != nullptr;
    r.stats = n->node->stats();
    if (ntlmEnabled_) {
      r.channel = n->throttle->semaphore().counters();
      r.maxConcurrentApi = static_cast<int>(n->throttle->semaphore().maxConcurrentApi());
    }
    if (n->systemLog) {
      r.events = n->systemLog->counters();
    }
    for (const auto& k : *n->node->webTicketKeys().keys()) {
      r.webTicketKeyVersions.push_back(k.version);
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<std::pair<std::string, kdc::EventRecord>> PoolWorld::eventRecords() const {
  std::string dcNames;
  for (const auto& dc : dcs_) {
    dcNames += (dcNames.empty() ? "" : "+") + dc->spec.name;
  }
  std::vector<std::pair<std::string, kdc::EventRecord>> out;
  for (auto& r : lab_->events().all()) {
    out.emplace_back(dcNames, std::move(r));
  }
  std::lock_guard lock(mu_);
  for (const auto& n : nodes_) {
    if (n->systemLog) {
      for (auto& r : n->systemLog->all()) {
        out.emplace_back(n->name, std::move(r));
      }
    }
  }
  return out;
}

std::uint64_t PoolWorld::netlogonWaiters() const {
  std::lock_guard lock(mu_);
  std::uint64_t waiters = 0;
  for (const auto& n : nodes_) {
    if (ntlmEnabled_ && n->throttle) {
      waiters += n->throttle->semaphore().counters().semaphoreWaiters;
    }
  }
  return waiters;
}

std::vector<std::uint16_t> PoolWorld::nodePorts() const {
  std::lock_guard lock(mu_);
  std::vector<std::uint16_t> out;
  for (const auto& n : nodes_) {
    out.push_back(n->port);
  }
  return out;
}

loadbalancer::LbStats PoolWorld::lbStats() const {
  return lb_ && lb_->server ? lb_->server->stats() : loadbalancer::LbStats{};
}

void PoolWorld::stop() {
  if (lb_ && lb_->server) {
    lb_->server->stop();
  }
  std::lock_guard lock(mu_);
  for (auto& n : nodes_) {
    if (n->server) {
      n->server->stop();
    }
  }
  for (auto& dc : dcs_) {
    if (dc->server) {
      dc->server->stop();
    }
  }
}

}  // namespace kerbpool::scenarios
