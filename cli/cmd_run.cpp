// kerbpool run [NAME|FILE] and kerbpool compare A B ...: run scenarios and report.
#include <sys/ioctl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/scenario_source.hpp"
#include "cli/signals.hpp"
#include "core/common/clock.hpp"
#include "scenarios/assignment_check.hpp"
#include "scenarios/lab_at.hpp"
#include "scenarios/report.hpp"
#include "scenarios/report_html.hpp"
#include "scenarios/scenario_runner.hpp"
#include "scenarios/text_table.hpp"

namespace kerbpool::cli {

namespace {

using scenarios::formatPercent;
using scenarios::withThousands;

struct RunArgs {
  std::string scenario = "tour";
  std::uint64_t clients = 0;
  std::uint64_t seed = 0;
  bool seedSet = false;
  std::vector<int> maxConcurrentApi;  // compare: several values sweep the scenario
  double holdMs = -1;                 // < 0: the scenario's
  double netlogonTimeoutS = 0;        // 0: the scenario's
  bool json = false;
  std::string jsonOut;  // also write the JSON report here
  std::string html;     // also write the HTML report (one self-contained page) here
  bool quiet = false;   // no progress line
  bool serverLogs = false;
  bool serial = false;
  std::string transport;           // "": the scenario's
  bool assignment = false;         // run: Test-CsKerberosAccountAssignment at every phase after the report
  std::string pcap;                // run: capture the run's packets here (pcapng)
  std::uint64_t pcapMaxMb = 200;   // run: the capture's size cap; 0: none
  std::vector<std::string> names;  // compare
};

// A line rewritten with \r on a terminal, once the run has lasted a second.
class ProgressLine {
 public:
  explicit ProgressLine(const scenarios::Scenario& s)
      : scenario_(s), enabled_(::isatty(STDERR_FILENO) == 1) {}
  ~ProgressLine() { finish(); }

  void update(const scenarios::PopulationProgress& p) {
    if (!enabled_ || watch_.elapsed() < std::chrono::seconds(1)) {
      return;
    }
    std::string label = "before";
    if (p.phase > 0 && p.phase <= scenario_.timeline.size()) {
      label = scenario_.timeline[p.phase - 1].label;
    }
    const double seconds = std::chrono::duration<double>(watch_.elapsed()).count();
    const double rate = seconds > 0 ? static_cast<double>(p.done) / seconds : 0;
    const std::string eta =
        rate > 0 && p.total > p.done ? std::to_string(static_cast<long long>((p.total - p.done) / rate) + 1) + " s"
                                     : std::string("-");
    char text[512];
    std::snprintf(text, sizeof text,
                  "  %s/%s requests, %s/s, ETA %s | Kerberos %s NTLM %s prompts %s failed %s | Netlogon waiters "
                  "%s | phase %zu (%s)",
                  withThousands(p.done).c_str(), withThousands(p.total).c_str(),
                  withThousands(static_cast<std::uint64_t>(rate)).c_str(), eta.c_str(),
                  withThousands(p.kerberos).c_str(), withThousands(p.ntlm).c_str(),
                  withThousands(p.prompt).c_str(), withThousands(p.failed).c_str(),
                  withThousands(p.netlogonWaiters).c_str(), p.phase + 1, label.c_str());
    std::string line = text;
    // One line, never wrapped: a wrapped line cannot be rewritten with \r.
    winsize ws{};
    const std::size_t width = ::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 ? ws.ws_col - 1 : 79;
    if (line.size() > width) {
      line.resize(width);
    }
    std::lock_guard lock(mu_);
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
    std::fflush(stderr);
    shown_ = true;
  }
  void finish() {
    std::lock_guard lock(mu_);
    if (shown_) {
      std::fprintf(stderr, "\r\033[K");
      std::fflush(stderr);
      shown_ = false;
    }
  }

