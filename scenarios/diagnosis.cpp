#include "scenarios/diagnosis.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "core/common/http_text.hpp"
#include "scenarios/product_words.hpp"

namespace kerbpool::scenarios {

namespace {

using client::OutcomeKind;

std::string pct(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, v == 0 || v == 100 ? "%.0f %%" : "%.1f %%", v);
  return buf;
}

std::string ms(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f ms", v);
  return buf;
}

// "12" or "3.5"
std::string fixedRatio(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, v >= 10 ? "%.0f" : "%.1f", v);
  return buf;
}

std::uint64_t value(const std::map<std::string, std::uint64_t>& m, const std::string& k) {
  auto it = m.find(k);
  return it == m.end() ? 0 : it->second;
}

// The node whose computer account this is ("FE01$" -> "fe01"), or "".
std::string nodeOfAccount(const Scenario& s, const std::string& account) {
  for (const auto& n : s.pool.nodes) {
    if (core::equalsIgnoreAsciiCase(LabDirectory::computerAccount(n), account)) {
      return n;
    }
  }
  return "";
}

std::string plural(std::uint64_t n, const std::string& one, const std::string& many) {
  return withThousands(n) + " " + (n == 1 ? one : many);
}

std::uint64_t deniedOn(const PhaseEvidence& e, const std::string& node, const std::string& code) {
  auto it = e.deniedByNode.find(node);
  return it == e.deniedByNode.end() ? 0 : value(it->second, code);
}

std::uint64_t deniedTotal(const PhaseEvidence& e, const std::string& code) {
  std::uint64_t n = 0;
  for (const auto& [node, codes] : e.deniedByNode) {
    n += value(codes, code);
  }
  return n;
}

// "fell back to NTLM, the DC did 200 pass-throughs and the p99 latency was 48 ms"
std::string consequence(const PhaseEvidence& e) {
  std::string s =
      pct(e.internal.percent(OutcomeKind::Ntlm)) + " of internal clients' requests fell back to NTLM";
  if (e.netlogonCalls > 0) {
    s += ", the DC did " + plural(e.netlogonCalls, "NTLM pass-through", "NTLM pass-throughs");
  }
  return s + " and the p99 latency was " + ms(e.p99Ms);
}

// What the admin sees on Windows for a ticket the node could not open (kerbpool names the precise reason):
// the client logs System event 4 and IIS answers 401.1.
std::string windowsViewOfUndecryptable(const std::string& spn, const std::string& node, std::uint64_t times) {
  const std::string account = LabDirectory::computerAccount(node);
  return "On a Windows client each such refusal (" + withThousands(times) +
         " here) is System event 4 (source Kerberos): \"The Kerberos client received a KRB_AP_ERR_MODIFIED "
         "error " +
         "from the server " + account + ". The target name used was " + spn +
         ".\", and IIS answers HTTP Error 401.1; nothing on the DC records it.";
}

