// `kerbpool serve SCENARIO|FILE`: the pool of a scenario, up and waiting for outside clients (MIT kinit and
// kvno, curl --negotiate and --ntlm) until SIGINT/SIGTERM; then what it served.
#include <sys/stat.h>
#include <unistd.h>
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "cli/krb5_conf.hpp"
#include "cli/scenario_source.hpp"
#include "cli/signals.hpp"
#include "core/common/clock.hpp"
#include "lab/admin_command.hpp"
#include "lab/dashboard.hpp"
#include "lab/forward_proxy.hpp"
#include "lab/get_win_event.hpp"
#include "lab/state_store.hpp"
#include "scenarios/pool_world.hpp"
#include "scenarios/population.hpp"
#include "scenarios/scenario_loader.hpp"

namespace kerbpool::cli {
namespace {

struct ServeOptions {
  std::string scenario;
  unsigned kdcPort = 0;
  unsigned lbPort = 0;
  std::string krb5Conf;  // empty: krb5.conf in a private folder removed at the end
  bool clients = false;
  std::string state;  // --state DIR: the lab's SQLite state (the scenario and the admin's journal)
  unsigned proxyPort = 0;
  unsigned dashboardPort = 0;
};

struct LabArgs {
  std::string state;
  std::vector<std::string> command;
};

std::string joinedArgs(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    out += (out.empty() ? "" : " ") + a;
  }
  return out;
}

// The scenario of a lab: with --state, the one the state was made from (a scenario argument must then name
// the same), stored on first use.
core::Result<scenarios::Scenario> labScenario(const ServeOptions& o, lab::StateStore* store) {
  if (store == nullptr) {
    return loadScenarioArgument(o.scenario);
  }
  if (auto stored = store->scenarioJson()) {
    KP_TRY(scenarios::Scenario s, scenarios::parseScenario(*stored));
    if (!o.scenario.empty()) {
      KP_TRY(std::string given, scenarioTextOf(o.scenario));
      if (given != *stored) {
        return core::makeError(core::ErrorCategory::Config, "state_of_another_scenario",
                               store->dir().string() + " holds the lab of scenario '" + s.name +
                                   "'; leave the scenario out to restart it, or give --state a new folder");
      }
    }
    return s;
  }
  if (o.scenario.empty()) {
    return core::makeError(core::ErrorCategory::Config, "no_scenario",
                           store->dir().string() + " holds no lab yet: name a scenario to start one");
  }
  KP_TRY(std::string text, scenarioTextOf(o.scenario));
  KP_TRY(scenarios::Scenario s, scenarios::parseScenario(text));
  KP_CHECK(store->setScenario(s.name, text));
  return s;
}

// A folder only this user can read (mode 0700), removed when the lab stops.
class PrivateFolder {
 public:
  PrivateFolder() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern =
        std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/kerbpool-serve-XXXXXX";
    if (::mkdtemp(pattern.data()) != nullptr) {
      path_ = pattern;
    }
  }
  ~PrivateFolder() {
    if (!path_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(path_, ec);
    }
  }
  PrivateFolder(const PrivateFolder&) = delete;
  PrivateFolder& operator=(const PrivateFolder&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string shellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  }
  return out + "'";
}

// Copies the lab's new event records into its state (records already stored are known by computer and
// record number; the logs' rings keep the newest 4,096 each, so a burst larger than that between two
// calls loses its oldest records, as a full Windows log would).
class EventPersister {
 public:
  EventPersister(lab::StateStore& store, std::int64_t run) : store_(store), run_(run) {}
  void persist(const scenarios::PoolWorld& world) {
    std::vector<std::pair<std::string, kdc::EventRecord>> fresh;
    for (auto& [computer, record] : world.eventRecords()) {
      std::uint64_t& last = stored_[computer];
      if (record.recordNumber > last) {
        fresh.emplace_back(computer, std::move(record));
      }
    }
    std::sort(fresh.begin(), fresh.end(), [](const auto& a, const auto& b) {
      return a.second.time != b.second.time ? a.second.time < b.second.time
                                            : a.second.recordNumber < b.second.recordNumber;
    });
    if (auto done = store_.appendEvents(run_, fresh); !done.ok()) {
      std::fprintf(stderr, "kerbpool serve: %s\n", done.error().message().c_str());
      return;
    }
    for (const auto& [computer, record] : fresh) {
      stored_[computer] = std::max(stored_[computer], record.recordNumber);
    }
  }

