// The scenario loader: with kdc/realm_file.cpp, the only place that reads kerbpool's JSON (habit 2).
#include "scenarios/scenario_loader.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/common/clock.hpp"
#include "core/common/json_fields.hpp"
#include "kdc/event_log.hpp"
#include "kdc/realm_file.hpp"

namespace kerbpool::scenarios {
namespace {

using json = nlohmann::json;
using namespace core::json_fields;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}
std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

const std::vector<std::string>& knownMetrics() {
  static const std::vector<std::string> k{"kerberos_percent",
                                          "ntlm_percent",
                                          "prompt_percent",
                                          "failed_percent",
                                          "requests",
                                          "violations",
                                          "event_11",
                                          "event_4768",
                                          "event_4769",
                                          "event_4771",
                                          "event_4776",
                                          "event_5816",
                                          "netlogon_calls",
                                          "netlogon_timeouts",
                                          "kdc_s_principal_unknown",
                                          "p99_ms",
                                          "internal_kerberos_percent",
                                          "internal_ntlm_percent",
                                          "no_key_for_kvno",
                                          "no_key_for_spn"};
  return k;
}

PoolSpec loadPool(const json& root) {
  PoolSpec p;
  const json* j = find(root, "pool");
  if (j == nullptr) {
    return p;
  }
  const std::string path = "pool";
  requireObject(*j, path);
  checkKeys(*j, path, {"fqdn", "site", "nodes", "load_balancer", "tls", "auth_persistence", "ntlm", "path"});
  p.fqdn = lower(optString(*j, path, "fqdn").value_or(p.fqdn));
  p.site = optString(*j, path, "site").value_or(p.site);
  if (find(*j, "nodes") != nullptr) {
    p.nodes = optStringArray(*j, path, "nodes");
    if (p.nodes.empty()) {
      fail(member(path, "nodes"), "a pool needs at least one node");
    }
    for (auto& n : p.nodes) {
      n = lower(n);
    }
  }
  if (const json* lb = find(*j, "load_balancer")) {
    const std::string lp = member(path, "load_balancer");
    requireObject(*lb, lp);
    checkKeys(*lb, lp, {"mode", "policy", "affinity"});
    p.loadBalancer.mode =
        oneOf(optString(*lb, lp, "mode").value_or("http"), member(lp, "mode"), {"http", "tcp"});
    p.loadBalancer.policy = oneOf(optString(*lb, lp, "policy").value_or("round-robin"), member(lp, "policy"),
                                  {"round-robin", "least-conn", "random"});
    p.loadBalancer.affinity = oneOf(optString(*lb, lp, "affinity").value_or("none"), member(lp, "affinity"),
                                    {"none", "source", "cookie"});
  }
  p.tls = optBool(*j, path, "tls").value_or(false);
  p.authPersistence = oneOf(optString(*j, path, "auth_persistence").value_or(p.authPersistence),
                            member(path, "auth_persistence"), {"per-request", "per-connection"});
  p.ntlm = optBool(*j, path, "ntlm").value_or(true);
  p.path = optString(*j, path, "path").value_or(p.path);
  if (p.path.empty() || p.path[0] != '/') {
    fail(member(path, "path"), "must start with /");
  }
  return p;
}

std::vector<DomainControllerSpec> loadDcs(const json& root) {
  const json& arr = optArray(root, "", "domain_controllers");
  if (arr.empty()) {
    return {DomainControllerSpec{}};
  }
  std::vector<DomainControllerSpec> out;
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const std::string path = element("domain_controllers", i);
    const json& j = arr[i];
    requireObject(j, path);
    checkKeys(j, path, {"name", "max_concurrent_api", "hold_time", "wait_timeout_s"});
    DomainControllerSpec dc;
    dc.name = optString(j, path, "name").value_or("DC0" + std::to_string(i + 1));
    dc.maxConcurrentApi = static_cast<int>(optIntInRange(j, path, "max_concurrent_api", 1, 150).value_or(10));
    if (const json* h = find(j, "hold_time")) {
      const std::string hp = member(path, "hold_time");
      requireObject(*h, hp);
      checkKeys(*h, hp, {"model", "mean_ms", "sigma"});
      dc.holdTime.model = oneOf(optString(*h, hp, "model").value_or("fixed"), member(hp, "model"),
                                {"fixed", "exponential", "lognormal"});
      dc.holdTime.meanMs = optNumberInRange(*h, hp, "mean_ms", 0.0, 60000.0).value_or(20.0);
      dc.holdTime.sigma = optNumberInRange(*h, hp, "sigma", 0.0, 5.0).value_or(0.5);
    }
    dc.waitTimeoutS = optNumberInRange(j, path, "wait_timeout_s", 0.001, 3600.0).value_or(45.0);
    out.push_back(dc);
  }
  return out;
}