void spnFindings(const PhaseEvidence& e, Diagnosis& d) {
  const Scenario& s = *e.scenario;
  const DirectorySnapshot& dir = *e.directory;
  if (dir.spns.empty()) {
    return;
  }
  const SpnState& pool = dir.spns.front();
  const std::uint64_t unknown = value(e.kdcErrors, "KDC_ERR_S_PRINCIPAL_UNKNOWN");
  const bool internalClients = e.internal.total() > 0;
  const std::string shared = dir.kerberosAccount.value_or(words::defaultSharedAccount(s));
  const std::string fixShared = words::createAndShare(s);

  if (pool.holders.empty()) {
    d.findings.push_back("No account holds " + pool.spn + ". The KDC also tried the HOST alias (HOST/" +
                         s.pool.fqdn + ", through sPNMappings) and found nothing, so it answered " +
                         "KDC_ERR_S_PRINCIPAL_UNKNOWN (" + plural(unknown, "time", "times") +
                         " in this phase)" + (internalClients ? ": " + consequence(e) + "." : "."));
    d.fixes.push_back("Register the pool's name on one account that every node shares: " + fixShared + ".");
    return;
  }
  if (pool.holders.size() >= 2) {
    const auto ev11 = e.events.count(11) ? e.events.at(11) : 0;
    d.findings.push_back(pool.spn + " is registered on " + listInWords(pool.holders) +
                         " (a duplicate SPN: the KDC logged event 11 " + plural(ev11, "time", "times") +
                         "): the KDC refused every service ticket for it (KDC_ERR_S_PRINCIPAL_UNKNOWN, " +
                         withThousands(unknown) + ")" +
                         (internalClients ? ", " + consequence(e) + "." : ".") +
                         (pool.duplicateOrigin.empty() ? "" : " " + pool.duplicateOrigin));
    d.fixes.push_back("Remove the SPN from the computer accounts (" +
                      [&] {
                        std::string cmds;
                        for (const auto& h : pool.holders) {
                          cmds += (cmds.empty() ? "" : "; ") + std::string("setspn -D ") + pool.spn + " " + h;
                        }
                        return cmds;
                      }() +
                      ") and " + fixShared +
                      (pool.duplicateFix.empty() ? "." : "; then " + pool.duplicateFix + "."));
    return;
  }
  const std::string holder = pool.holders.front();
  const std::string holderNode = nodeOfAccount(s, holder);
  if (!holderNode.empty()) {
    // One node's own computer account: tickets are sealed with a key only that node has.
    std::string text = pool.spn + " is held only by " + holder + ", the computer account of " + holderNode +
                       ": the KDC seals every ticket for the pool with " + holder + "'s key, which only " +
                       holderNode + " knows.";
    const auto& onHolder = e.byNode.count(holderNode) ? e.byNode.at(holderNode) : OutcomeCounts{};
    text += " " + holderNode + " accepted " + plural(onHolder.kerberos, "Kerberos logon", "Kerberos logons");
    std::vector<std::string> others;
    std::uint64_t prompts = 0;
    std::uint64_t refusedInAll = 0;
    std::string firstRefusing;
    for (const auto& n : s.pool.nodes) {
      if (n == holderNode) {
        continue;
      }
      const auto refused = deniedOn(e, n, "no_key_for_spn");
      refusedInAll += refused;
      if (refused > 0 && firstRefusing.empty()) {
        firstRefusing = n;
      }
      const auto& c = e.byNode.count(n) ? e.byNode.at(n) : OutcomeCounts{};
      prompts += c.prompt + c.failed;
      if (refused > 0 || c.total() > 0) {
        others.push_back(n + " refused " + withThousands(refused) + " (no_key_for_spn)");
      }
    }
    if (!others.empty()) {
      text += "; " + listInWords(others);
    }
    text += ": " + plural(prompts, "request", "requests") +
            " on the other nodes ended in a credential prompt " + "or a failure (" +
            pct(e.outcomes.percent(OutcomeKind::Prompt)) + " prompts in this phase).";
    if (refusedInAll > 0) {
      text += " " + windowsViewOfUndecryptable(pool.spn, firstRefusing, refusedInAll);
    }
    d.findings.push_back(text);
    d.fixes.push_back("setspn -D " + pool.spn + " " + holder + ", then " + fixShared + ".");
    return;
  }
  if (dir.kerberosAccount && core::equalsIgnoreAsciiCase(*dir.kerberosAccount, holder)) {
    // The shared account: which nodes hold which kvno.
    std::vector<std::string> current;
    std::vector<std::string> stale;
    for (const auto& n : s.pool.nodes) {
      auto it = dir.deliveredKvnos.find(n);
      const bool has = it != dir.deliveredKvnos.end() &&
                       std::find(it->second.begin(), it->second.end(), dir.accountKvno) != it->second.end();
      if (has) {
        current.push_back(n);
      } else {
        std::string held = "none";
        if (it != dir.deliveredKvnos.end() && !it->second.empty()) {
          held = "kvno " + std::to_string(it->second.back());
        }
        stale.push_back(n + " (holds " + held + ")");
      }
    }
    std::string text = pool.spn + " is held by " + holder + ", " + words::sharedAccountNoun(s) +
                       " (current key version kvno " + std::to_string(dir.accountKvno) + ").";
    if (stale.empty()) {
      const double kerberos = e.internal.percent(OutcomeKind::Kerberos);
      text += " Every node (" + listInWords(current) + ") holds kvno " + std::to_string(dir.accountKvno) +
              ", so any node can open any ticket";
      if (e.events.count(16) != 0 && e.events.at(16) > 0) {
        text += ", but the KDC sealed no ticket with it: the encryption-type finding of this phase says why.";
      } else if (e.internal.total() > 0 && e.internal.kerberos == e.internal.total()) {
        text += ": every internal client's request used Kerberos (" +
                plural(e.internal.kerberos, "request", "requests") + ")" +
                (e.netlogonCalls == 0 ? ", with no DC round trip per logon." : ".");
      } else {
        text += "; the pool's key is therefore not why only " + pct(kerberos) +
                " of internal clients' requests used Kerberos (" + withThousands(e.internal.kerberos) +
                " of " + withThousands(e.internal.total()) + "): the other findings of this phase say why.";
      }
      d.findings.push_back(text);
    } else {
      // A node that holds an older kvno answers no_key_for_kvno; one that never had the account's key has no
      // key for the name at all (no_key_for_spn).
      std::uint64_t staleRefusals = 0;
      std::uint64_t keylessRefusals = 0;
      for (const auto& n : s.pool.nodes) {
        staleRefusals += deniedOn(e, n, "no_key_for_kvno");
        keylessRefusals += deniedOn(e, n, "no_key_for_spn");
      }
      const std::uint64_t refused = staleRefusals + keylessRefusals;
      std::string answers;
      if (staleRefusals > 0 || keylessRefusals == 0) {
        answers = "'no key with that kvno' (no_key_for_kvno, " + withThousands(staleRefusals) + " refusals)";
      }
      if (keylessRefusals > 0) {
        answers += std::string(answers.empty() ? "" : " or ") + "'no key for that name' (no_key_for_spn, " +
                   withThousands(keylessRefusals) + " refusals)";
      }
      text += " The key reached " + (current.empty() ? std::string("no node") : listInWords(current)) +
              " but not " + listInWords(stale) + ": tickets carry kvno " + std::to_string(dir.accountKvno) +
              ", so " + (stale.size() == 1 ? "that node answers " : "those nodes answer ") + answers +
              " and its users see a credential prompt (" + pct(e.outcomes.percent(OutcomeKind::Prompt)) +
              " prompts in this phase).";
      std::string firstRefusing;
      for (const auto& n : s.pool.nodes) {
        if (firstRefusing.empty() &&
            deniedOn(e, n, "no_key_for_kvno") + deniedOn(e, n, "no_key_for_spn") > 0) {
          firstRefusing = n;
        }
      }
      if (refused > 0) {
        text += " " + windowsViewOfUndecryptable(pool.spn, firstRefusing, refused);
      }
      d.findings.push_back(text);
      // Lync and Exchange both mend a node that missed a roll by copying the password from one that has it.
      std::string mend;
      for (const auto& n : s.pool.nodes) {
        if (std::find(current.begin(), current.end(), n) != current.end()) {
          continue;
        }
        mend += (mend.empty() ? "" : "; ") +
                words::copyCredential(s, current.empty() ? std::string() : current.front(), n);
      }
      d.fixes.push_back("Copy the current password to the node that missed the roll (" + mend +
                        "), so that every node of site " + s.pool.site + " holds kvno " +
                        std::to_string(dir.accountKvno) + "; then " + words::verifyCommand(s) + ".");
    }
    return;
  }
  d.findings.push_back(pool.spn + " is held by " + holder + ", which is not " + words::sharedAccountNoun(s) +
                       (dir.kerberosAccount ? " (" + *dir.kerberosAccount + ")" : " (none assigned)") +
                       ": the nodes never received its key, so they cannot open the tickets.");
  d.fixes.push_back(words::shareExisting(s, holder));
}

