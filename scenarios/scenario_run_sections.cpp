// The run sections of a scenario file: the client profiles and groups that send the requests, the timeline
// of events during the run and the expectations checked at the end.
#include "scenarios/scenario_sections.hpp"

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "core/common/json_fields.hpp"
#include "scenarios/metric_names.hpp"

namespace kerbpool::scenarios::sections {

using namespace core::json_fields;

std::vector<ClientProfileSpec> loadProfiles(const json& root) {
  std::vector<ClientProfileSpec> out = builtInProfiles();
  const json& arr = optArray(root, "", "profiles");
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const std::string path = element("profiles", i);
    const json& j = arr[i];
    requireObject(j, path);
    checkKeys(
        j, path,
        {"name", "kdc_reachable", "try_kerberos", "ntlm_allowed", "raw_ntlm", "prompt_on_kerberos_failure",
         "include_port_in_spn", "canonicalize_cname", "spn_from_address", "enctypes", "autodiscover",
         "connections", "paths", "connection_per_request", "web_ticket", "client_certificate"});
    ClientProfileSpec p;
    p.name = reqString(j, path, "name");
    for (const auto& existing : out) {
      if (existing.name == p.name) {
        fail(member(path, "name"), "profile '" + p.name + "' is already defined");
      }
    }
    p.kdcReachable = optBool(j, path, "kdc_reachable").value_or(true);
    p.tryKerberos = optBool(j, path, "try_kerberos").value_or(p.kdcReachable);
    p.ntlmAllowed = optBool(j, path, "ntlm_allowed").value_or(true);
    p.rawNtlm = optBool(j, path, "raw_ntlm").value_or(false);
    p.promptOnKerberosFailure = optBool(j, path, "prompt_on_kerberos_failure").value_or(true);
    p.includePortInSpn = optBool(j, path, "include_port_in_spn").value_or(false);
    p.canonicalizeCname = optBool(j, path, "canonicalize_cname").value_or(true);
    p.spnFromAddress = optBool(j, path, "spn_from_address").value_or(false);
    p.autodiscover = optBool(j, path, "autodiscover").value_or(false);
    p.connections = static_cast<int>(optIntInRange(j, path, "connections", 1, 8).value_or(1));
    p.connectionPerRequest = optBool(j, path, "connection_per_request").value_or(false);
    p.webTicket = optBool(j, path, "web_ticket").value_or(false);
    p.clientCertificate = optBool(j, path, "client_certificate").value_or(false);
    p.passwordGrant = optBool(j, path, "password_grant").value_or(false);
    if (p.passwordGrant && !p.webTicket) {
      fail(member(path, "password_grant"), "a password sign-in buys a web ticket: set web_ticket");
    }
    if (p.clientCertificate && !p.webTicket) {
      fail(member(path, "client_certificate"),
           "a client certificate is bought with a web ticket: set web_ticket");
    }
    if (find(j, "paths") != nullptr) {
      p.paths = optStringArray(j, path, "paths");
      for (std::size_t k = 0; k < p.paths.size(); ++k) {
        if (p.paths[k].empty() || p.paths[k][0] != '/') {
          fail(element(member(path, "paths"), k), "'" + p.paths[k] + "': a path starts with /");
        }
      }
    }
    if (find(j, "enctypes") != nullptr) {
      const std::string ep = member(path, "enctypes");
      const auto names = optStringArray(j, path, "enctypes");
      if (names.empty()) {
        fail(ep, "give at least one enctype (aes256, aes128, rc4)");
      }
      p.enctypes.clear();
      for (std::size_t k = 0; k < names.size(); ++k) {
        const std::string name = oneOf(names[k], element(ep, k),
                                       {"aes256", "aes128", "rc4", "aes256-cts-hmac-sha1-96",
                                        "aes128-cts-hmac-sha1-96", "rc4-hmac", "arcfour-hmac"});
        const std::int32_t id = name.rfind("aes256", 0) == 0 ? 18 : name.rfind("aes128", 0) == 0 ? 17 : 23;
        if (std::find(p.enctypes.begin(), p.enctypes.end(), id) != p.enctypes.end()) {
          fail(element(ep, k), "'" + name + "' is named twice");
        }
        p.enctypes.push_back(id);
      }
    }
    out.push_back(p);
  }
  return out;
}

