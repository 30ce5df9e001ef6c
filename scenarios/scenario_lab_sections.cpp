// The lab sections of a scenario file: the pool, its domain controllers, the users and the realm built from
// them, the admin's directory operations and the DNS records.
#include "scenarios/scenario_sections.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/common/clock.hpp"
#include "core/common/http_text.hpp"
#include "core/common/json_fields.hpp"
#include "kdc/event_log.hpp"
#include "kdc/realm_file.hpp"

namespace kerbpool::scenarios::sections {

using namespace core::json_fields;

namespace {

std::string userName(const UserPopulation& u, int i) {
  std::string n = std::to_string(i + 1);
  while (n.size() < 3) {
    n = "0" + n;
  }
  return u.prefix + n;
}

}  // namespace

PoolSpec loadPool(const json& root) {
  PoolSpec p;
  const json* j = find(root, "pool");
  if (j == nullptr) {
    return p;
  }
  const std::string path = "pool";
  requireObject(*j, path);
  checkKeys(*j, path,
            {"fqdn", "site", "nodes", "load_balancer", "tls", "auth_persistence", "ntlm", "path",
             "extended_protection", "web_services"});
  p.fqdn = lower(optString(*j, path, "fqdn").value_or(p.fqdn));
  p.site = optString(*j, path, "site").value_or(p.site);
  if (find(*j, "nodes") != nullptr) {
    p.nodes = optStringArray(*j, path, "nodes");
    if (p.nodes.empty()) {
      fail(member(path, "nodes"), "a pool needs at least one node");
    }
    for (std::size_t i = 0; i < p.nodes.size(); ++i) {
      p.nodes[i] = lower(p.nodes[i]);
      const std::string np = element(member(path, "nodes"), i);
      for (std::size_t k = 0; k < i; ++k) {
        if (p.nodes[k] == p.nodes[i]) {
          fail(np, "node '" + p.nodes[i] + "' is named twice (also " + element(member(path, "nodes"), k) +
                       "; names are compared without case, like computer accounts)");
        }
      }
    }
  }
  p.tls = optBool(*j, path, "tls").value_or(false);
  if (const json* lb = find(*j, "load_balancer")) {
    const std::string lp = member(path, "load_balancer");
    requireObject(*lb, lp);
    checkKeys(*lb, lp, {"mode", "policy", "affinity", "connection_model", "tls"});
    p.loadBalancer.mode =
        oneOf(optString(*lb, lp, "mode").value_or("http"), member(lp, "mode"), {"http", "tcp"});
    p.loadBalancer.policy = oneOf(optString(*lb, lp, "policy").value_or("round-robin"), member(lp, "policy"),
                                  {"round-robin", "least-conn", "random"});
    p.loadBalancer.affinity = oneOf(optString(*lb, lp, "affinity").value_or("none"), member(lp, "affinity"),
                                    {"none", "source", "cookie"});
    p.loadBalancer.connectionModel =
        oneOf(optString(*lb, lp, "connection_model").value_or("per-request"), member(lp, "connection_model"),
              {"per-request", "haproxy", "server-close"});
    if (p.loadBalancer.mode == "tcp" && p.loadBalancer.connectionModel != "per-request") {
      fail(member(lp, "connection_model"),
           "'" + p.loadBalancer.connectionModel +
               "' is a layer 7 model: tcp mode keeps one node connection per client connection (leave "
               "connection_model out, or set mode to http)");
    }
    p.loadBalancer.tls = oneOf(optString(*lb, lp, "tls").value_or("reencrypt"), member(lp, "tls"),
                               {"reencrypt", "reencrypt-own-certificate", "offload"});
    if (p.loadBalancer.tls != "reencrypt" && (!p.tls || p.loadBalancer.mode == "tcp")) {
      fail(member(lp, "tls"), "'" + p.loadBalancer.tls +
                                  "' is how a layer 7 balancer carries the pool's TLS: " +
                                  "it needs \"tls\": true on the pool and mode http (tcp mode passes TLS "
                                  "through)");
    }
  }
  p.extendedProtection = oneOf(optString(*j, path, "extended_protection").value_or("off"),
                               member(path, "extended_protection"), {"off", "allow", "require"});
  p.authPersistence = oneOf(optString(*j, path, "auth_persistence").value_or(p.authPersistence),
                            member(path, "auth_persistence"), {"per-request", "per-connection"});
  p.ntlm = optBool(*j, path, "ntlm").value_or(true);
  p.path = optString(*j, path, "path").value_or(p.path);
  if (p.path.empty() || p.path[0] != '/') {
    fail(member(path, "path"), "must start with /");
  }
  if (const json* web = find(*j, "web_services")) {
    const std::string wp = member(path, "web_services");
    requireObject(*web, wp);
    checkKeys(*web, wp, {"pool_key_missing_on", "external_fqdns", "default_validity_period_hours"});
    p.defaultValidityPeriodHours =
        static_cast<int>(optIntInRange(*web, wp, "default_validity_period_hours", 8, 8760)
                             .value_or(p.defaultValidityPeriodHours));
    p.poolKeyMissingOn = optStringArray(*web, wp, "pool_key_missing_on");
    for (std::size_t i = 0; i < p.poolKeyMissingOn.size(); ++i) {
      p.poolKeyMissingOn[i] = lower(p.poolKeyMissingOn[i]);
      if (std::find(p.nodes.begin(), p.nodes.end(), p.poolKeyMissingOn[i]) == p.nodes.end()) {
        fail(element(member(wp, "pool_key_missing_on"), i),
             "'" + p.poolKeyMissingOn[i] + "' is not a node of the pool");
      }
    }
    p.externalWebFqdns = optStringArray(*web, wp, "external_fqdns");
    for (auto& f : p.externalWebFqdns) {
      f = lower(f);
    }
  }
  return p;
}

std::vector<DomainControllerSpec> loadDcs(const json& root) {
  if (find(root, "domain_controllers") == nullptr) {
    return {DomainControllerSpec{}};
  }
  const json& arr = optArray(root, "", "domain_controllers");
  if (arr.empty()) {
    fail("domain_controllers", "give at least one domain controller (or leave the field out for one DC01)");
  }
  std::vector<DomainControllerSpec> out;
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const std::string path = element("domain_controllers", i);
    const json& j = arr[i];
    requireObject(j, path);
    checkKeys(j, path,
              {"name", "version", "max_concurrent_api", "hold_time", "wait_timeout_s",
               "warning_event_threshold_s", "event_log_periodicity_s"});
    DomainControllerSpec dc;
    const std::string number = std::to_string(i + 1);
    dc.name = optString(j, path, "name").value_or("DC" + std::string(number.size() < 2 ? "0" : "") + number);
    dc.version = oneOf(optString(j, path, "version").value_or(kDefaultDcVersion), member(path, "version"),
                       {"2003", "2008", "2008R2", "2012", "2012R2", "2016", "2019", "2022", "2025"});
    dc.maxConcurrentApi = static_cast<int>(optIntInRange(j, path, "max_concurrent_api", 1, 150)
                                               .value_or(findDcVersion(dc.version)->defaultMaxConcurrentApi));
    if (const json* h = find(j, "hold_time")) {
      const std::string hp = member(path, "hold_time");
      requireObject(*h, hp);
      checkKeys(*h, hp, {"model", "mean_ms", "sigma"});
      dc.holdTime.model = oneOf(optString(*h, hp, "model").value_or("fixed"), member(hp, "model"),
                                {"fixed", "exponential", "lognormal"});
      dc.holdTime.meanMs = optNumberInRange(*h, hp, "mean_ms", 0.0, 60000.0).value_or(20.0);
      dc.holdTime.sigma = optNumberInRange(*h, hp, "sigma", 0.01, 4.0).value_or(0.5);
    }
    dc.waitTimeoutS = optNumberInRange(j, path, "wait_timeout_s", 0.001, 3600.0).value_or(45.0);
    // Netlogon's WarningEventThreshold (0: off, at most 45 s) and EventLogPeriodicity (seconds).
    dc.warningEventThresholdS =
        optNumberInRange(j, path, "warning_event_threshold_s", 0.0, 45.0).value_or(dc.warningEventThresholdS);
    dc.eventLogPeriodicityS = optNumberInRange(j, path, "event_log_periodicity_s", 0.001, 86400.0)
                                  .value_or(dc.eventLogPeriodicityS);
    for (std::size_t k = 0; k < out.size(); ++k) {
      if (lower(out[k].name) == lower(dc.name)) {
        fail(member(path, "name"), "domain controller '" + dc.name + "' is named twice (also " +
                                       element("domain_controllers", k) + ")");
      }
    }
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
    const std::string sam = core::toUpperAscii(node) + "$";
    if (!hasAccount(sam)) {
      realm["accounts"].push_back(
          {{"sam", sam},
           {"kind", "computer"},
           {"password", node + "-machine-password"},
           {"dns_host_name", node + "." + domain},
           {"site", pool.site},
           {"spns", json::array({"HOST/" + node + "." + domain, "HOST/" + core::toUpperAscii(node)})}});
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

namespace {

// dSHeuristics as AD accepts it: digits only; when it is long enough, character 10 must be '1' and character
// 20 '2' (AD's guard against a mistyped position); character 21 holds the uniqueness bypass.
void checkDsHeuristics(const std::string& value, const std::string& path) {
  if (value.size() > 64 ||
      !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    fail(path, "'" + value + "': dSHeuristics is a string of digits (at most 64)");
  }
  if (value.size() >= 10 && value[9] != '1') {
    fail(path, "'" + value + "': character 10 of dSHeuristics must be 1 when the value is 10 or more long");
  }
  if (value.size() >= 20 && value[19] != '2') {
    fail(path, "'" + value + "': character 20 of dSHeuristics must be 2 when the value is 20 or more long");
  }
}

}  // namespace

Product loadProduct(const json& root) {
  return oneOf(optString(root, "", "product").value_or("lync"), "product", {"lync", "exchange"}) == "exchange"
             ? Product::Exchange
             : Product::Lync;
}

DirectoryOperation loadAsaRoll(const json& j, const std::string& path, const PoolSpec& pool) {
  DirectoryOperation op;
  op.kind = DirectoryOperation::Kind::RollAsaPassword;
  op.path = path;
  const bool array = find(j, "to_array_members") != nullptr;
  const bool servers = find(j, "to_specific_servers") != nullptr;
  const bool forest = find(j, "to_entire_forest") != nullptr;
  if (int(array) + int(servers) + int(forest) != 1) {
    fail(path,
         "give exactly one destination: to_array_members (the CAS array's FQDN), to_specific_servers "
         "(a list of CAS servers) or to_entire_forest (true)");
  }
  if (array) {
    op.target = DirectoryOperation::AsaTarget::ArrayMembers;
    op.fqdn = lower(reqString(j, path, "to_array_members"));
    if (op.fqdn != pool.fqdn) {
      fail(member(path, "to_array_members"),
           "'" + op.fqdn + "' is not the CAS array of this scenario (" + pool.fqdn + ")");
    }
  } else if (servers) {
    op.target = DirectoryOperation::AsaTarget::SpecificServers;
    op.servers = optStringArray(j, path, "to_specific_servers");
    if (op.servers.empty()) {
      fail(member(path, "to_specific_servers"), "name at least one CAS server");
    }
    for (std::size_t k = 0; k < op.servers.size(); ++k) {
      op.servers[k] = lower(op.servers[k]);
      if (std::find(pool.nodes.begin(), pool.nodes.end(), op.servers[k]) == pool.nodes.end()) {
        fail(element(member(path, "to_specific_servers"), k),
             "'" + op.servers[k] + "' is not a Client Access server of the pool");
      }
    }
  } else {
    op.target = DirectoryOperation::AsaTarget::EntireForest;
    if (!optBool(j, path, "to_entire_forest").value_or(false)) {
      fail(member(path, "to_entire_forest"), "true, or leave it out and give another destination");
    }
  }
  const bool generate = find(j, "generate_new_password_for") != nullptr;
  const bool copy = find(j, "copy_from") != nullptr;
  if (generate == copy) {
    fail(path,
         "give exactly one source: generate_new_password_for (the ASA, e.g. \"EXCH2010-ASA$\") or "
         "copy_from (a CAS server that has the credential)");
  }
  if (generate) {
    op.account = reqString(j, path, "generate_new_password_for");
    // The script takes DOMAIN\ACCOUNT$; the directory knows the sAMAccountName.
    if (const auto slash = op.account.find('\\'); slash != std::string::npos) {
      op.account = op.account.substr(slash + 1);
    }
  } else {
    op.copyFrom = lower(reqString(j, path, "copy_from"));
    if (std::find(pool.nodes.begin(), pool.nodes.end(), op.copyFrom) == pool.nodes.end()) {
      fail(member(path, "copy_from"), "'" + op.copyFrom + "' is not a Client Access server of the pool");
    }
  }
  return op;
}

std::vector<DirectoryOperation> loadOperations(const json& root, const PoolSpec& pool,
                                               const std::vector<DomainControllerSpec>& dcs,
                                               Product product) {
  std::vector<DirectoryOperation> out;
  const json& arr = optArray(root, "", "operations");
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const std::string path = element("operations", i);
    const json& j = arr[i];
    requireObject(j, path);
    DirectoryOperation op;
    op.path = path;
    const std::string kind = oneOf(
        reqString(j, path, "op"), member(path, "op"),
        {"setspn", "create_kerberos_account", "assign_kerberos_account", "set_kerberos_account_password",
         "set_password", "set_dsheuristics", "set_domain_functional_level",
         "set_default_domain_supported_enctypes", "new_client_access_array", "new_asa_computer",
         "roll_asa_password", "get_client_access_server"});
    const bool exchangeOp = kind == "new_client_access_array" || kind == "new_asa_computer" ||
                            kind == "roll_asa_password" || kind == "get_client_access_server";
    const bool lyncOp = kind == "create_kerberos_account" || kind == "assign_kerberos_account" ||
                        kind == "set_kerberos_account_password";
    if (exchangeOp && product != Product::Exchange) {
      fail(member(path, "op"), "'" + kind + "' is an Exchange command: set \"product\": \"exchange\"");
    }
    if (lyncOp && product != Product::Lync) {
      fail(member(path, "op"), "'" + kind +
                                   "' is a Lync command: an Exchange pool shares the Alternate Service "
                                   "Account (new_asa_computer, roll_asa_password)");
    }
    if (find(j, "dc") != nullptr) {
      op.dc = optString(j, path, "dc").value_or("");
      const bool known = std::any_of(dcs.begin(), dcs.end(), [&](const DomainControllerSpec& d) {
        return lower(d.name) == lower(op.dc);
      });
      if (!known) {
        fail(member(path, "dc"), "no domain controller '" + op.dc + "' in domain_controllers");
      }
    }
    if (kind == "setspn") {
      checkKeys(j, path, {"op", "flag", "account", "spn", "dc"});
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
    } else if (kind == "set_domain_functional_level") {
      checkKeys(j, path, {"op", "level"});
      op.kind = DirectoryOperation::Kind::SetDomainFunctionalLevel;
      op.value = oneOf(reqString(j, path, "level"), member(path, "level"),
                       {"2003", "2008", "2008R2", "2012", "2012R2", "2016", "2025"});
    } else if (kind == "set_default_domain_supported_enctypes") {
      checkKeys(j, path, {"op", "value"});
      op.kind = DirectoryOperation::Kind::SetDefaultDomainSupportedEncTypes;
      const json* v = find(j, "value");
      if (v == nullptr || (!v->is_string() && !v->is_number_unsigned())) {
        fail(member(path, "value"), "expected a mask: a number (39) or a hex string (\"0x27\")");
      }
      op.value = v->is_string() ? v->get<std::string>() : std::to_string(v->get<std::uint64_t>());
      if (auto mask = kdc::parseSupportedEnctypes(op.value); !mask.ok()) {
        fail(member(path, "value"), mask.error().detail);
      }
    } else if (kind == "new_client_access_array") {
      checkKeys(j, path, {"op", "name", "fqdn", "site"});
      op.kind = DirectoryOperation::Kind::NewClientAccessArray;
      op.fqdn = lower(optString(j, path, "fqdn").value_or(pool.fqdn));
      op.name = optString(j, path, "name").value_or(op.fqdn.substr(0, op.fqdn.find('.')));
      op.site = optString(j, path, "site").value_or(pool.site);
      if (op.fqdn != pool.fqdn) {
        fail(member(path, "fqdn"), "'" + op.fqdn + "': the array's FQDN is the pool's (" + pool.fqdn + ")");
      }
    } else if (kind == "new_asa_computer") {
      checkKeys(j, path, {"op", "account"});
      op.kind = DirectoryOperation::Kind::NewAsaComputer;
      op.account = optString(j, path, "account").value_or("EXCH2010-ASA$");
      if (op.account.empty() || op.account.back() != '$') {
        fail(member(path, "account"),
             "'" + op.account + "': the ASA is a computer account, its name ends in $");
      }
    } else if (kind == "roll_asa_password") {
      checkKeys(j, path,
                {"op", "to_array_members", "to_specific_servers", "to_entire_forest",
                 "generate_new_password_for", "copy_from"});
      op = loadAsaRoll(j, path, pool);
    } else if (kind == "get_client_access_server") {
      checkKeys(j, path, {"op"});
      op.kind = DirectoryOperation::Kind::GetClientAccessServer;
    } else if (kind == "set_dsheuristics") {
      checkKeys(j, path, {"op", "value", "dc"});
      op.kind = DirectoryOperation::Kind::SetDsHeuristics;
      op.value = reqString(j, path, "value");
      checkDsHeuristics(op.value, member(path, "value"));
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

std::vector<DnsRecord> loadDns(const json& root, const PoolSpec& pool, Product product,
                               const std::string& realmName) {
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
  if (product == Product::Exchange) {
    // An Exchange namespace: Outlook finds its settings at autodiscover.<domain>, OWA and ActiveSync answer
    // at mail.<domain>; both land on the load balancer in front of the CAS array unless the file says
    // otherwise.
    for (const std::string& label : {std::string("autodiscover"), std::string("mail")}) {
      const std::string name = label + "." + lower(realmName);
      if (std::none_of(out.begin(), out.end(), [&](const DnsRecord& r) { return r.name == name; })) {
        out.push_back(DnsRecord{name, "A", "lb"});
      }
    }
  }
  return out;
}

}  // namespace kerbpool::scenarios::sections