// An SPN's host part that is an address: IPv4 digits and dots (a ":port" suffix allowed), or IPv6 (two colons
// or more). "pool.contoso.test:8080" and "3com.contoso.test" are names.
bool isAddressLiteral(const std::string& host) {
  if (std::count(host.begin(), host.end(), ':') >= 2) {
    return true;
  }
  const std::string address = host.substr(0, host.find(':'));
  return std::count(address.begin(), address.end(), '.') == 3 &&
         std::all_of(address.begin(), address.end(),
                     [](char c) { return c == '.' || std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

// A browser that built the SPN from the address the name resolved to (HTTP/127.0.0.1).
void addressSpnFinding(const PhaseEvidence& e, const std::string& host, const std::string& spn,
                       Diagnosis& d) {
  const Scenario& s = *e.scenario;
  std::vector<std::string> profiles;
  OutcomeCounts c;
  for (const auto& p : s.profiles) {
    const bool onHost = std::any_of(s.clients.begin(), s.clients.end(), [&](const ClientGroupSpec& g) {
      return g.profile == p.name &&
             core::toLowerAscii(g.host.empty() ? s.pool.fqdn : g.host) == core::toLowerAscii(host);
    });
    if (p.spnFromAddress && onHost && std::find(profiles.begin(), profiles.end(), p.name) == profiles.end()) {
      profiles.push_back(p.name);
      if (e.byProfile.count(p.name) != 0) {
        c.merge(e.byProfile.at(p.name));
      }
    }
  }
  const std::string who = profiles.empty() ? "Some clients" : "Clients of profile " + listInWords(profiles);
  d.findings.push_back(
      who + " asked for " + spn + " when they opened " + host +
      ": their browser builds the SPN from the address the name resolved to (Chromium on Linux "
      "does when the resolver returns no canonical name, e.g. for a hosts-file entry). No "
      "account holds " +
      spn + ", so the KDC answered KDC_ERR_S_PRINCIPAL_UNKNOWN and " + pct(c.percent(OutcomeKind::Ntlm)) +
      " of their requests (" + withThousands(c.ntlm) + " of " + withThousands(c.total()) +
      ", whole run) used NTLM.");
  d.fixes.push_back(
      "Set Chromium's DisableAuthNegotiateCnameLookup policy to true on those machines (the SPN is "
      "then built from the name typed, HTTP/" +
      host +
      "), or let the resolver return the pool's name (a DNS A record rather than a hosts-file "
      "line); an SPN on an address is no fix.");
}

// Whether some client of `host` asks the KDC for a ticket (a profile that reaches a KDC and tries Kerberos).
bool hostTriesKerberos(const Scenario& s, const std::string& host) {
  for (const auto& g : s.clients) {
    const ClientProfileSpec* p = s.profile(g.profile);
    if (p == nullptr || !p->kdcReachable || !p->tryKerberos) {
      continue;
    }
    const std::string used = core::toLowerAscii(g.host.empty() ? s.pool.fqdn : g.host);
    if (used == core::toLowerAscii(host) ||
        (p->autodiscover && core::toLowerAscii(host).rfind("autodiscover.", 0) == 0)) {
      return true;
    }
  }
  return false;
}

void cnameFindings(const PhaseEvidence& e, Diagnosis& d) {
  const Scenario& s = *e.scenario;
  const std::string poolSpn = core::toLowerAscii("HTTP/" + s.pool.fqdn);
  for (const auto& [host, spns] : e.spnsByHost) {
    if (!hostTriesKerberos(s, host)) {
      continue;  // its clients never ask the KDC: the SPN is not why they use NTLM
    }
    for (const auto& spn : spns) {
      if (core::toLowerAscii(spn) == poolSpn) {
        continue;
      }
      if (isAddressLiteral(spn.substr(spn.find('/') + 1))) {
        addressSpnFinding(e, host, spn, d);
        continue;
      }
      auto cn = e.directory->cnames.find(core::toLowerAscii(host));
      std::string text = "Clients of " + host + " asked for " + spn;
      if (cn != e.directory->cnames.end()) {
        text += " (" + host + " is a CNAME to " + cn->second +
                ", and Windows builds the SPN from the canonical name)";
      }
      std::vector<std::string> holders;
      for (const auto& st : e.directory->spns) {
        if (core::toLowerAscii(st.spn) == core::toLowerAscii(spn)) {
          holders = st.holders;
        }
      }
      const auto& c = e.byHost.count(host) ? e.byHost.at(host) : OutcomeCounts{};
      text += holders.empty() ? ": no account holds it, the KDC answered KDC_ERR_S_PRINCIPAL_UNKNOWN and " +
                                    pct(c.percent(OutcomeKind::Ntlm)) + " of their requests used NTLM."
                              : ": it is held by " + listInWords(holders) + ".";
      d.findings.push_back(text);
      const std::string account = e.directory->kerberosAccount.value_or(words::defaultSharedAccount(s));
      if (holders.empty() && cn != e.directory->cnames.end()) {
        d.fixes.push_back(
            "Make " + host + " an A record pointing at the load balancer's address (not a CNAME), " +
            "or register " + spn + " on the shared account too (setspn -S " + spn + " " + account + ").");
      } else if (holders.empty() && e.directory->kerberosAccount) {
        d.fixes.push_back("Register " + spn + " on " + words::sharedAccountNoun(s) + " too (setspn -S " +
                          spn + " " + account + "): the nodes holding its key then open tickets for " + host +
                          ".");
      } else if (holders.empty()) {
        d.fixes.push_back("Register " + spn + " on the same account as HTTP/" + s.pool.fqdn + " (setspn -S " +
                          spn + " " + account + "), so that the nodes holding its key open " +
                          "tickets for " + host + " too.");
      }
    }
  }
}

void ntlmLegFindings(const PhaseEvidence& e, Diagnosis& d) {
  const Scenario& s = *e.scenario;
  std::uint64_t noChallenge = 0;
  std::string code;
  for (const auto& [node, codes] : e.deniedByNode) {
    for (const auto& [c, n] : codes) {
      if (c.find("challenge") != std::string::npos && c.find("ntlm") != std::string::npos) {
        noChallenge += n;
        code = c;
      }
    }
  }
  if (noChallenge > 0) {
    const auto& lb = s.pool.loadBalancer;
    const bool serverClose = lb.connectionModel == "server-close";
    d.findings.push_back(
        "NTLM needs its three legs on one connection to one node, but the " + lb.mode +
        "-mode load balancer (" + lb.policy + ", affinity " + lb.affinity + ", node connections " +
        lb.connectionModel + ") " +
        (serverClose
             ? "closed its connection to the node after the CHALLENGE, so the AUTHENTICATE went out on a "
               "new one"
             : "sent the legs of a logon over different node connections") +
        ": the node that received the AUTHENTICATE message had issued no challenge on that connection (" +
        code + ", " + withThousands(noChallenge) + " times), so " +
        pct(e.outcomes.percent(OutcomeKind::Prompt) + e.outcomes.percent(OutcomeKind::Failed)) +
        " of requests ended in a credential prompt or a failure.");
    d.fixes.push_back(
        serverClose
            ? std::string(
                  "Keep the connections to the nodes open (HAProxy: remove option http-server-close; "
                  "connection_model haproxy), or run the balancer in tcp mode: affinity alone does not "
                  "help when every node connection is closed after one response.")
            : std::string(
                  "Give the load balancer source (or cookie) affinity, use one that keeps a node "
                  "connection private to its client once the node sends an NTLM or Negotiate challenge "
                  "(HAProxy in http-keep-alive mode does: connection_model haproxy), or run it in tcp "
                  "mode so a client connection stays on one node."));
  }
}

// Applications that authenticate several connections per user (Outlook: autodiscover, then MAPI over HTTP's
// mail and address book connections): with NTLM each connection is its own logon.
std::string applicationLogons(const Scenario& s) {
  std::string out;
  for (const auto& g : s.clients) {
    const ClientProfileSpec* p = s.profile(g.profile);
    if (p == nullptr || (p->connections <= 1 && !p->autodiscover) || p->connectionPerRequest ||
        g.connectionPerRequest) {
      continue;
    }
    const int perClient = p->connections + (p->autodiscover ? 1 : 0);
    std::string what = p->autodiscover ? "autodiscover" : "";
    if (p->connections > 1) {
      what += std::string(what.empty() ? "" : ", and ") + std::to_string(p->connections) +
              " connections to " + s.pool.fqdn;
    } else {
      what += std::string(what.empty() ? "" : " and ") + "one connection to " + s.pool.fqdn;
    }
    out += " Each " + g.profile + " client authenticates " + std::to_string(perClient) + " connections (" +
           what + "): with NTLM each is a logon of its own, so " +
           withThousands(static_cast<std::uint64_t>(g.count)) + " " + g.profile + " clients cost up to " +
           withThousands(static_cast<std::uint64_t>(g.count) * static_cast<std::uint64_t>(perClient)) +
           " pass-throughs, where one connection each would cost " +
           withThousands(static_cast<std::uint64_t>(g.count)) + ".";
  }
  return out;
}

void netlogonFindings(const PhaseEvidence& e, Diagnosis& d) {
  if (e.netlogonCalls > 0) {
    const double holdMs =
        e.scenario->domainControllers.empty() ? 20.0 : e.scenario->domainControllers.front().holdTime.meanMs;
    const double perChannel = holdMs > 0 ? e.maxConcurrentApi * 1000.0 / holdMs : 0.0;
    char rate[64];
    std::snprintf(rate, sizeof rate, "%.0f", perChannel);
    std::string text =
        "Every NTLM logon is a Netlogon pass-through to the DC (" + plural(e.netlogonCalls, "call", "calls") +
        " in this phase). Each node's secure channel " +
        "allows MaxConcurrentApi = " + std::to_string(e.maxConcurrentApi) + " calls at a time, " +
        "each holding its slot about " + ms(holdMs) + ": at most " + rate + " logons/s per channel.";
    if (e.channels.size() > 1) {
      text = "Every NTLM logon is a Netlogon pass-through to the node's DC (" +
             plural(e.netlogonCalls, "call", "calls") + " in this phase); a secure channel admits " +
             "MaxConcurrentApi calls at a time, however many DCs the domain has:";
      for (std::size_t i = 0; i < e.channels.size(); ++i) {
        const auto& c = e.channels[i];
        std::snprintf(rate, sizeof rate, "%.0f", c.holdMs > 0 ? c.maxConcurrentApi * 1000.0 / c.holdMs : 0.0);
        text += std::string(i == 0 ? " " : "; ") + c.dc + " (" +
                (c.nodes.empty() ? std::string("no node") : listInWords(c.nodes)) + ") " +
                std::to_string(c.maxConcurrentApi) + " at about " + ms(c.holdMs) + " each, at most " + rate +
                " logons/s per channel";
      }
      text += ".";
    }
    const double holdForQueue =
        e.channels.empty()
            ? holdMs
            : std::max_element(e.channels.begin(), e.channels.end(), [](const auto& a, const auto& b) {
                return a.holdMs < b.holdMs;
              })->holdMs;
    if (e.maxNetlogonWaiters > 0 && holdForQueue > 0) {
      text += " Logons queued for a slot (up to " + withThousands(e.maxNetlogonWaiters) +
              " waiting on one channel during the run): the p99 latency was " + ms(e.p99Ms) + ", " +
              fixedRatio(e.p99Ms / holdForQueue) + " times the hold time of one call.";
    } else if (e.maxNetlogonWaiters == 0) {
      text += " No logon had to wait for a slot during the run (p99 latency " + ms(e.p99Ms) + ").";
    }
    if (e.netlogonTimeouts > 0) {
      const auto ev = [&](int id) { return e.events.count(id) ? e.events.at(id) : 0; };
      text +=
          " " + plural(e.netlogonTimeouts, "logon", "logons") + " waited past the timeout and failed " +
          "(STATUS_NO_LOGON_SERVERS); Windows logs event 5816 for the first of a period and 5817 to sum " +
          "up the rest (" + withThousands(ev(5816)) + " and " + withThousands(ev(5817)) + " here)";
      if (ev(5818) + ev(5819) > 0) {
        text += ", and 5818/5819 for waits over WarningEventThreshold (" + withThousands(ev(5818)) + " and " +
                withThousands(ev(5819)) + ")";
      }
      text += ".";
      d.fixes.push_back(
          "Raise MaxConcurrentApi (HKLM\\SYSTEM\\CurrentControlSet\\Services\\Netlogon\\Parameters, up " +
          std::string("to 150) on the ") +
          (e.scenario->product == Product::Exchange ? "Client Access servers" : "front-ends") +
          " and DCs, or better, make Kerberos work so logons need no DC round trip" +
          (e.scenario->product == Product::Exchange
               ? std::string(" (an Alternate Service Account for the array); watch the Netlogon counters "
                             "Semaphore Waiters, Semaphore Timeouts and Average Semaphore Hold Time on the "
                             "CAS servers while you do")
               : std::string()) +
          ".");
    }
    text += applicationLogons(*e.scenario);
    d.findings.push_back(text);
  }
}

void connectionFindings(const PhaseEvidence& e, Diagnosis& d) {
  const std::uint64_t riding = e.ntlmOnAuthenticatedConnections;
  if (riding == 0 || e.outcomes.ntlm == 0) {
    return;
  }
  d.findings.push_back(plural(riding, "NTLM request", "NTLM requests") + " of this phase (of " +
                       withThousands(e.outcomes.ntlm) + ") needed no new logon: they rode on keep-alive " +
                       "connections that NTLM had already authenticated (IIS keeps an NTLM logon for the " +
                       "connection's life), so only new connections pay the DC round trip.");
}

void skewFindings(const PhaseEvidence& e, Diagnosis& d) {
  const std::uint64_t skew = deniedTotal(e, "clock_skew") + value(e.kdcErrors, "KRB_AP_ERR_SKEW");
  if (skew == 0) {
    return;
  }
  d.findings.push_back(
      "Clock skew: workstations' clocks are more than 5 minutes off the nodes' and the DC's, " +
      std::string("so tickets and authenticators are refused (clock_skew / KRB_AP_ERR_SKEW, ") +
      withThousands(skew) + " times): " + pct(e.outcomes.percent(OutcomeKind::Prompt)) + " prompts and " +
      pct(e.outcomes.percent(OutcomeKind::Ntlm)) + " NTLM in this phase.");
  d.fixes.push_back(
      "Synchronise the workstations' time with the domain hierarchy (w32tm /resync); Kerberos " +
      std::string("tolerates 5 minutes."));
}

void extendedProtectionFindings(const PhaseEvidence& e, Diagnosis& d) {
  const std::uint64_t mismatch = deniedTotal(e, "channel_bindings_mismatch");
  const std::uint64_t missing = deniedTotal(e, "channel_bindings_missing");
  if (mismatch + missing == 0) {
    return;
  }
  const Scenario& s = *e.scenario;
  const auto& lb = s.pool.loadBalancer;
  const std::string refused =
      pct(e.outcomes.percent(OutcomeKind::Prompt) + e.outcomes.percent(OutcomeKind::Failed));
  if (mismatch > 0) {
    std::string channels;
    if (lb.mode == "http" && lb.tls == "offload") {
      channels =
          "workstations bound their Kerberos and NTLM tokens to the load balancer's certificate (RFC 5929 "
          "tls-server-end-point), and the balancer ended TLS and forwarded plain HTTP, so the nodes had no "
          "channel to match them with";
    } else if (lb.mode == "http" && lb.tls == "reencrypt-own-certificate") {
      channels =
          "workstations bound their Kerberos and NTLM tokens to the load balancer's own certificate (RFC "
          "5929 tls-server-end-point), and the nodes saw the balancer's second TLS connection, in which "
          "they presented their own certificate";
    } else {
      channels = "workstations bound their tokens to another TLS channel than the one each node saw";
    }
    d.findings.push_back(
        "Extended Protection (" + s.pool.extendedProtection + " on every node) refused " +
        withThousands(mismatch) +
        " tokens as bound to another channel (channel_bindings_mismatch; Windows reports "
        "SEC_E_BAD_BINDINGS): " +
        channels + ". " + refused +
        " of requests ended in a credential prompt or a failure; NTLM was refused at the node, "
        "before any pass-through to the DC.");
    d.fixes.push_back(
        "Pass TLS through to the nodes (load_balancer mode tcp), let the balancer present the nodes' own "
        "certificate when it re-encrypts (load_balancer tls reencrypt: SSL bridging with the same "
        "certificate, "
        "which Exchange supports with Extended Protection), or turn Extended Protection off on the nodes "
        "(IIS "
        "tokenChecking None; extended_protection off).");
  }
  if (missing > 0) {
    d.findings.push_back(
        "Extended Protection is require on every node, and " + withThousands(missing) +
        " tokens were bound to no channel at all (channel_bindings_missing, SEC_E_BAD_BINDINGS): "
        "clients that do not send channel bindings are refused under require.");
    d.fixes.push_back(
        "Set Extended Protection to allow (IIS tokenChecking Allow) while such clients remain.");
  }
}

void externalFindings(const PhaseEvidence& e, Diagnosis& d) {
  const auto externalNtlm = e.outcomes.ntlm - e.internal.ntlm;
  if (externalNtlm > 0) {
    // Which profiles these are: the ones that do not try Kerberos (no KDC in reach, or set to NTLM).
    std::vector<std::string> names;
    bool configuredNtlm = false;
    for (const auto& g : e.scenario->clients) {
      const ClientProfileSpec* p = e.scenario->profile(g.profile);
      if (p != nullptr && !(p->kdcReachable && p->tryKerberos) &&
          std::find(names.begin(), names.end(), g.profile) == names.end()) {
        names.push_back(g.profile);
        configuredNtlm = configuredNtlm || p->kdcReachable;
      }
    }
    d.findings.push_back(plural(externalNtlm, "request", "requests") +
                         " came from clients that do not try Kerberos (" +
                         (names.empty() ? std::string("external PCs, phones") : listInWords(names)) + ": " +
                         (configuredNtlm ? "no KDC in reach, or an application set to NTLM authentication"
                                         : "no KDC in reach") +
                         "): NTLM is expected for them and each logon costs the DC a pass-through.");
  }
}

}  // namespace

std::string withThousands(std::uint64_t n) {
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) {
    s.insert(static_cast<std::size_t>(i), ",");
  }
  return s;
}

std::string listInWords(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) {
      out += i + 1 == items.size() ? " and " : ", ";
    }
    out += items[i];
  }
  return out;
}