std::vector<ClientGroupSpec> loadClients(const json& root, const std::vector<ClientProfileSpec>& profiles,
                                         const std::vector<DnsRecord>& dns) {
  std::vector<ClientGroupSpec> out;
  const json& arr = optArray(root, "", "clients");
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const std::string path = element("clients", i);
    const json& j = arr[i];
    requireObject(j, path);
    checkKeys(j, path,
              {"profile", "count", "requests", "concurrency", "think_time_ms", "host", "connections"});
    ClientGroupSpec c;
    c.path = path;
    c.profile = optString(j, path, "profile").value_or(c.profile);
    if (std::none_of(profiles.begin(), profiles.end(), [&](const auto& p) { return p.name == c.profile; })) {
      std::string names;
      for (const auto& p : profiles) {
        names += (names.empty() ? "" : ", ") + p.name;
      }
      fail(member(path, "profile"), "'" + c.profile + "' is not a profile (known: " + names + ")");
    }
    c.count = static_cast<int>(optIntInRange(j, path, "count", 1, 100000).value_or(c.count));
    c.requests = static_cast<int>(optIntInRange(j, path, "requests", 1, 100000).value_or(c.requests));
    c.concurrency = static_cast<int>(optIntInRange(j, path, "concurrency", 1, 1000).value_or(c.concurrency));
    c.thinkTimeMs = static_cast<int>(optIntInRange(j, path, "think_time_ms", 0, 60000).value_or(0));
    c.connectionPerRequest =
        oneOf(optString(j, path, "connections").value_or("keep-alive"), member(path, "connections"),
              {"keep-alive", "per-request"}) == "per-request";
    c.host = lower(optString(j, path, "host").value_or(""));
    if (!c.host.empty() &&
        std::none_of(dns.begin(), dns.end(), [&](const DnsRecord& r) { return r.name == c.host; })) {
      fail(member(path, "host"), "'" + c.host + "' has no DNS record in this scenario");
    }
    out.push_back(c);
  }
  if (out.empty()) {
    ClientGroupSpec c;
    c.path = "clients";
    out.push_back(c);
  }
  return out;
}

std::vector<TimelineEvent> loadTimeline(const json& root, const PoolSpec& pool,
                                        const std::vector<ClientProfileSpec>& profiles,
                                        const std::string& defaultSharedAccount, double simulatedHours,
                                        const UserPopulation& users) {
  std::vector<TimelineEvent> out;
  const json& arr = optArray(root, "", "timeline");
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const std::string path = element("timeline", i);
    const json& j = arr[i];
    requireObject(j, path);
    checkKeys(j, path,
              {"at_percent", "at_hour", "event", "node", "account", "reach", "profile", "offset_s", "label",
               "iisreset", "to_array_members", "to_specific_servers", "to_entire_forest",
               "generate_new_password_for", "copy_from", "user"});
    TimelineEvent e;
    e.path = path;
    if (simulatedHours > 0) {
      // Simulated time: events are placed in simulated hours.
      if (find(j, "at_percent") != nullptr) {
        fail(member(path, "at_percent"),
             "this scenario runs on simulated time (simulated_time): place the event with at_hour");
      }
      const auto hour = optNumberInRange(j, path, "at_hour", 0.0, simulatedHours);
      if (!hour) {
        fail(member(path, "at_hour"), "missing (required): when, in simulated hours from the start");
      }
      e.atHour = *hour;
      e.atPercent = 100.0 * *hour / simulatedHours;
    } else {
      if (find(j, "at_hour") != nullptr) {
        fail(member(path, "at_hour"), "at_hour needs simulated_time; use at_percent");
      }
      const auto at = optNumberInRange(j, path, "at_percent", 0.0, 100.0);
      if (!at) {
        fail(member(path, "at_percent"), "missing (required): when, as a share of all requests");
      }
      e.atPercent = *at;
    }
    const std::string kind =
        oneOf(reqString(j, path, "event"), member(path, "event"),
              {"node_down", "node_up", "password_roll", "apply_fix", "clock_drift", "iisreset",
               "roll_asa_password", "set_oauth_certificate", "roll_oauth_certificate", "disable_account",
               "enable_account", "revoke_client_certificate"});
    e.label = optString(j, path, "label").value_or(kind);
    if (kind != "apply_fix" && find(j, "iisreset") != nullptr) {
      fail(member(path, "iisreset"), "only an apply_fix event takes iisreset (or use the event iisreset)");
    }
    // Each kind takes its own fields; one meant for another kind is an error, not silently ignored.
    static const std::map<std::string, std::vector<std::string>> kFieldsOf{
        {"node_down", {"node"}},
        {"node_up", {"node"}},
        {"password_roll", {"account", "reach"}},
        {"apply_fix", {"account", "iisreset"}},
        {"clock_drift", {"profile", "offset_s"}},
        {"iisreset", {"node"}},
        {"set_oauth_certificate", {"node"}},
        {"roll_oauth_certificate", {}},
        {"disable_account", {"user"}},
        {"enable_account", {"user"}},
        {"revoke_client_certificate", {"user"}},
        {"roll_asa_password",
         {"to_array_members", "to_specific_servers", "to_entire_forest", "generate_new_password_for",
          "copy_from"}}};
    const auto& mine = kFieldsOf.at(kind);
    for (const char* f :
         {"node", "account", "reach", "profile", "offset_s", "to_array_members", "to_specific_servers",
          "to_entire_forest", "generate_new_password_for", "copy_from", "user"}) {
      if (find(j, f) != nullptr && std::find(mine.begin(), mine.end(), f) == mine.end()) {
        fail(member(path, f), "a " + kind + " event takes no " + f);
      }
    }
    auto node = [&] {
      std::string n = lower(reqString(j, path, "node"));
      if (std::find(pool.nodes.begin(), pool.nodes.end(), n) == pool.nodes.end()) {
        fail(member(path, "node"), "'" + n + "' is not a node of the pool");
      }
      return n;
    };
    if (kind == "node_down" || kind == "node_up") {
      e.kind = kind == "node_down" ? TimelineEvent::Kind::NodeDown : TimelineEvent::Kind::NodeUp;
      e.node = node();
    } else if (kind == "password_roll") {
      e.kind = TimelineEvent::Kind::PasswordRoll;
      e.account = reqString(j, path, "account");
      if (find(j, "reach") != nullptr) {
        e.reach = optStringArray(j, path, "reach");
        for (std::size_t r = 0; r < e.reach->size(); ++r) {
          auto& n = (*e.reach)[r];
          n = lower(n);
          if (std::find(pool.nodes.begin(), pool.nodes.end(), n) == pool.nodes.end()) {
            fail(element(member(path, "reach"), r), "'" + n + "' is not a node of the pool");
          }
        }
      }
    } else if (kind == "roll_asa_password") {
      e.kind = TimelineEvent::Kind::RollAsaPassword;
      e.operation = loadAsaRoll(j, path, pool);
    } else if (kind == "apply_fix") {
      e.kind = TimelineEvent::Kind::ApplyFix;
      e.account = optString(j, path, "account").value_or(defaultSharedAccount);
      e.iisreset = optBool(j, path, "iisreset").value_or(false);
    } else if (kind == "set_oauth_certificate") {
      e.kind = TimelineEvent::Kind::SetOAuthCertificate;
      e.node = node();
    } else if (kind == "roll_oauth_certificate") {
      e.kind = TimelineEvent::Kind::RollOAuthCertificate;
    } else if (kind == "disable_account" || kind == "enable_account" || kind == "revoke_client_certificate") {
      e.kind = kind == "disable_account"  ? TimelineEvent::Kind::DisableAccount
               : kind == "enable_account" ? TimelineEvent::Kind::EnableAccount
                                          : TimelineEvent::Kind::RevokeClientCertificate;
      e.user = lower(reqString(j, path, "user"));
      std::string last;
      if (!isGeneratedUser(users, e.user, &last)) {
        fail(member(path, "user"),
             "'" + e.user + "' is not one of the scenario's users (" + users.prefix + "001.." + last + ")");
      }
    } else if (kind == "iisreset") {
      e.kind = TimelineEvent::Kind::IisReset;
      if (find(j, "node") != nullptr) {
        e.node = node();
      }
    } else {
      e.kind = TimelineEvent::Kind::ClockDrift;
      e.profile = reqString(j, path, "profile");
      if (std::none_of(profiles.begin(), profiles.end(),
                       [&](const auto& p) { return p.name == e.profile; })) {
        fail(member(path, "profile"), "'" + e.profile + "' is not a profile");
      }
      e.offsetS = optNumberInRange(j, path, "offset_s", -86400.0, 86400.0).value_or(0.0);
    }
    out.push_back(e);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const TimelineEvent& a, const TimelineEvent& b) { return a.atPercent < b.atPercent; });
  return out;
}

