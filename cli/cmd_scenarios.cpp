// kerbpool list / kerbpool show NAME: the built-in scenarios.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "cli/scenario_source.hpp"
#include "core/common/clock.hpp"
#include "scenarios/builtin_scenarios.hpp"
#include "scenarios/lab_directory.hpp"
#include "scenarios/scenario_loader.hpp"

namespace kerbpool::cli {

namespace {

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

int list() {
  std::size_t width = 0;
  for (const auto& b : scenarios::builtinScenarios()) {
    width = std::max(width, b.name.size());
  }
  for (const auto& b : scenarios::builtinScenarios()) {
    auto s = scenarios::parseScenario(b.json);
    const std::string title = s.ok() ? s->title : "(does not load: " + s.error().message() + ")";
    std::printf("%-*s  %s\n", static_cast<int>(width), std::string(b.name).c_str(), title.c_str());
  }
  return 0;
}

std::string eventText(const scenarios::Scenario& s, const scenarios::TimelineEvent& e) {
  using K = scenarios::TimelineEvent::Kind;
  const bool exchange = s.product == scenarios::Product::Exchange;
  switch (e.kind) {
    case K::NodeDown:
      return "node " + e.node + " goes down";
    case K::NodeUp:
      return "node " + e.node + " comes back";
    case K::PasswordRoll: {
      std::string reach = "every node";
      if (e.reach) {
        reach.clear();
        for (const auto& n : *e.reach) {
          reach += (reach.empty() ? "" : ", ") + n;
        }
      }
      return "password roll of " + e.account + ", new key delivered to " + reach;
    }
    case K::ApplyFix:
      if (exchange) {
        return "the fix: the array's names removed from other accounts, the Alternate Service Account " +
               e.account + " created when missing, given every name of the array (setspn -S) and its " +
               "credential pushed to every member (RollAlternateServiceAccountPassword.ps1 -ToArrayMembers)" +
               (e.iisreset ? ", then iisreset on every node" : "");
      }
      return "the fix: HTTP/<pool> removed from other accounts, shared account " + e.account +
             " created, assigned and keyed on every node" +
             (e.iisreset ? ", then iisreset on every node" : "");
    case K::RollAsaPassword:
      return scenarios::LabDirectory::asaRollCommand(s, e.operation) +
             " (servers that are down at that moment miss the credential)";
    case K::IisReset:
      return "iisreset on " + (e.node.empty() ? std::string("every node") : e.node) +
             ": client connections closed, clients authenticate again";
    case K::ClockDrift:
      return "the clocks of " + e.profile + " clients drift by " + number(e.offsetS) + " s";
    case K::SetOAuthCertificate:
      return "Set-CsCertificate -Type OAuthTokenIssuer -Computer " + e.node + ": " + e.node +
             " gets the pool's web ticket key";
    case K::RollOAuthCertificate:
      return "Set-CsCertificate -Type OAuthTokenIssuer -Roll: a new web ticket key version to every node "
             "that is "
             "up and holds the certificate";
    case K::DisableAccount:
      return "Disable-ADAccount " + e.user + ": the DC refuses its Kerberos and NTLM logons";
    case K::EnableAccount:
      return "Enable-ADAccount " + e.user;
    case K::RevokeClientCertificate:
      return "Revoke-CsClientCertificate " + e.user + ": its client certificates and web tickets are refused";
  }
  return "";
}

int show(const std::string& name) {
  auto s = loadScenarioArgument(name);
  if (!s.ok()) {
    std::fprintf(stderr, "kerbpool show: %s\n", s.error().message().c_str());
    return 2;
  }
  std::printf("%s: %s\n\n%s\n\n", s->name.c_str(), s->title.c_str(), s->description.c_str());
  const auto& p = s->pool;
  std::string nodes;
  for (const auto& n : p.nodes) {
    nodes += (nodes.empty() ? "" : ", ") + n;
  }
  const bool exchange = s->product == scenarios::Product::Exchange;
  std::printf("%s %s (site %s): %s\n", exchange ? "CAS array  " : "Pool       ", p.fqdn.c_str(),
              p.site.c_str(), nodes.c_str());
  if (exchange) {
    std::printf("Product     Exchange: the array's members share the Alternate Service Account (ASA)\n");
  }
  const std::string connections =
      p.loadBalancer.mode == "http" ? ", node connections " + p.loadBalancer.connectionModel : "";
  std::printf("Balancer    %s mode, %s, affinity %s%s\n", p.loadBalancer.mode.c_str(),
              p.loadBalancer.policy.c_str(), p.loadBalancer.affinity.c_str(), connections.c_str());
  std::printf("%s %s, persistence %s, NTLM %s, path %s\n", exchange ? "CAS servers" : "Front-ends ",
              p.tls ? "HTTPS" : "HTTP", p.authPersistence.c_str(), p.ntlm ? "offered" : "off",
              p.path.c_str());
  for (const auto& dc : s->domainControllers) {
    std::printf("DC          %s: MaxConcurrentApi %d, hold time %s ms (%s), wait timeout %s s\n",
                dc.name.c_str(), dc.maxConcurrentApi, number(dc.holdTime.meanMs).c_str(),
                dc.holdTime.model.c_str(), number(dc.waitTimeoutS).c_str());
  }
  std::printf("Users       %s001..%s%03d\n", s->users.prefix.c_str(), s->users.prefix.c_str(),
              s->users.count);
  for (const auto& r : s->dns) {
    std::printf("DNS         %s %s %s\n", r.name.c_str(), r.type.c_str(), r.target.c_str());
  }
  for (const auto& g : s->clients) {
    std::printf("Clients     %d %s x %d requests, %d at a time%s%s\n", g.count, g.profile.c_str(), g.requests,
                g.concurrency,
                g.thinkTimeMs > 0 ? (", think " + std::to_string(g.thinkTimeMs) + " ms").c_str() : "",
                g.host.empty() ? "" : (", via " + g.host).c_str());
  }
  std::printf("\nSet-up (the admin's commands, and what the directory answered)\n");
  core::SystemClock clock;
  auto lab = scenarios::LabDirectory::build(*s, clock);
  if (!lab.ok()) {
    std::printf("  the set-up fails: %s\n", lab.error().message().c_str());
  } else if ((*lab)->steps().empty()) {
    std::printf("  (none)\n");
  } else {
    for (const auto& step : (*lab)->steps()) {
      std::printf("  PS> %s\n", step.command.c_str());
      for (const auto& line : step.output) {
        std::printf("      %s\n", line.c_str());
      }
    }
  }
  if (!s->timeline.empty()) {
    std::printf("\nTimeline%s\n", s->simulatedHours > 0
                                      ? (" (" + number(s->simulatedHours) + " simulated hours)").c_str()
                                      : "");
    for (const auto& e : s->timeline) {
      const std::string at = e.atHour ? "hour " + number(*e.atHour) : number(e.atPercent) + " %";
      std::printf("  at %5s  %s (phase \"%s\")\n", at.c_str(), eventText(*s, e).c_str(), e.label.c_str());
    }
  }
  if (!s->expectations.empty()) {
    std::printf("\nExpected\n");
    for (const auto& e : s->expectations) {
      std::printf("  %s%s%s\n", e.metric.c_str(), e.min ? (" >= " + number(*e.min)).c_str() : "",
                  e.max ? (" <= " + number(*e.max)).c_str() : "");
    }
  }
  return 0;
}

}  // namespace

void registerScenarios(CLI::App& app) {
  auto* l = app.add_subcommand("list", "List the built-in scenarios");
  l->footer("Example: kerbpool list");
  l->callback([] { setExitCode(list()); });
  auto name = std::make_shared<std::string>();
  auto* s = app.add_subcommand("show", "Describe a scenario: its story, its set-up and its timeline");
  s->add_option("scenario", *name, "Built-in scenario name or scenario file")->required();
  s->footer("Example: kerbpool show per-node-spn");
  s->callback([name] { setExitCode(show(*name)); });
}

}  // namespace kerbpool::cli