DirectorySnapshot snapshotDirectory(const LabDirectory& lab) {
  const Scenario& s = lab.scenario();
  const kdc::Directory& dir = lab.directory();
  DirectorySnapshot snap;
  std::vector<std::string> names{core::toLowerAscii(s.pool.fqdn)};
  for (const auto& r : s.dns) {
    if (r.type == "CNAME") {
      snap.cnames[r.name] = r.target;
    }
  }
  // The canonical name of every host clients use (what Windows puts in the SPN).
  for (const auto& g : s.clients) {
    std::string host = core::toLowerAscii(g.host.empty() ? s.pool.fqdn : g.host);
    for (int hops = 0; hops < 8 && snap.cnames.count(host); ++hops) {
      host = snap.cnames.at(host);
    }
    if (std::find(names.begin(), names.end(), host) == names.end()) {
      names.push_back(host);
    }
    // Exchange's clients look their settings up at autodiscover.<domain> first.
    const ClientProfileSpec* profile = s.profile(g.profile);
    const std::string discover = "autodiscover." + dir.dnsDomain();
    if (profile != nullptr && profile->autodiscover &&
        std::find(names.begin(), names.end(), discover) == names.end()) {
      names.push_back(discover);
    }
  }
  for (const auto& n : names) {
    SpnState st;
    st.spn = "HTTP/" + n;
    for (const auto& h : dir.querySpn(st.spn).holders) {
      st.holders.push_back(h.samAccountName);
    }
    if (st.holders.size() >= 2) {
      if (auto origin = lab.duplicateOrigin(st.spn)) {
        st.duplicateOrigin = origin->how;
        st.duplicateFix = origin->fix;
      }
    }
    snap.spns.push_back(std::move(st));
  }
  const auto keysOf = [&](const std::string& sam) {
    AccountKeys k;
    if (auto a = dir.account(sam)) {
      k.account = a->samAccountName;
      k.supported = dir.effectiveEncryptionTypes(*a);
      k.fromDomainDefault = a->supportedEncryptionTypes == kdc::supported_enctypes::kNotSet;
      if (const auto* current = a->currentKeys()) {
        k.kvno = current->kvno;
        for (const auto& key : current->keys) {
          k.keyEnctypes.push_back(key.enctype);
        }
      }
    }
    return k;
  };
  if (!snap.spns.empty() && snap.spns.front().holders.size() == 1) {
    snap.poolHolderKeys = keysOf(snap.spns.front().holders.front());
  }
  snap.krbtgtKeys = keysOf("krbtgt");
  if (auto site = dir.site(s.pool.site)) {
    snap.kerberosAccount = site->kerberosAccount;
  }
  if (snap.kerberosAccount) {
    if (auto a = dir.account(*snap.kerberosAccount)) {
      snap.accountKvno = a->keyVersionNumber;
    }
    for (const auto& n : s.pool.nodes) {
      snap.deliveredKvnos[n] = dir.deliveredKvnos(*snap.kerberosAccount, LabDirectory::computerAccount(n));
    }
  }
  return snap;
}