double loadSimulatedHours(const json& root) {
  const json* t = find(root, "simulated_time");
  if (t == nullptr) {
    return 0;
  }
  requireObject(*t, "simulated_time");
  checkKeys(*t, "simulated_time", {"hours"});
  const auto hours = optNumberInRange(*t, "simulated_time", "hours", 0.25, 24.0 * 30);
  if (!hours) {
    fail("simulated_time.hours", "missing (required): how many hours of simulated time the run spans");
  }
  return *hours;
}

std::vector<Expectation> loadExpectations(const json& root) {
  std::vector<Expectation> out;
  const json* j = find(root, "expect");
  if (j == nullptr) {
    return out;
  }
  requireObject(*j, "expect");
  for (const auto& [metric, bounds] : j->items()) {
    const std::string path = member("expect", metric);
    const auto& known = scenarios::knownMetrics();  // what RunReport::metric answers
    if (std::find(known.begin(), known.end(), metric) == known.end()) {
      std::string list;
      for (const auto& k : known) {
        list += (list.empty() ? "" : ", ") + k;
      }
      fail(path, "unknown metric (known: " + list + ")");
    }
    requireObject(bounds, path);
    checkKeys(bounds, path, {"min", "max"});
    Expectation e;
    e.metric = metric;
    e.path = path;
    e.min = optNumberInRange(bounds, path, "min", -1e12, 1e12);
    e.max = optNumberInRange(bounds, path, "max", -1e12, 1e12);
    if (!e.min && !e.max) {
      fail(path, "give min, max or both");
    }
    out.push_back(e);
  }
  return out;
}

}  // namespace kerbpool::scenarios::sections