UserPopulation loadUsers(const json& root) {
  UserPopulation u;
  const json* j = find(root, "users");
  if (j == nullptr) {
    return u;
  }
  requireObject(*j, "users");
  checkKeys(*j, "users", {"prefix", "count", "password", "groups"});
  u.prefix = optString(*j, "users", "prefix").value_or(u.prefix);
  u.count = static_cast<int>(optIntInRange(*j, "users", "count", 1, 100000).value_or(u.count));
  u.password = optString(*j, "users", "password").value_or(u.password);
  if (find(*j, "groups") != nullptr) {
    u.groups = optStringArray(*j, "users", "groups");
  }
  return u;
}

std::string userName(const UserPopulation& u, int i) {
  std::string n = std::to_string(i + 1);
  while (n.size() < 3) {
    n = "0" + n;
  }
  return u.prefix + n;
}

// The realm: the file's realm object (docs/realm-file.md) completed with the pool's site and nodes (computer
// accounts with their HOST SPNs) and the generated users, then built once to check it.
std::string buildRealmJson(const json& root, const PoolSpec& pool, const UserPopulation& users, Scenario& s) {
  json realm = json::object();
  if (const json* r = find(root, "realm")) {
    requireObject(*r, "realm");
    realm = *r;
  }
  if (!realm.contains("realm")) {
    realm["realm"] = "CONTOSO.TEST";
  }
  if (!realm["realm"].is_string()) {
    fail("realm.realm", "expected a string");
  }
  s.realmName = realm["realm"].get<std::string>();
  if (!realm.contains("krbtgt_password")) {
    realm["krbtgt_password"] = "krbtgt-lab-password";
  }
  if (!realm.contains("sites")) {
    realm["sites"] = json::array();
  }
  if (!realm.contains("accounts")) {
    realm["accounts"] = json::array();
  }
  if (!realm["sites"].is_array() || !realm["accounts"].is_array()) {
    fail("realm", "sites and accounts must be arrays");
  }
  bool haveSite = false;
  for (const auto& site : realm["sites"]) {
    haveSite = haveSite || (site.is_object() && site.value("name", "") == pool.site);
  }
  if (!haveSite) {
    realm["sites"].push_back({{"name", pool.site}});
  }
  const std::string domain = lower(s.realmName);
  auto hasAccount = [&](const std::string& sam) {
    for (const auto& a : realm["accounts"]) {
      if (a.is_object() && lower(a.value("sam", "")) == lower(sam)) {
        return true;
      }
    }
    return false;
  };
  for (const auto& node : pool.nodes) {
    const std::string sam = upper(node) + "$";
    if (!hasAccount(sam)) {
      realm["accounts"].push_back(
          {{"sam", sam},
           {"kind", "computer"},
           {"password", node + "-machine-password"},
           {"dns_host_name", node + "." + domain},
           {"site", pool.site},
           {"spns", json::array({"HOST/" + node + "." + domain, "HOST/" + upper(node)})}});
    }
  }
  for (int i = 0; i < users.count; ++i) {
    const std::string sam = userName(users, i);
    if (!hasAccount(sam)) {
      realm["accounts"].push_back(
          {{"sam", sam}, {"kind", "user"}, {"password", users.password}, {"groups", users.groups}});
    }
  }
  const std::string text = realm.dump();
  core::SystemClock clock;
  kdc::EventLog events(clock);
  auto built = kdc::parseRealmFile(text, events);
  if (!built.ok()) {
    fail("realm", built.error().detail);
  }
  return text;
}