namespace {

std::string enctypeNames(const std::vector<std::int32_t>& ids) {
  std::vector<std::string> names;
  for (std::int32_t id : ids) {
    names.push_back(id == 18   ? "AES256 (18)"
                    : id == 17 ? "AES128 (17)"
                    : id == 23 ? "RC4 (23)"
                               : std::to_string(id));
  }
  return names.empty() ? std::string("none") : listInWords(names);
}

std::string hexMask(std::uint32_t mask) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%X", mask);
  return buf;
}

std::vector<std::int32_t> usableEnctypes(const AccountKeys& k) {
  std::vector<std::int32_t> out;
  for (std::int32_t e : kdc::enctypesInMask(k.supported)) {
    if (std::find(k.keyEnctypes.begin(), k.keyEnctypes.end(), e) != k.keyEnctypes.end()) {
      out.push_back(e);
    }
  }
  return out;
}

bool overlaps(const std::vector<std::int32_t>& a, const std::vector<std::int32_t>& b) {
  return std::any_of(a.begin(), a.end(),
                     [&](std::int32_t x) { return std::find(b.begin(), b.end(), x) != b.end(); });
}

// Encryption types: the pool account's password predates AES (events 16), or clients that offer only what
// an account does not allow (events 26/27). Windows clients name the error KDC_ERR_ETYPE_NOTSUPP (0xE).
void etypeFindings(const PhaseEvidence& e, Diagnosis& d) {
  const Scenario& s = *e.scenario;
  const DirectorySnapshot& dir = *e.directory;
  const std::uint64_t nosupp = value(e.kdcErrors, "KDC_ERR_ETYPE_NOSUPP");
  const auto count = [&](int id) { return e.events.count(id) ? e.events.at(id) : 0; };
  if (dir.poolHolderKeys && count(16) > 0) {
    const AccountKeys& k = *dir.poolHolderKeys;
    std::vector<std::int32_t> keyless;
    for (std::int32_t id : kdc::enctypesInMask(k.supported)) {
      if (std::find(k.keyEnctypes.begin(), k.keyEnctypes.end(), id) == k.keyEnctypes.end()) {
        keyless.push_back(id);
      }
    }
    const bool isKerberosAccount =
        dir.kerberosAccount && core::equalsIgnoreAsciiCase(*dir.kerberosAccount, k.account);
    d.findings.push_back(
        "The KDC has no " + enctypeNames(keyless) + " key for " + k.account + ", which holds " +
        dir.spns.front().spn + ": its current password (kvno " + std::to_string(k.kvno) + ") has keys for " +
        enctypeNames(k.keyEnctypes) +
        " only, because it was set while the domain functional level derived no AES key, "
        "and " +
        (k.fromDomainDefault ? "it has no msDS-SupportedEncryptionTypes, so the DCs apply "
                               "DefaultDomainSupportedEncTypes (" +
                                   hexMask(k.supported) + "), which allows "
                             : "its msDS-SupportedEncryptionTypes (" + hexMask(k.supported) + ") allows ") +
        enctypeNames(kdc::enctypesInMask(k.supported)) +
        ". The KDC refused the service tickets (KDC_ERR_ETYPE_NOSUPP, " + withThousands(nosupp) +
        "; Windows clients see KDC_ERR_ETYPE_NOTSUPP, 0xE) and logged " + "event 16 " +
        plural(count(16), "time", "times") + " (\"... the missing key has an ID of " +
        std::to_string(keyless.empty() ? 0 : keyless.front()) + " ...\")" +
        (e.internal.total() > 0 ? ": " + consequence(e) + "." : "."));
    d.fixes.push_back(
        "Set the password of " + k.account + " again now that the domain derives AES keys" +
        (isKerberosAccount
             ? " (" + words::newPasswordCommand(s, k.account) +
                   ": a new kvno with AES keys, delivered to every node)"
             : std::string(" (Set-ADAccountPassword -Reset, then a new keytab for the nodes)")) +
        "; allowing RC4 on the account (msDS-SupportedEncryptionTypes 0x1C) would also work, but weakens "
        "it" +
        (k.fromDomainDefault && (k.supported & kdc::supported_enctypes::kRc4Hmac) == 0
             ? std::string(
                   ", and DefaultDomainSupportedEncTypes 0x27 on the DCs would bring RC4 tickets back for "
                   "every account without the attribute")
             : std::string()) +
        ".");
  }
  if (count(26) == 0 && count(27) == 0) {
    return;
  }
  for (const auto& p : s.profiles) {
    const bool used = std::any_of(s.clients.begin(), s.clients.end(),
                                  [&](const ClientGroupSpec& g) { return g.profile == p.name; });
    if (!used || !p.kdcReachable || !p.tryKerberos) {
      continue;
    }
    const std::string offer = "Clients of profile " + p.name + " offer " + enctypeNames(p.enctypes) + " only";
    const auto outcomes = [&]() {
      return (e.internal.total() > 0 ? ": " + consequence(e) + "." : std::string("."));
    };
    if (count(26) > 0 && !overlaps(p.enctypes, usableEnctypes(dir.krbtgtKeys))) {
      d.findings.push_back(offer + "; krbtgt allows " + enctypeNames(usableEnctypes(dir.krbtgtKeys)) +
                           ", so they get no TGT (KDC_ERR_ETYPE_NOSUPP; the KDC logged event 26 " +
                           plural(count(26), "time", "times") + ")" + outcomes());
      d.fixes.push_back(
          "Give the " + p.name + " clients AES (their Kerberos configuration: " +
          "permitted_enctypes / the \"Configure encryption types allowed for Kerberos\" policy).");
    } else if (count(27) > 0 && dir.poolHolderKeys &&
               !overlaps(p.enctypes, usableEnctypes(*dir.poolHolderKeys))) {
      const AccountKeys& k = *dir.poolHolderKeys;
      d.findings.push_back(offer + "; " + k.account + ", which holds " + dir.spns.front().spn + ", allows " +
                           enctypeNames(usableEnctypes(k)) + " (msDS-SupportedEncryptionTypes " +
                           hexMask(k.supported) + "), so the KDC found no session-key type both accept and " +
                           "refused their service tickets (KDC_ERR_ETYPE_NOSUPP, " + withThousands(nosupp) +
                           "; Windows clients see KDC_ERR_ETYPE_NOTSUPP, 0xE; the KDC logged event 27 " +
                           plural(count(27), "time", "times") + ")" + outcomes());
      d.fixes.push_back(
          "Give the " + p.name + " clients AES (their Kerberos configuration: permitted_enctypes / " +
          "the \"Configure encryption types allowed for Kerberos\" policy); allowing RC4 on " + k.account +
          " (Set-ADComputer " + k.account.substr(0, k.account.size() - (k.account.back() == '$' ? 1 : 0)) +
          " -KerberosEncryptionType AES128,AES256,RC4) would also work, but weakens the account.");
    }
  }
}

}  // namespace