 private:
  lab::StateStore& store_;
  std::int64_t run_;
  std::map<std::string, std::uint64_t> stored_;
};

// RFC 3986 userinfo: everything but the unreserved characters percent-encoded.
std::string percentEncoded(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

int serve(const ServeOptions& o) {
  // Before any server thread starts, so that every thread inherits the blocked signals.
  blockTerminationSignals();
  std::unique_ptr<lab::StateStore> store;
  if (!o.state.empty()) {
    auto opened = lab::StateStore::open(o.state);
    if (!opened.ok()) {
      std::fprintf(stderr, "kerbpool serve: %s\n", opened.error().message().c_str());
      return 2;
    }
    store = std::move(*opened);
    if (auto locked = store->lockForServing(); !locked.ok()) {
      std::fprintf(stderr, "kerbpool serve: %s\n", locked.error().message().c_str());
      return 2;
    }
  }
  auto scenario = labScenario(o, store.get());
  if (!scenario.ok()) {
    std::fprintf(stderr, "kerbpool serve: %s\n", scenario.error().message().c_str());
    return 2;
  }
  const scenarios::Scenario& s = *scenario;
  core::SystemClock clock;
  scenarios::PoolWorldOptions wo;
  wo.kdcPort = static_cast<std::uint16_t>(o.kdcPort);
  wo.lbPort = static_cast<std::uint16_t>(o.lbPort);
  if (store && s.pool.tls) {
    wo.certificates = store->certificates();  // the certificates of the lab's first run, if any
  }
  auto started = scenarios::PoolWorld::start(s, wo, clock);
  if (!started.ok()) {
    std::fprintf(stderr, "kerbpool serve: %s\n", started.error().message().c_str());
    return 1;
  }
  scenarios::PoolWorld& world = **started;
  std::unique_ptr<EventPersister> persister;
  if (store) {
    auto run = store->beginRun();
    if (!run.ok()) {
      std::fprintf(stderr, "kerbpool serve: %s\n", run.error().message().c_str());
      return 1;
    }
    persister = std::make_unique<EventPersister>(*store, *run);
    if (world.certificateMaterial() != nullptr && !wo.certificates) {
      if (auto kept = store->setCertificates(*world.certificateMaterial()); !kept.ok()) {
        std::fprintf(stderr, "kerbpool serve: %s\n", kept.error().message().c_str());
        return 1;
      }
    }
  }
  if (store) {
    // The admin's earlier changes, in order, over the scenario's set-up.
    auto journal = store->applied();
    if (!journal.ok()) {
      std::fprintf(stderr, "kerbpool serve: %s\n", journal.error().message().c_str());
      return 1;
    }
    for (const auto& e : *journal) {
      const auto outcome = lab::runAdminCommand(e.argv, world);
      std::printf("replayed from %s: %s%s\n", o.state.c_str(), joinedArgs(e.argv).c_str(),
                  outcome.ok ? "" : (" (refused now: " + joinedArgs(outcome.output) + ")").c_str());
    }
    if (s.product == scenarios::Product::Lync) {
      // The pool's web ticket keys of the earlier run (the replayed rolls made the same versions with new
      // bytes): the web tickets it issued stay valid. The first run stores its own.
      auto stored = store->webTicketKeys();
      if (stored.ok() && !stored->empty()) {
        world.adoptWebTicketKeys(*stored);
      }
      if (auto kept = store->setWebTicketKeys(world.webTicketKeys()); !stored.ok() || !kept.ok()) {
        std::fprintf(stderr, "kerbpool serve: %s\n",
                     (!stored.ok() ? stored.error() : kept.error()).message().c_str());
        return 1;
      }
    }
  }

  // The browsers' way in: a forward proxy that resolves the scenario's names to the lab's ports.
  lab::ForwardProxyConfig pc;
  pc.port = static_cast<std::uint16_t>(o.proxyPort);
  pc.resolve = [&world, &s](const std::string& host, std::uint16_t) -> std::optional<std::uint16_t> {
    const bool known = std::any_of(s.dns.begin(), s.dns.end(),
                                   [&](const scenarios::DnsRecord& r) { return r.name == host; });
    return known ? std::optional<std::uint16_t>(world.portFor(host)) : std::nullopt;
  };
  auto proxy = lab::ForwardProxy::start(pc);
  if (!proxy.ok()) {
    std::fprintf(stderr, "kerbpool serve: %s\n", proxy.error().message().c_str());
    return 1;
  }

  auto dashboard =
      lab::DashboardServer::start(world, static_cast<std::uint16_t>(o.dashboardPort), store.get());
  if (!dashboard.ok()) {
    std::fprintf(stderr, "kerbpool serve: %s\n", dashboard.error().message().c_str());
    return 1;
  }

  PrivateFolder folder;
  std::vector<std::pair<std::string, std::uint16_t>> kdcs;
  for (std::size_t i = 0; i < world.dcCount(); ++i) {
    kdcs.emplace_back("127.0.0.1", world.kdcPort(i));
  }
  const std::string realm = world.lab().directory().realm();
  const std::string krb5Conf = o.krb5Conf.empty() ? folder.path() + "/krb5.conf" : o.krb5Conf;
  {
    std::ofstream out(krb5Conf);
    out << krb5ConfSnippet(realm, kdcs);
    if (!out) {
      std::fprintf(stderr, "kerbpool serve: cannot write %s\n", krb5Conf.c_str());
      return 1;
    }
  }

  const std::string lbPort = std::to_string(world.lbPort());
  const std::string scheme = world.tls() ? "https" : "http";
  const std::string& fqdn = s.pool.fqdn;
  const std::string url = scheme + "://" + fqdn + ":" + lbPort + s.pool.path;
  const std::string resolve = "--resolve " + fqdn + ":" + lbPort + ":127.0.0.1";
  const std::string ca = world.tls() ? " --cacert " + world.caFile() : "";
  const std::string user = scenarios::clientUser(s.users, 0);
  std::printf("kerbpool serve %s: %s\n", s.name.c_str(), s.title.c_str());
  for (const auto& dc : world.dcs()) {
    std::printf("  KDC %-11s 127.0.0.1:%u (UDP and TCP), realm %s\n", dc.name.c_str(),
                static_cast<unsigned>(dc.kdcPort), realm.c_str());
  }
  std::printf("  %-15s 127.0.0.1:%s, %s mode: %s\n", "load balancer", lbPort.c_str(),
              s.pool.loadBalancer.mode.c_str(), url.c_str());
  for (const auto& n : world.nodes()) {
    std::printf("  node %-10s 127.0.0.1:%u (%s)\n", n.name.c_str(), static_cast<unsigned>(n.port),
                n.account.c_str());
  }
  std::printf("  %-15s %s001..%s%03d, password %s\n", "users", s.users.prefix.c_str(), s.users.prefix.c_str(),
              s.users.count, s.users.password.c_str());
  std::printf("  %-15s %s\n", "krb5.conf", krb5Conf.c_str());
  std::printf(
      "  %-15s http://127.0.0.1:%u/ (live: requests per node and mechanism, Netlogon, KDC errors, events)\n",
      "dashboard", static_cast<unsigned>((*dashboard)->port()));
  if (world.tls()) {
    std::printf("  %-15s %s (the lab's CA: trust it, or pass it to curl)\n", "CA certificate",
                world.caFile().c_str());
  }
  std::printf("\nFrom another shell:\n");
  std::printf("  export KRB5_CONFIG=%s KRB5CCNAME=FILE:%s/%s.ccache\n", krb5Conf.c_str(),
              folder.path().empty() ? "/tmp" : folder.path().c_str(), user.c_str());
  std::printf("  echo %s | kinit %s@%s\n", shellQuote(s.users.password).c_str(), user.c_str(), realm.c_str());
  std::printf("  kvno HTTP/%s\n", fqdn.c_str());
  std::printf("  curl --negotiate -u : %s%s %s\n", resolve.c_str(), ca.c_str(), url.c_str());
  if (world.ntlmEnabled()) {
    std::printf("  curl --ntlm -u %s %s%s %s\n",
                shellQuote(world.netbiosDomain() + "\\" + user + ":" + s.users.password).c_str(),
                resolve.c_str(), ca.c_str(), url.c_str());
  }
  if (s.product == scenarios::Product::Lync) {
    // Lync's sign-in: a web ticket from the WebTicket service (Negotiate or NTLM), then UCWA with it.
    const std::string base = scheme + "://" + fqdn + ":" + lbPort;
    std::printf("  curl %s%s %s/autodiscover/autodiscoverservice.svc/root   (Lync discovery: open)\n",
                resolve.c_str(), ca.c_str(), base.c_str());
    std::printf(
        "  curl --negotiate -u : %s%s -d grant_type=urn:microsoft.rtc:windows %s/WebTicket/oauthtoken   (a "
        "web "
        "ticket, 8 h)\n",
        resolve.c_str(), ca.c_str(), base.c_str());
    std::printf(
        "  curl -H 'Authorization: Bearer cwt=...' %s%s %s/ucwa/oauth/v1/applications   (any node opens it "
        "with "
        "the pool's key)\n",
        resolve.c_str(), ca.c_str(), base.c_str());
  }
  // Chromium sends Negotiate only to the servers its AuthServerAllowlist names (policy, or the same
  // preference in a profile's Local State): a profile of its own, made here, allows the pool's names.
  const std::string browserUrl = scheme + "://" + fqdn + s.pool.path;
  const std::string profile = folder.path() + "/chromium";
  std::string allow;
  for (const auto& r : s.dns) {
    allow += (allow.empty() ? "" : ",") + r.name;
  }
  std::filesystem::create_directories(profile);
  // net.received_http_auth_negotiate_headers: Chromium applies the allowlist to Negotiate only once it has
  // seen a Negotiate challenge in some earlier session, and remembers that here.
  std::ofstream(profile + "/Local State") << "{\"auth\":{\"server_allowlist\":\"" << allow
                                          << "\"},\"net\":{\"received_http_auth_negotiate_headers\":true}}\n";
  std::printf("  chromium --user-data-dir=%s --proxy-server=127.0.0.1:%u%s %s\n", profile.c_str(),
              static_cast<unsigned>((*proxy)->port()), world.tls() ? " --ignore-certificate-errors" : "",
              browserUrl.c_str());
  std::printf(
      "  (with the same KRB5_CONFIG and KRB5CCNAME; that profile lets Chromium use Negotiate with %s, as the "
      "AuthServerAllowlist policy would; the lab's proxy on 127.0.0.1:%u takes the scenario's names to the "
      "lab's ports and refuses every other)\n",
      allow.c_str(), static_cast<unsigned>((*proxy)->port()));
  if (world.ntlmEnabled()) {
    // A browser without a ticket: Windows' falls back to NTLM with the logged-on user's password. Chromium on
    // Linux has no logged-on password to use: it takes credentials from the URL, but spends them on its
    // Negotiate attempt (which cannot use them) when Negotiate is allowed. A second profile offers it NTLM
    // only (the AuthSchemes policy's preference), as a workstation outside the domain would end up.
    const std::string ntlmProfile = folder.path() + "/chromium-ntlm";
    std::filesystem::create_directories(ntlmProfile);
    std::ofstream(ntlmProfile + "/Local State") << "{\"auth\":{\"schemes\":\"basic,digest,ntlm\"}}\n";
    const std::string credentials =
        percentEncoded(world.netbiosDomain() + "\\" + user) + ":" + percentEncoded(s.users.password) + "@";
    std::printf("  chromium --user-data-dir=%s --proxy-server=127.0.0.1:%u%s %s://%s%s%s\n",
                ntlmProfile.c_str(), static_cast<unsigned>((*proxy)->port()),
                world.tls() ? " --ignore-certificate-errors" : "", scheme.c_str(), credentials.c_str(),
                fqdn.c_str(), s.pool.path.c_str());
    std::printf(
        "  (no ticket needed: that profile offers Chromium NTLM only, with the user in the URL, as a browser "
        "without a ticket falls back to NTLM; the dashboard counts it under NTLM)\n");
  }

  if (o.clients) {
    std::printf("\nRunning the scenario's clients (%llu requests), then serving on.\n",
                static_cast<unsigned long long>(s.totalRequests()));
    std::fflush(stdout);
    scenarios::PopulationOptions po;
    const auto result = scenarios::runPopulation(world, clock, po);
    const auto& c = result.outcomes.overall;
    std::printf("clients: %llu requests: %llu Kerberos, %llu NTLM, %llu prompts, %llu failed\n",
                static_cast<unsigned long long>(c.total()), static_cast<unsigned long long>(c.kerberos),
                static_cast<unsigned long long>(c.ntlm), static_cast<unsigned long long>(c.prompt),
                static_cast<unsigned long long>(c.failed));
  } else if (!s.timeline.empty()) {
    std::printf(
        "\nThe scenario's timeline runs with its clients only (--clients); the pool stays as set up.\n");
  }
  if (store) {
    std::printf(
        "\nChange it while it runs: kerbpool lab --state %s setspn -S HTTP/%s %s (and the other "
        "commands of kerbpool lab --help)\n",
        o.state.c_str(), fqdn.c_str(),
        s.product == scenarios::Product::Exchange ? "EXCH2010-ASA$" : "POOLKERB$");
  }
  std::printf("\nkerbpool serve: ready (Ctrl-C stops the lab)\n");
  std::fflush(stdout);
  int sig = 0;
  unsigned ticks = 0;
  while ((sig = waitForTerminationSignalFor(store ? 100 : 60000)) == 0) {
    if (!store) {
      continue;
    }
    if (++ticks % 10 == 0) {
      persister->persist(world);  // once a second
    }
    // The admin's commands, in the order given, each one transaction in the journal.
    auto pending = store->pending();
    if (!pending.ok()) {
      std::fprintf(stderr, "kerbpool serve: %s\n", pending.error().message().c_str());
      continue;
    }
    for (const auto& e : *pending) {
      const auto outcome = lab::runAdminCommand(e.argv, world);
      const std::string status = !outcome.ok ? "refused" : outcome.changesDirectory ? "applied" : "answered";
      if (outcome.ok && lab::changesWebTicketKeys(e.argv)) {
        (void)store->setWebTicketKeys(world.webTicketKeys());  // a Set-CsCertificate -Roll made a new one
      }
      (void)store->finish(e.id, status, outcome.output);
      std::printf("PS> %s   (kerbpool lab, %s)\n", joinedArgs(e.argv).c_str(), status.c_str());
      for (const auto& line : outcome.output) {
        std::printf("    %s\n", line.c_str());
      }
      std::fflush(stdout);
    }
  }

  std::printf("kerbpool serve: stopping on signal %d\n", sig);
  if (persister) {
    persister->persist(world);
  }
  for (const auto& n : world.nodes()) {
    std::string refusals;
    for (const auto& [code, count] : n.stats.deniedByReason) {
      refusals += (refusals.empty() ? "" : ", ") + code + " " + std::to_string(count);
    }
    std::printf(
        "  %-6s requests %llu (and %llu health checks), 200 %llu, 401 challenges %llu, refusals %llu%s\n",
        n.name.c_str(), static_cast<unsigned long long>(n.stats.requests - n.stats.health),
        static_cast<unsigned long long>(n.stats.health), static_cast<unsigned long long>(n.stats.allowed),
        static_cast<unsigned long long>(n.stats.challenged), static_cast<unsigned long long>(n.stats.denied),
        refusals.empty() ? "" : (" (" + refusals + ")").c_str());
  }
  for (const auto& dc : world.dcs()) {
    for (const auto& [type, count] : dc.kdcRequests) {
      std::printf("  %s KDC %-20s %llu\n", dc.name.c_str(), type.c_str(),
                  static_cast<unsigned long long>(count));
    }
    for (const auto& [code, count] : dc.kdcErrors) {
      std::printf("  %s KDC %-36s %llu\n", dc.name.c_str(), code.c_str(),
                  static_cast<unsigned long long>(count));
    }
  }
  const auto ps = (*proxy)->stats();
  std::printf(
      "  proxy: %llu tunnels (CONNECT), %llu requests forwarded, %llu refused (not the lab's names), %llu "
      "bad\n",
      static_cast<unsigned long long>(ps.tunnels), static_cast<unsigned long long>(ps.forwarded),
      static_cast<unsigned long long>(ps.refused), static_cast<unsigned long long>(ps.bad));
  std::fflush(stdout);
  (*dashboard)->stop();
  (*proxy)->stop();
  world.stop();
  return 0;
}

int labCommand(const LabArgs& a) {
  if (a.command.empty()) {
    std::fprintf(stderr, "kerbpool lab: give a command (kerbpool lab --help lists them)\n");
    return 2;
  }
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::path(a.state) / "lab.sqlite", ec)) {
    std::fprintf(stderr, "kerbpool lab: %s holds no lab: start one with kerbpool serve SCENARIO --state %s\n",
                 a.state.c_str(), a.state.c_str());
    return 2;
  }
  auto store = lab::StateStore::open(a.state);
  if (!store.ok()) {
    std::fprintf(stderr, "kerbpool lab: %s\n", store.error().message().c_str());
    return 2;
  }
  std::string verb = a.command.front();
  std::transform(verb.begin(), verb.end(), verb.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (verb == "get-winevent") {
    // Read from the state: the lab need not be running.
    auto query = lab::parseGetWinEvent(a.command);
    if (!query.ok()) {
      std::fprintf(stderr, "kerbpool lab: %s\n", query.error().message().c_str());
      return 2;
    }
    auto events = (*store)->events(*query);
    if (!events.ok()) {
      std::fprintf(stderr, "kerbpool lab: %s\n", events.error().message().c_str());
      return 1;
    }
    std::printf("PS> %s\n", joinedArgs(a.command).c_str());
    for (const auto& line : lab::formatWinEvents(*events)) {
      std::printf("%s\n", line.c_str());
    }
    return 0;
  }
  auto id = (*store)->submit(a.command);
  if (!id.ok()) {
    std::fprintf(stderr, "kerbpool lab: %s\n", id.error().message().c_str());
    return 1;
  }
  auto done = (*store)->waitFor(*id, std::chrono::seconds(10));
  if (!done.ok()) {
    std::fprintf(stderr, "kerbpool lab: %s\n", done.error().message().c_str());
    return 1;
  }
  if (done->status == "pending") {
    // Withdrawn, so that a lab started later does not apply it unasked.
    (void)(*store)->finish(*id, "refused", {"no running lab answered"});
    std::fprintf(stderr, "kerbpool lab: no lab answered within 10 s: is kerbpool serve --state %s running?\n",
                 a.state.c_str());
    return 1;
  }
  std::printf("PS> %s\n", joinedArgs(a.command).c_str());
  for (const auto& line : done->output) {
    std::printf("%s\n", line.c_str());
  }
  return done->status == "refused" ? 1 : 0;
}

}  // namespace