 private:
  const scenarios::Scenario& scenario_;
  const bool enabled_;
  core::Stopwatch watch_;
  std::mutex mu_;
  bool shown_ = false;
};

scenarios::RunOptions runOptions(const RunArgs& a, std::optional<int> maxConcurrentApi) {
  scenarios::RunOptions o;
  if (a.clients > 0) {
    o.clients = a.clients;
  }
  if (a.seedSet) {
    o.seed = a.seed;
  }
  o.maxConcurrentApi = maxConcurrentApi;
  if (a.holdMs >= 0) {
    o.holdMs = a.holdMs;
  }
  if (a.netlogonTimeoutS > 0) {
    o.netlogonTimeoutS = a.netlogonTimeoutS;
  }
  o.serverLogs = a.serverLogs;
  o.serial = a.serial;
  if (!a.transport.empty()) {
    o.transport =
        a.transport == "in-process" ? scenarios::Transport::InProcess : scenarios::Transport::Loopback;
  }
  o.record = !a.html.empty();
  if (!a.pcap.empty()) {
    o.capture = scenarios::CaptureRequest{a.pcap, a.pcapMaxMb * 1000 * 1000};
  }
  return o;
}

core::Result<scenarios::RunReport> runOne(const std::string& name, const RunArgs& a,
                                          std::optional<int> maxConcurrentApi, bool progress,
                                          const std::atomic<bool>* stop) {
  KP_TRY(scenarios::Scenario scenario, loadScenarioArgument(name));
  auto options = runOptions(a, maxConcurrentApi);
  options.stop = stop;
  std::unique_ptr<ProgressLine> line;
  if (progress && !a.quiet) {
    line = std::make_unique<ProgressLine>(scenario);
    options.onProgress = [&line](const scenarios::PopulationProgress& p) { line->update(p); };
  }
  auto report = scenarios::runScenario(scenario, options);
  if (line) {
    line->finish();
  }
  return report;
}

std::uint64_t plannedRequests(const scenarios::Scenario& s) {
  std::uint64_t n = 0;
  for (const auto& g : s.clients) {
    n += static_cast<std::uint64_t>(g.count) * static_cast<std::uint64_t>(g.requests);
  }
  return n;
}

// Test-CsKerberosAccountAssignment against the directory of every phase, as `kerbpool test-assignment --at N`.
std::string assignmentPerPhase(const scenarios::Scenario& s) {
  core::SystemClock clock;
  std::string out = "\nTest-CsKerberosAccountAssignment per phase (kerbpool test-assignment --at N)\n";
  for (const auto& point : scenarios::labPhases(s)) {
    out += "  " + point.description + "\n";
    auto lab = scenarios::buildLabAt(s, clock, point);
    if (!lab.ok()) {
      out += "    cannot build the directory: " + lab.error().message() + "\n";
      continue;
    }
    const auto report = scenarios::testKerberosAccountAssignment(**lab);
    for (const auto& c : report.checks) {
      out += std::string("    ") + (c.passed ? "PASS " : "FAIL ") + c.text + "\n";
    }
    out += std::string("    ") + (report.passed() ? "Kerberos account assignment: OK" : "Kerberos account assignment: NOT OK") + "\n";
  }
  return out;
}

std::string signalName(int sig) {
  return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "signal " + std::to_string(sig);
}

// The JSON report, with what an interruption left out.
std::string reportJson(const scenarios::RunReport& r, int sig) {
  std::string text = scenarios::formatReportJson(r);
  if (!r.interrupted && sig == 0) {
    return text;
  }
  auto doc = nlohmann::ordered_json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return text;
  }
  doc["interrupted"] = {{"signal", signalName(sig)},
                        {"complete", !r.interrupted},
                        {"requests_done", r.population.outcomes.overall.total()},
                        {"requests_planned", plannedRequests(r.scenario)}};
  return doc.dump(2) + "\n";
}

bool writeFile(const std::string& path, const std::string& text, const char* who) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) {
    std::fprintf(stderr, "%s: cannot write %s\n", who, path.c_str());
    return false;
  }
  return true;
}

int run(const RunArgs& a) {
  if (a.maxConcurrentApi.size() > 1) {
    std::fprintf(stderr,
                 "kerbpool run: --max-concurrent-api takes one value here; to sweep several, use "
                 "kerbpool compare %s --max-concurrent-api %d,%d\n",
                 a.scenario.c_str(), a.maxConcurrentApi[0], a.maxConcurrentApi[1]);
    return 2;
  }
  TerminationWatcher watcher("kerbpool run");  // before any thread starts
  std::optional<int> mca;
  if (!a.maxConcurrentApi.empty()) {
    mca = a.maxConcurrentApi.front();
  }
  auto report = runOne(a.scenario, a, mca, !a.json, &watcher.stopFlag());
  const int sig = watcher.signal();
  if (!report.ok()) {
    std::fprintf(stderr, "kerbpool run: %s\n", report.error().message().c_str());
    return sig != 0 ? 128 + sig : 2;
  }
  std::string text;
  if (a.json) {
    text = reportJson(*report, sig);
  } else {
    if (report->interrupted) {
      text = "INCOMPLETE: interrupted by " + signalName(sig) + " after " +
             withThousands(report->population.outcomes.overall.total()) + " of " +
             withThousands(plannedRequests(report->scenario)) +
             " requests; everything below covers only what ran.\n\n";
    }
    text += scenarios::formatReport(*report);
    if (a.assignment) {
      text += assignmentPerPhase(report->scenario);
    }
  }
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
  if (!a.jsonOut.empty() && !writeFile(a.jsonOut, a.json ? text : reportJson(*report, sig), "kerbpool run")) {
    return 2;
  }
  if (!a.html.empty()) {
    // The page carries the text report's words even when --json printed the JSON.
    const std::string words = a.json ? scenarios::formatReport(*report) : text;
    if (!writeFile(a.html, scenarios::formatReportHtml({{&*report, report->scenario.name, words}}),
                   "kerbpool run")) {
      return 2;
    }
  }
  if (sig != 0) {
    return 128 + sig;
  }
  return report->passed() ? 0 : 1;
}