Diagnosis diagnose(const PhaseEvidence& e) {
  Diagnosis d;
  if (e.outcomes.total() == 0) {
    return d;
  }
  // Each check writes its own part; the parts are then ordered by what matters most, so the first finding is
  // the one a summary (kerbpool compare's "Why") shows: a cause of refusals, prompts, failures or timeouts
  // first, then the state of a healthy pool and what costs the DC work, then the context (keep-alive,
  // external clients, nodes down).
  enum Weight { Cause = 0, Cost = 1, Context = 2 };
  std::vector<std::pair<Weight, Diagnosis>> parts;
  auto part = [&](Weight w, auto&& check) {
    Diagnosis p;
    check(p);
    parts.emplace_back(w, std::move(p));
  };
  part(Context, [&](Diagnosis& p) {
    for (const auto& n : e.nodesDown) {
      p.findings.push_back(n + " was down during this phase: the load balancer's health checks took it out " +
                           "and the other nodes served its clients.");
    }
  });
  if (e.internal.total() > 0) {
    // A pool whose SPN and keys are right (nothing to fix) is the state, not the cause of what went wrong.
    Diagnosis spn;
    spnFindings(e, spn);
    parts.emplace_back(spn.fixes.empty() ? Cost : Cause, std::move(spn));
  }
  part(Cause, [&](Diagnosis& p) { etypeFindings(e, p); });
  part(Cause, [&](Diagnosis& p) { cnameFindings(e, p); });
  part(Cause, [&](Diagnosis& p) { skewFindings(e, p); });
  part(Cause, [&](Diagnosis& p) { ntlmLegFindings(e, p); });
  part(Cause, [&](Diagnosis& p) { extendedProtectionFindings(e, p); });
  part(e.netlogonTimeouts > 0 ? Cause : Cost, [&](Diagnosis& p) { netlogonFindings(e, p); });
  part(Context, [&](Diagnosis& p) { connectionFindings(e, p); });
  part(Context, [&](Diagnosis& p) { externalFindings(e, p); });
  if (!e.failureReasons.empty() && e.outcomes.failed > 0) {
    part(Cost, [&](Diagnosis& p) {
      p.findings.push_back("Most frequent failure: " + e.failureReasons.front().first + " (" +
                           withThousands(e.failureReasons.front().second) + ").");
    });
  }
  std::stable_sort(parts.begin(), parts.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [w, p] : parts) {
    (void)w;
    d.findings.insert(d.findings.end(), p.findings.begin(), p.findings.end());
    d.fixes.insert(d.fixes.end(), p.fixes.begin(), p.fixes.end());
  }
  return d;
}

}  // namespace kerbpool::scenarios
