#include "scenarios/report_sections.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <tuple>

#include "scenarios/report.hpp"
#include "scenarios/report_text.hpp"
#include "scenarios/text_table.hpp"

namespace kerbpool::scenarios::report_sections {

namespace {

// "1 web ticket", "3 web tickets".
std::string counted(std::uint64_t n, const std::string& one, const std::string& many) {
  return withThousands(n) + " " + (n == 1 ? one : many);
}

using client::OutcomeKind;

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
  const auto& all = o.overall;
  // NTLM requests that needed no logon of their own: the connection was already authenticated.
  std::uint64_t riding = 0;
  for (const auto& [key, count] : o.reasons) {
    if (std::get<1>(key) == "ntlm" &&
        std::get<2>(key).rfind("the connection is already authenticated", 0) == 0) {
      riding += count;
    }
  }
  const std::uint64_t ntlmLogons = all.ntlm >= riding ? all.ntlm - riding : 0;
  const std::uint64_t calls = r.servers.netlogonCalls;
  std::string ntlmWords;
  if (all.ntlm > 0) {
    ntlmWords =
        withThousands(all.ntlm) + " NTLM " + (all.ntlm == 1 ? "request" : "requests") + " (p50 " +
        msText(n.p50Ms) + ", p99 " + msText(n.p99Ms) + "): " + withThousands(ntlmLogons) +
        (ntlmLogons == 1 ? " logon" : " logons") + " on a new connection" +
        (riding > 0 ? ", " + withThousands(riding) + " rode on a connection NTLM had already authenticated"
                    : std::string()) +
        "; the DC did " + withThousands(calls) + " Netlogon pass-" + (calls == 1 ? "through" : "throughs") +
        (calls == ntlmLogons ? ", one per logon" : ", one per logon attempt, failed ones included") + ".";
  }
  const std::uint64_t unauthenticated = all.prompt + all.failed;
  const std::string rest =
      unauthenticated == 0
          ? std::string()
          : " The other " + withThousands(unauthenticated) + " of " + withThousands(all.total()) +
                " requests did not authenticate: " + withThousands(all.prompt) +
                " ended in a credential prompt, " + withThousands(all.failed) + " failed.";
  if (all.kerberos > 0 && all.ntlm > 0) {
    out += wrap("Kerberos: " + withThousands(all.kerberos) + " requests (p50 " + msText(k.p50Ms) + ", p99 " +
                    msText(k.p99Ms) +
                    "), no DC round trip once the workstation holds its ticket. NTLM: " + ntlmWords + rest,
                "  ");
  } else if (all.kerberos > 0) {
    out += wrap((all.webticket > 0 ? "Every request that authenticated without a web ticket used Kerberos"
                 : unauthenticated == 0 ? "Every request used Kerberos"
                                        : "Every request that authenticated used Kerberos") +
                    std::string(" (") + withThousands(all.kerberos) + " of " + withThousands(all.total()) +
                    ", p50 " + msText(k.p50Ms) + ", p99 " + msText(k.p99Ms) + "); the DC did " +
                    withThousands(calls) + " NTLM pass-throughs." + rest,
                "  ");
  } else if (all.ntlm > 0) {
    out += wrap((all.webticket > 0      ? "Every request that authenticated without a web ticket used NTLM: "
                 : unauthenticated == 0 ? "Every request used NTLM: "
                                        : "Every request that authenticated used NTLM: ") +
                    ntlmWords + " Kerberos would have needed none of those pass-throughs." + rest,
                "  ");
  } else if (all.webticket > 0) {
    out += wrap("No request authenticated with Kerberos or NTLM itself: " + withThousands(all.webticket) +
                    " of " + withThousands(all.total()) +
                    " carried a web ticket (below, how the sign-ins that bought them authenticated)." + rest,
                "  ");
  } else if (all.total() > 0) {
    out += wrap("No request authenticated." + rest, "  ");
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

// Lync's client certificates (CertProv) and the users the timeline disabled: what a certificate still buys.
std::string certificateParagraphs(const RunReport& r) {
  const auto& o = r.population.outcomes;
  std::string out;
  const int validity = r.scenario.pool.defaultValidityPeriodHours;
  const std::string validityText =
      std::to_string(validity) + " hours" +
      (validity % 24 == 0 && validity >= 48 ? " (" + std::to_string(validity / 24) + " days)" : "");
  if (o.certificatesIssued > 0 || o.certificateSignIns > 0) {
    std::string byProfile;
    for (const auto& [profile, n] : o.certificateSignInsByProfile) {
      byProfile += (byProfile.empty() ? "" : ", ") + profile + " " + withThousands(n);
    }
    out +=
        wrap("Client certificates (CertProv): " + withThousands(o.certificatesIssued) +
                 " bought after a Windows sign-in, each valid " + validityText +
                 " (Set-CsWebServiceConfiguration -DefaultValidityPeriodHours " + std::to_string(validity) +
                 "). They bought " + counted(o.certificateSignIns, "web ticket", "web tickets") +
                 (byProfile.empty() ? "" : " (" + byProfile + ")") +
                 " with no DC involved: the node checks the certificate against the pool's CA only, not the "
                 "account in AD.",
             "  ");
    if (!o.certificateRefusals.empty()) {
      std::string list;
      std::uint64_t total = 0;
      for (const auto& [code, n] : o.certificateRefusals) {
        list += (list.empty() ? "" : ", ") + code + " " + withThousands(n);
        total += n;
      }
      out +=
          wrap("Nodes refused " + counted(total, "client certificate", "client certificates") + " (" + list +
                   "); each time the client dropped it and signed in with Kerberos or NTLM instead.",
               "  ");
    }
  }
  const std::string realm = r.scenario.realmName;
  for (const auto& d : r.disabledAccounts()) {
    const std::string sip = sipAddress(d.user, realm);
    std::string text = d.user + " was disabled at hour " + fixed(d.disabledAt, 1) + " (Disable-ADAccount)";
    text += ". From then" +
            std::string(d.enabledAt ? " until it was enabled again at hour " + fixed(*d.enabledAt, 1) : "") +
            " it made " + withThousands(d.requests) + " requests, " + withThousands(d.served) +
            " served with a web ticket; it bought " +
            counted(d.certificateSignIns, "web ticket", "web tickets") + " with its client certificate and " +
            withThousands(d.windowsSignIns) + " with Windows, and " +
            counted(d.refusedSignIns, "Windows sign-in was", "Windows sign-ins were") + " refused";
    text += d.lastServed ? "; its last request served was at hour " + fixed(*d.lastServed, 1) + "."
                         : "; none was served.";
    if (d.revokedAt) {
      text += " After Revoke-CsClientCertificate at hour " + fixed(*d.revokedAt, 1) + ": " +
              withThousands(d.requestsAfterRevoke) + " requests, " + withThousands(d.servedAfterRevoke) +
              " served.";
    }
    if (!d.lastRefusal.empty() && d.served < d.requests) {
      text += " The last one refused: " + d.lastRefusal.substr(0, 200) + ".";
    }
    out += wrap(text, "  ");
    if (d.kerberosSignIns > 0) {
      out += wrap(
          "Why the Windows sign-ins worked: " + withThousands(d.kerberosSignIns) +
              " used Kerberos with tickets the client already held from before the account was "
              "disabled (they last 10 hours); the DC checks the account only when a new ticket is "
              "asked for (for a service ticket, once the TGT is older than 20 minutes: MS-KILE 3.3.5.7.1), "
              "and a node that opens a service ticket never asks AD.",
          "  ");
    }
    if (d.certificateSignIns > 0) {
      out += wrap(
          "Why: a Lync client certificate buys web tickets with no check against AD, and it lasts "
          "DefaultValidityPeriodHours = " +
              validityText +
              ". Disabling the account stopped its Kerberos and NTLM logons (the DC refuses them: "
              "KDC_ERR_CLIENT_REVOKED, STATUS_ACCOUNT_DISABLED), not its certificate, so the DC logged no "
              "failure for the " +
              counted(d.certificateSignIns, "ticket", "tickets") + " it bought.",
          "  ");
      out += wrap("Fix: Revoke-CsClientCertificate -Identity sip:" + sip +
                      " whenever an account is disabled (it ends that user's certificates and, in kerbpool, "
                      "the web tickets they bought); Set-CsWebServiceConfiguration "
                      "-DefaultValidityPeriodHours 8 bounds every such case to a working day.",
                  "  ");
    } else if (d.served < d.requests && !d.revokedAt) {
      out += wrap(o.certificatesIssued == 0
                      ? "Why it was cut off: its client holds no client certificate, so every new web ticket "
                        "took a sign-in checked by the DC, which refuses a disabled account."
                      : "Why it was cut off: with DefaultValidityPeriodHours = " + validityText +
                            " its client certificate bought no web ticket after the account was disabled, so "
                            "every new ticket took a Windows sign-in, which the DC refuses for a disabled "
                            "account.",
                  "  ");
    }
  }
  return out;
}

// Lync's web tickets: what the sign-ins cost the DC, per user-hour, against the clients without them; and
// how time was compressed.
std::string webTicketSection(const RunReport& r) {
  const WebTicketFigures f = r.webTickets();
  if (f.clients == 0) {
    return "";
  }
  std::vector<std::string> webProfiles;
  std::vector<std::string> otherProfiles;
  for (const auto& g : r.scenario.clients) {
    const ClientProfileSpec* p = r.scenario.profile(g.profile);
    auto& list = p != nullptr && p->webTicket ? webProfiles : otherProfiles;
    if (std::find(list.begin(), list.end(), g.profile) == list.end()) {
      list.push_back(g.profile);
    }
  }
  std::string out = "\nWeb tickets (Lync's web services)\n";
  const auto& pop = r.population;
  if (pop.simulatedHours > 0) {
    const double wall = std::chrono::duration<double>(pop.wall).count();
    const double stepMin = std::chrono::duration<double>(pop.step).count() / 60.0;
    out += wrap(
        "Time was simulated: " + fixed(pop.simulatedHours, 1) + " hours in " + fixed(wall, 1) +
            " s of wall time (" +
            withThousands(static_cast<std::uint64_t>(wall > 0 ? pop.simulatedHours * 3600.0 / wall : 0)) +
            " times real time). Request n of every client ran in round n of " + std::to_string(pop.rounds) +
            "; the shared clock ran at wall speed within a round and jumped " + fixed(stepMin, 1) +
            " minutes from one round's start to the next, so tickets and web tickets expired as they would "
            "over the day" +
            (pop.step > std::chrono::seconds(120)
                 ? "; a connection idle that long has been closed by IIS (connectionTimeout 2 minutes), "
                   "so each request opened a new one."
                 : "."),
        "  ");
  }
  const auto& si = f.signIns;
  out += wrap(listInWords(webProfiles) + ": " + withThousands(f.clients) + " clients sent " +
                  withThousands(f.requests) + " requests, " + withThousands(f.withTicket) +
                  " answered with their web ticket. They signed in " + withThousands(si.total()) +
                  " times (POST /WebTicket/oauthtoken): " + withThousands(si.kerberos) + " with Kerberos, " +
                  withThousands(si.ntlm) + " with NTLM, " + withThousands(si.prompt + si.failed) +
                  " refused or failed; that is " + fixed(f.ntlmSignInsPerUserHour, 2) +
                  " NTLM logons per user-hour over " + fixed(f.hours, f.hours < 1 ? 3 : 1) + " hours.",
              "  ");
  if (f.otherClients > 0) {
    std::string ratio;
    if (f.ntlmSignInsPerUserHour > 0 && f.otherNtlmPerUserHour > 0) {
      ratio = ", " + fixed(f.otherNtlmPerUserHour / f.ntlmSignInsPerUserHour, 1) + " times as many";
    }
    out += wrap("The other clients (" + listInWords(otherProfiles) + ", " + withThousands(f.otherClients) +
                    ") authenticated " + withThousands(f.otherNtlm) + " of their " +
                    withThousands(f.otherRequests) +
                    " requests with NTLM: " + fixed(f.otherNtlmPerUserHour, 2) + " per user-hour" + ratio +
                    ". Each of those is a Netlogon pass-through to the DC, which did " +
                    withThousands(r.servers.netlogonCalls) + " in all.",
                "  ");
  } else {
    out += wrap("The DC did " + withThousands(r.servers.netlogonCalls) + " Netlogon pass-throughs in all.",
                "  ");
  }
  // Per web-ticket profile: its sign-ins and what they cost, and why they used NTLM.
  std::vector<std::string> kerberosFailed;  // profiles that try Kerberos, yet signed in with NTLM
  std::vector<std::string> byDesign;        // profiles that reach no KDC: NTLM by design
  std::uint64_t kerberosFailedNtlm = 0;
  for (const auto& name : webProfiles) {
    const ClientProfileSpec* p = r.scenario.profile(name);
    std::uint64_t clients = 0;
    for (const auto& g : r.scenario.clients) {
      clients += g.profile == name ? static_cast<std::uint64_t>(g.count) : 0;
    }
    const auto it = pop.outcomes.signInsByProfile.find(name);
    const OutcomeCounts c = it == pop.outcomes.signInsByProfile.end() ? OutcomeCounts{} : it->second;
    if (webProfiles.size() > 1) {
      const double perHour = clients > 0 && f.hours > 0
                                 ? static_cast<double>(c.ntlm) / (static_cast<double>(clients) * f.hours)
                                 : 0;
      out += wrap(name + " (" + withThousands(clients) + " clients): " + withThousands(c.total()) +
                      " sign-ins, " + withThousands(c.kerberos) + " with Kerberos, " + withThousands(c.ntlm) +
                      " with NTLM, " + withThousands(c.prompt + c.failed) +
                      " refused or failed: " + fixed(perHour, 2) + " NTLM logons per user-hour.",
                  "  ");
    }
    if (c.ntlm > 0 && p != nullptr) {
      if (p->kdcReachable && p->tryKerberos) {
        kerberosFailed.push_back(name);
        kerberosFailedNtlm += c.ntlm;
      } else {
        byDesign.push_back(name);
      }
    }
  }
  if (!kerberosFailed.empty()) {
    out +=
        wrap("Why: the " + listInWords(kerberosFailed) + " clients reach a KDC and try Kerberos, yet " +
                 withThousands(kerberosFailedNtlm) +
                 " of their sign-ins used NTLM. A web ticket is bought once and then sent with every request "
                 "until it expires (8 hours on the internal web services), so a user whose Kerberos fails "
                 "costs the DC one NTLM logon per web ticket instead of one per connection; the SPN problem "
                 "still has to be fixed (the findings above say how).",
             "  ");
  }
  if (!byDesign.empty()) {
    std::string external = listInWords(r.scenario.pool.externalWebFqdns);
    out += wrap(
        "Why: the " + listInWords(byDesign) + " clients" +
            " reach no KDC, so every sign-in is an NTLM logon by design, passed through to the DC. " +
            (external.empty() ? std::string()
                              : "Through the external web services (" + external +
                                    ") a web ticket lasts 15 minutes instead of 8 hours, so those users "
                                    "sign in again every quarter of an hour they work. ") +
            "kerbpool takes both lifetimes from the Lync sign-in descriptions it follows; Lync documents "
            "no setting for them, so what an admin can change is the DC side: Netlogon's "
            "MaxConcurrentApi on the front-ends (see the Netlogon figures).",
        "  ");
  }
  if (f.refusals > 0) {
    std::string list;
    for (const auto& [what, n] : pop.outcomes.ticketRefusals) {
      list += (list.empty() ? "" : ", ") + what + " " + withThousands(n);
    }
    out +=
        wrap("Nodes refused " + counted(f.refusals, "web ticket", "web tickets") + " (" + list +
                 "); each time the client dropped its ticket and signed in again, a second refusal in a row "
                 "ended the request.",
             "  ");
    std::vector<std::string> keyless;
    for (const auto& [what, n] : pop.outcomes.ticketRefusals) {
      const auto colon = what.find(": webticket_unknown_pool_key");
      if (colon != std::string::npos) {
        keyless.push_back(what.substr(0, colon));
      }
    }
    if (!keyless.empty()) {
      out +=
          wrap("Why: " + listInWords(keyless) + (keyless.size() == 1 ? " does" : " do") +
                   " not hold the key of the pool's OAuth (web services) certificate that sealed those "
                   "tickets: a web ticket is sealed by the pool, so every node must hold that key, as every "
                   "node must hold the Kerberos account's. A sign-in that lands there gets 503: it cannot "
                   "seal a ticket either.",
               "  ");
      for (const auto& node : keyless) {
        out += wrap("Fix: Set-CsCertificate -Type OAuthTokenIssuer -Computer " + node +
                        " (assign the pool's OAuth certificate to " + node +
                        "; after a roll, check that every "
                        "node received the new one).",
                    "  ");
      }
    }
  }
  out += certificateParagraphs(r);
  return out;
}

// How the pool's TLS reaches the nodes.
std::string tlsText(const Scenario& s) {
  const auto& lb = s.pool.loadBalancer;
  if (!s.pool.tls) {
    return "plain HTTP";
  }
  if (lb.mode == "tcp") {
    return "HTTPS, TLS passed through to the nodes";
  }
  if (lb.tls == "offload") {
    return "HTTPS, TLS terminated at the load balancer (its own certificate) and plain HTTP to the nodes";
  }
  if (lb.tls == "reencrypt-own-certificate") {
    return "HTTPS, TLS terminated at the load balancer (its own certificate) and re-encrypted to the nodes";
  }
  return "HTTPS, TLS terminated at the load balancer (the nodes' certificate) and re-encrypted to the nodes";
}

}  // namespace

std::string narrative(const RunReport& r) {
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
      std::string(s.product == Product::Exchange ? "CAS array " : "Pool ") + s.pool.fqdn + " (site " +
          s.pool.site + "): " + std::to_string(r.servers.nodes.size()) +
          (s.product == Product::Exchange ? " Client Access servers (" : " nodes (") + nodes + ") behind a " +
          (lb.mode == "tcp" ? "layer-4 (tcp)" : "layer-7 (http)") +
          " load balancer on 127.0.0.1:" + std::to_string(r.lbPort) + ", " + lb.policy + ", affinity " +
          lb.affinity + (lb.mode == "http" ? ", node connections " + lb.connectionModel : std::string()) +
          "; " + tlsText(s) + " (" + (s.pool.tls ? "https://" : "http://") + s.pool.fqdn + s.pool.path +
          "); authentication persistence " + s.pool.authPersistence + "; NTLM " +
          (s.pool.ntlm ? "offered" : "not offered") +
          (s.pool.extendedProtection != "off" ? "; Extended Protection " + s.pool.extendedProtection : "") +
          ".",
      "  ");
  for (std::size_t i = 0; i < r.servers.dcs.size() && i < s.domainControllers.size(); ++i) {
    const auto& dc = s.domainControllers[i];
    const auto& live = r.servers.dcs[i];
    const DcVersion* version = findDcVersion(dc.version);
    const bool defaultMca = version != nullptr && live.maxConcurrentApi == version->defaultMaxConcurrentApi;
    out += wrap(
        "Domain controller " + dc.name + " (" + (version != nullptr ? version->display : dc.version) +
            "): KDC on 127.0.0.1:" + std::to_string(live.kdcPort) +
            " (UDP and TCP), Netlogon MaxConcurrentApi " + std::to_string(live.maxConcurrentApi) +
            (defaultMca ? std::string(" (that version's default)") : std::string()) + ", hold time " +
            fixed(dc.holdTime.meanMs, 0) + " ms (" + dc.holdTime.model + "), wait timeout " +
            fixed(dc.waitTimeoutS,
                  dc.waitTimeoutS == static_cast<double>(static_cast<long long>(dc.waitTimeoutS)) ? 0 : 3) +
            " s; secure channels of " +
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
    out +=
        wrap(withThousands(c.total()) + " requests: " + formatPercent(c.percent(OutcomeKind::Kerberos)) +
                 " Kerberos, " + formatPercent(c.percent(OutcomeKind::Ntlm)) + " NTLM, " +
                 (c.webticket > 0 ? formatPercent(c.percent(OutcomeKind::WebTicket)) + " with a web ticket, "
                                  : std::string()) +
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
  out += webTicketSection(r);
  return out;
}

}  // namespace kerbpool::scenarios::report_sections