std::vector<DirectoryOperation> loadOperations(const json& root, const PoolSpec& pool) {
  std::vector<DirectoryOperation> out;
  const json& arr = optArray(root, "", "operations");
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const std::string path = element("operations", i);
    const json& j = arr[i];
    requireObject(j, path);
    DirectoryOperation op;
    op.path = path;
    const std::string kind = oneOf(reqString(j, path, "op"), member(path, "op"),
                                   {"setspn", "create_kerberos_account", "assign_kerberos_account",
                                    "set_kerberos_account_password", "set_password"});
    if (kind == "setspn") {
      checkKeys(j, path, {"op", "flag", "account", "spn"});
      const std::string flag = oneOf(reqString(j, path, "flag"), member(path, "flag"), {"-A", "-S", "-D"});
      op.kind = flag == "-A"   ? DirectoryOperation::Kind::SetspnAdd
                : flag == "-S" ? DirectoryOperation::Kind::SetspnAddChecked
                               : DirectoryOperation::Kind::SetspnDelete;
      op.account = reqString(j, path, "account");
      op.spn = reqString(j, path, "spn");
      if (op.spn.find('/') == std::string::npos) {
        fail(member(path, "spn"), "'" + op.spn + "': expected serviceclass/host");
      }
    } else if (kind == "create_kerberos_account") {
      checkKeys(j, path, {"op", "account", "site"});
      op.kind = DirectoryOperation::Kind::CreateKerberosAccount;
      op.account = reqString(j, path, "account");
      op.site = optString(j, path, "site").value_or(pool.site);
    } else if (kind == "assign_kerberos_account") {
      checkKeys(j, path, {"op", "account", "site"});
      op.kind = DirectoryOperation::Kind::AssignKerberosAccount;
      op.account = reqString(j, path, "account");
      op.site = optString(j, path, "site").value_or(pool.site);
    } else if (kind == "set_kerberos_account_password") {
      checkKeys(j, path, {"op", "site", "password", "reach"});
      op.kind = DirectoryOperation::Kind::SetKerberosAccountPassword;
      op.site = optString(j, path, "site").value_or(pool.site);
      op.password = optString(j, path, "password").value_or("kerberos-account-password-1");
      if (find(j, "reach") != nullptr) {
        op.reach = optStringArray(j, path, "reach");
      }
    } else {
      checkKeys(j, path, {"op", "account", "password", "reach"});
      op.kind = DirectoryOperation::Kind::SetPassword;
      op.account = reqString(j, path, "account");
      op.password = reqString(j, path, "password");
      if (find(j, "reach") != nullptr) {
        op.reach = optStringArray(j, path, "reach");
      }
    }
    if (op.reach) {
      for (std::size_t k = 0; k < op.reach->size(); ++k) {
        auto& n = (*op.reach)[k];
        n = lower(n);
        if (std::find(pool.nodes.begin(), pool.nodes.end(), n) == pool.nodes.end()) {
          fail(element(member(path, "reach"), k), "'" + n + "' is not a node of the pool");
        }
      }
    }
    out.push_back(op);
  }
  return out;
}

std::vector<DnsRecord> loadDns(const json& root, const PoolSpec& pool) {
  std::vector<DnsRecord> out;
  const json& arr = optArray(root, "", "dns");
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const std::string path = element("dns", i);
    const json& j = arr[i];
    requireObject(j, path);
    checkKeys(j, path, {"name", "type", "target"});
    DnsRecord r;
    r.name = lower(reqString(j, path, "name"));
    r.type = oneOf(reqString(j, path, "type"), member(path, "type"), {"A", "CNAME"});
    r.target = lower(reqString(j, path, "target"));
    if (r.type == "A" && r.target != "lb" &&
        std::find(pool.nodes.begin(), pool.nodes.end(), r.target) == pool.nodes.end()) {
      fail(member(path, "target"),
           "an A record points at \"lb\" or a node of the pool, not '" + r.target + "'");
    }
    out.push_back(r);
  }
  const bool poolNamed =
      std::any_of(out.begin(), out.end(), [&](const DnsRecord& r) { return r.name == pool.fqdn; });
  if (!poolNamed) {
    out.push_back(DnsRecord{pool.fqdn, "A", "lb"});
  }
  return out;
}