void registerServe(CLI::App& app) {
  auto o = std::make_shared<ServeOptions>();
  auto* cmd =
      app.add_subcommand("serve",
                         "Start a scenario's pool (DCs, nodes, load balancer) and keep it up for outside "
                         "clients until Ctrl-C");
  cmd->add_option("scenario", o->scenario,
                  "Built-in scenario name or scenario file (with --state: only to start a new lab)");
  cmd->add_option(
      "--state", o->state,
      "Keep the lab in DIR (SQLite): the scenario and every kerbpool lab change, restored on restart");
  cmd->add_option("--kdc-port", o->kdcPort, "The first DC's KDC port, UDP and TCP (default: a free one)")
      ->check(CLI::Range(1, 65535));
  cmd->add_option("--lb-port", o->lbPort, "The load balancer's port (default: a free one)")
      ->check(CLI::Range(1, 65535));
  cmd->add_option(
      "--krb5-conf", o->krb5Conf,
      "Write the krb5.conf for MIT's tools here (default: in a private folder removed at the end)");
  cmd->add_flag("--clients", o->clients, "Also run the scenario's own clients once (and its timeline)");
  cmd->footer("Example: kerbpool serve per-node-spn --lb-port 8443");
  cmd->callback([o] {
    if (o->scenario.empty() && o->state.empty()) {
      std::fprintf(stderr, "kerbpool serve: name a scenario (or --state DIR of an earlier lab)\n");
      setExitCode(2);
      return;
    }
    setExitCode(serve(*o));
  });

  auto a = std::make_shared<LabArgs>();
  auto* lab = app.add_subcommand("lab", "Give a running lab (kerbpool serve --state DIR) an admin's command");
  lab->add_option("--state", a->state, "The lab's state folder (kerbpool serve --state DIR)")->required();
  lab->prefix_command();
  lab->footer(
      "Commands: setspn -A|-S|-D SPN ACCOUNT, setspn -L ACCOUNT, setspn -Q SPN, setspn -X; "
      "New-CsKerberosAccount "
      "-UserAccount DOMAIN\\NAME; New-CsKerberosAccountAssignment -UserAccount DOMAIN\\NAME [-Identity "
      "site:SITE]; "
      "Set-CsKerberosAccountPassword; Test-CsKerberosAccountAssignment; iisreset [NODE]; node-down NODE; "
      "node-up NODE; "
      "clock-drift NODE SECONDS; reg add "
      "[\\\\NODE\\]HKLM\\SYSTEM\\CurrentControlSet\\Services\\Netlogon\\Parameters "
      "/v MaxConcurrentApi /t REG_DWORD /d N /f; Exchange labs: New-ClientAccessArray -Name NAME -Fqdn FQDN, "
      "New-ADComputer -Name EXCH2010-ASA, .\\RollAlternateServiceAccountPassword.ps1 -ToArrayMembers FQDN "
      "-GenerateNewPasswordFor 'DOMAIN\\EXCH2010-ASA$' (or -ToSpecificServers, -ToEntireForest, -CopyFrom "
      "CAS), "
      "Get-ClientAccessServer -IncludeAlternateServiceAccountCredentialStatus; Lync's web ticket key: "
      "Set-CsCertificate -Type OAuthTokenIssuer -Computer NODE | -Roll; Get-WinEvent [-ComputerName "
      "NAME] [-Id N] [-MaxEvents N] "
      "(the "
      "lab's event logs, kept in --state).\nExample: kerbpool lab --state /tmp/lab setspn -D "
      "HTTP/pool.contoso.test FE01$");
  lab->callback([a, lab] {
    a->command = lab->remaining();
    setExitCode(labCommand(*a));
  });
}

}  // namespace kerbpool::cli