int compare(const RunArgs& a) {
  // One run per scenario, or per MaxConcurrentApi value when a list is given (a sweep).
  struct Run {
    std::string name;
    std::optional<int> maxConcurrentApi;
  };
  std::vector<Run> runs;
  for (const auto& name : a.names) {
    if (a.maxConcurrentApi.empty()) {
      runs.push_back({name, std::nullopt});
    }
    for (int m : a.maxConcurrentApi) {
      runs.push_back({name, m});
    }
  }
  if (runs.size() < 2) {
    std::fprintf(stderr,
                 "kerbpool compare: name at least two scenarios, or one scenario and several values: "
                 "--max-concurrent-api 2,10,150\n");
    return 2;
  }
  const bool sweep = a.maxConcurrentApi.size() > 1;
  TerminationWatcher watcher("kerbpool compare");
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  scenarios::TextTable t({"scenario", "requests", "Kerberos", "NTLM", "prompts", "failed", "Netlogon calls",
                          "timeouts", "p99", "event 11", "event 4776", "result"});
  bool allPassed = true;
  std::string why;
  std::vector<std::unique_ptr<scenarios::RunReport>> kept;  // --html: every run, for the page
  std::vector<scenarios::HtmlRun> pages;
  for (const auto& [name, mca] : runs) {
    auto report = runOne(name, a, mca, !a.json, &watcher.stopFlag());
    if (!report.ok()) {
      std::fprintf(stderr, "kerbpool compare: %s: %s\n", name.c_str(), report.error().message().c_str());
      return 2;
    }
    const auto& o = report->population.outcomes.overall;
    const auto p99 = scenarios::summarize(report->population.outcomes.latencyMicros).p99Ms;
    char p99Text[32];
    std::snprintf(p99Text, sizeof p99Text, "%.0f ms", p99);
    std::string label = report->scenario.name;
    if (sweep) {
      label += ", MaxConcurrentApi " + std::to_string(report->maxConcurrentApi);
    }
    t.add({label, withThousands(o.total()),
           formatPercent(o.percent(client::OutcomeKind::Kerberos)),
           formatPercent(o.percent(client::OutcomeKind::Ntlm)), withThousands(o.prompt),
           withThousands(o.failed), withThousands(report->servers.netlogonCalls),
           withThousands(report->servers.semaphore.semaphoreTimeouts), p99Text,
           withThousands(report->servers.event(11)), withThousands(report->servers.event(4776)),
           report->passed() ? "PASS" : "FAIL"});
    allPassed = allPassed && report->passed();
    why += scenarios::formatVerdict(*report, label);
    if (a.json || !a.jsonOut.empty()) {
      all.push_back(nlohmann::ordered_json::parse(reportJson(*report, watcher.signal()), nullptr, false));
    }
    if (!a.html.empty()) {
      kept.push_back(std::make_unique<scenarios::RunReport>(std::move(*report)));
      pages.push_back({kept.back().get(), label, scenarios::formatReport(*kept.back())});
    }
    if (watcher.signal() != 0) {
      break;  // the scenarios not yet run are left out
    }
  }
  const std::string json = nlohmann::ordered_json{{"scenarios", all}}.dump(2) + "\n";
  const std::string text = a.json ? json : t.render("") + "\nWhy\n" + why;
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
  if (!a.jsonOut.empty() && !writeFile(a.jsonOut, json, "kerbpool compare")) {
    return 2;
  }
  if (!a.html.empty() &&
      !writeFile(a.html, scenarios::formatReportHtml(pages, t.render("") + "\nWhy\n" + why), "kerbpool compare")) {
    return 2;
  }
  if (watcher.signal() != 0) {
    return 128 + watcher.signal();
  }
  return allPassed ? 0 : 1;
}