std::vector<ClientProfileSpec> loadProfiles(const json& root) {
  std::vector<ClientProfileSpec> out = builtInProfiles();
  const json& arr = optArray(root, "", "profiles");
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const std::string path = element("profiles", i);
    const json& j = arr[i];
    requireObject(j, path);
    checkKeys(j, path,
              {"name", "kdc_reachable", "try_kerberos", "ntlm_allowed", "raw_ntlm",
               "prompt_on_kerberos_failure", "include_port_in_spn", "canonicalize_cname"});
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
    checkKeys(j, path, {"profile", "count", "requests", "concurrency", "think_time_ms", "host"});
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
                                        const std::vector<ClientProfileSpec>& profiles) {
  std::vector<TimelineEvent> out;
  const json& arr = optArray(root, "", "timeline");
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const std::string path = element("timeline", i);
    const json& j = arr[i];
    requireObject(j, path);
    checkKeys(
        j, path,
        {"at_percent", "event", "node", "account", "reach", "profile", "offset_s", "label", "iisreset"});
    TimelineEvent e;
    e.path = path;
    const auto at = optNumberInRange(j, path, "at_percent", 0.0, 100.0);
    if (!at) {
      fail(member(path, "at_percent"), "missing (required): when, as a share of all requests");
    }
    e.atPercent = *at;
    const std::string kind =
        oneOf(reqString(j, path, "event"), member(path, "event"),
              {"node_down", "node_up", "password_roll", "apply_fix", "clock_drift", "iisreset"});
    e.label = optString(j, path, "label").value_or(kind);
    if (kind != "apply_fix" && find(j, "iisreset") != nullptr) {
      fail(member(path, "iisreset"), "only an apply_fix event takes iisreset (or use the event iisreset)");
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
        for (auto& n : *e.reach) {
          n = lower(n);
        }
      }
    } else if (kind == "apply_fix") {
      e.kind = TimelineEvent::Kind::ApplyFix;
      e.account = optString(j, path, "account").value_or("POOLKERB$");
      e.iisreset = optBool(j, path, "iisreset").value_or(false);
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

std::vector<Expectation> loadExpectations(const json& root) {
  std::vector<Expectation> out;
  const json* j = find(root, "expect");
  if (j == nullptr) {
    return out;
  }
  requireObject(*j, "expect");
  for (const auto& [metric, bounds] : j->items()) {
    const std::string path = member("expect", metric);
    const auto& known = knownMetrics();
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

Scenario build(const json& root) {
  requireObject(root, "");
  checkKeys(root, "",
            {"name", "title", "description", "seed", "realm", "domain_controllers", "users", "operations",
             "pool", "dns", "profiles", "clients", "timeline", "expect"});
  Scenario s;
  s.name = reqString(root, "", "name");
  s.title = optString(root, "", "title").value_or(s.name);
  s.description = optString(root, "", "description").value_or("");
  if (const json* seed = find(root, "seed")) {
    if (!seed->is_number_unsigned()) {
      fail("seed", "expected a non-negative integer");
    }
    s.seed = seed->get<std::uint64_t>();
  }
  s.pool = loadPool(root);
  s.domainControllers = loadDcs(root);
  s.users = loadUsers(root);
  s.realmJson = buildRealmJson(root, s.pool, s.users, s);
  s.operations = loadOperations(root, s.pool);
  s.dns = loadDns(root, s.pool);
  s.profiles = loadProfiles(root);
  s.clients = loadClients(root, s.profiles, s.dns);
  s.timeline = loadTimeline(root, s.pool, s.profiles);
  s.expectations = loadExpectations(root);
  return s;
}

core::Error badScenario(std::string detail) {
  return core::makeError(core::ErrorCategory::Config, "bad_scenario", std::move(detail));
}

}  // namespace

core::Result<Scenario> parseScenario(std::string_view jsonText) {
  json root;
  try {
    root = json::parse(jsonText);
  } catch (const json::exception& e) {
    // parse_error, and out_of_range for a number too large for a double ("1e400").
    return badScenario(std::string("not valid JSON: ") + e.what());
  }
  try {
    return build(root);
  } catch (const FieldError& e) {
    return badScenario(e.path + ": " + e.what);
  } catch (const json::exception& e) {
    return badScenario(std::string("unexpected JSON content: ") + e.what());
  }
}

core::Result<Scenario> loadScenarioFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return core::makeError(core::ErrorCategory::Io, "cannot_read_file", file.string() + ": cannot open");
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto s = parseScenario(text.str());
  if (!s.ok()) {
    core::Error e = std::move(s).error();
    e.within(file.filename().string());
    return e;
  }
  return s;
}

}  // namespace kerbpool::scenarios