void addCommon(CLI::App* cmd, RunArgs& a) {
  // The same limit as a client group's count in a scenario file (docs/scenario-file.md).
  cmd->add_option("--clients", a.clients, "Scale every client group so that they add up to N clients (1..100000)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100000}))
      ->default_str("the scenario's");
  cmd->add_option_function<std::uint64_t>(
      "--seed",
      [&a](std::uint64_t s) {
        a.seed = s;
        a.seedSet = true;
      },
      "Seed of every random choice (default: the scenario's)");
  cmd->add_option("--max-concurrent-api", a.maxConcurrentApi,
                  "Override every DC's Netlogon MaxConcurrentApi (1..150; compare: a list such as 2,10,150 runs "
                  "the scenario once per value)")
      ->delimiter(',')
      ->check(CLI::Range(1, 150))
      ->default_str("each DC's");
  cmd->add_option("--hold-ms", a.holdMs,
                  "Override every DC's mean hold time of one NTLM pass-through, in ms (0..60000)")
      ->check(CLI::Range(0.0, 60000.0))
      ->default_str("each DC's");
  cmd->add_option("--netlogon-timeout-s", a.netlogonTimeoutS,
                  "Override every DC's Netlogon semaphore wait timeout, in s (0.001..3600; Windows: 45)")
      ->check(CLI::Range(0.001, 3600.0))
      ->default_str("each DC's");
  cmd->add_flag("--server-logs", a.serverLogs,
                "Show the servers' log lines (refusals, KDC errors) on stderr");
  cmd->add_flag("--serial", a.serial,
                "One client at a time, group after group: a seeded run repeats its outcome counts exactly "
                "(default: the groups' concurrency, where counts that depend on timing vary)");
  cmd->add_option("--transport", a.transport,
                  "How the workstations reach the servers: loopback (real sockets) or in-process (the same "
                  "octets without a socket: Kerberos to the KDC service, plain HTTP through the balancer "
                  "to the nodes; HTTPS stays on loopback)")
      ->check(CLI::IsMember({"loopback", "in-process"}))
      ->default_str("the scenario's");
  cmd->add_flag("--json", a.json, "Print the report as one JSON document");
  cmd->add_option("--json-out", a.jsonOut, "Also write the JSON report of the same run to FILE")
      ->default_str("none");
  cmd->add_option("--html", a.html,
                  "Also write the report as one self-contained HTML page to FILE: charts over time, one sign-in "
                  "sequence diagram per phase, the event logs (opens offline; compare: the runs side by side)")
      ->type_name("FILE");
  cmd->add_flag("--quiet", a.quiet, "No progress line on stderr (there is none on a pipe either)");
}

}  // namespace

void registerRun(CLI::App& app) {
  auto a = std::make_shared<RunArgs>();
  auto* cmd =
      app.add_subcommand("run", "Run a scenario (built-in name or file; default: tour) and explain it");
  cmd->add_option("scenario", a->scenario, "Built-in scenario name or scenario file (default: tour)");
  addCommon(cmd, *a);
  cmd->add_flag("--test-assignment", a->assignment,
                "After the report, Test-CsKerberosAccountAssignment against the directory of every phase");
  cmd->add_option("--pcap", a->pcap,
                  "Capture the run's packets to FILE (pcapng, each host with its own address), with FILE.keytab "
                  "(every directory key) and FILE.keys (TLS secrets) so that Wireshark decrypts Kerberos, TLS, "
                  "SPNEGO and NTLM. Captures on the loopback interface: needs root or CAP_NET_RAW")
      ->type_name("FILE");
  cmd->add_option("--pcap-max-mb", a->pcapMaxMb,
                  "Stop adding packets to the --pcap file at this size (MB; 0: no cap); the report says so")
      ->capture_default_str();
  cmd->footer("Examples:\n  kerbpool run per-node-spn\n  kerbpool run scale --clients 2000 --json-out scale.json\n"
              "  kerbpool run password-roll-missed-node --test-assignment\n  kerbpool run tour --html tour.html\n"
              "  kerbpool run tour --pcap tour.pcapng");
  cmd->callback([a] { setExitCode(run(*a)); });

  auto c = std::make_shared<RunArgs>();
  auto* cmp = app.add_subcommand("compare", "Run several scenarios and print them side by side");
  cmp->add_option("scenarios", c->names, "Built-in scenario names or files")->required();
  addCommon(cmp, *c);
  cmp->footer("Examples:\n  kerbpool compare per-node-spn shared-account\n"
              "  kerbpool compare ntlm-bottleneck --max-concurrent-api 2,10,150\n"
              "  kerbpool compare per-node-spn shared-account --html compare.html");
  cmp->callback([c] { setExitCode(compare(*c)); });
}

}  // namespace kerbpool::cli
