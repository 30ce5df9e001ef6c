// The scenario loader: parses the file, then reads it section by section (scenario_sections.hpp).
#include "scenarios/scenario_loader.hpp"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/common/json_fields.hpp"
#include "scenarios/scenario_sections.hpp"

namespace kerbpool::scenarios {
namespace {

using json = nlohmann::json;
using namespace core::json_fields;
using namespace sections;

Scenario build(const json& root) {
  requireObject(root, "");
  checkKeys(
      root, "",
      {"name", "title", "description", "seed", "realm", "domain_controllers", "users", "operations", "pool",
       "dns", "profiles", "clients", "timeline", "expect", "product", "simulated_time", "transport"});
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
  s.product = loadProduct(root);
  s.pool = loadPool(root);
  const json* poolJson = find(root, "pool");
  if (s.product == Product::Exchange && poolJson != nullptr && find(*poolJson, "web_services") != nullptr) {
    fail("pool.web_services", "Lync's web services (web tickets); this is an Exchange scenario");
  }
  s.domainControllers = loadDcs(root);
  s.users = loadUsers(root);
  s.realmJson = buildRealmJson(root, s.pool, s.users, s);
  s.operations = loadOperations(root, s.pool, s.domainControllers, s.product);
  s.dns = loadDns(root, s.pool, s.product, s.realmName);
  s.profiles = loadProfiles(root);
  s.clients = loadClients(root, s.profiles, s.dns);
  for (std::size_t i = 0; i < s.clients.size(); ++i) {
    const ClientProfileSpec* p = s.profile(s.clients[i].profile);
    if (p != nullptr && p->webTicket && s.product == Product::Exchange) {
      fail(member(element("clients", i), "profile"),
           "'" + p->name + "' signs in to Lync's web services (web tickets); this is an Exchange scenario");
    }
  }
  s.simulatedHours = loadSimulatedHours(root);
  s.transport = oneOf(optString(root, "", "transport").value_or("loopback"), "transport",
                      {"loopback", "in-process"}) == "in-process"
                    ? Transport::InProcess
                    : Transport::Loopback;
  s.timeline =
      loadTimeline(root, s.pool, s.profiles, s.product == Product::Exchange ? "EXCH2010-ASA$" : "POOLKERB$",
                   s.simulatedHours, s.users);
  for (std::size_t i = 0; i < s.timeline.size(); ++i) {
    const auto k = s.timeline[i].kind;
    if (s.product == Product::Exchange &&
        (k == TimelineEvent::Kind::SetOAuthCertificate || k == TimelineEvent::Kind::RollOAuthCertificate ||
         k == TimelineEvent::Kind::RevokeClientCertificate)) {
      fail(s.timeline[i].path + ".event",
           k == TimelineEvent::Kind::RevokeClientCertificate
               ? "Lync's client certificates (CertProv); this is an Exchange scenario"
               : "Lync's OAuth certificate (the web tickets' key); this is an Exchange scenario");
    }
  }
  s.expectations = loadExpectations(root);
  return s;
}

core::Error badScenario(std::string detail) {
  return core::makeError(core::ErrorCategory::Config, "bad_scenario", std::move(detail));
}

}  // namespace

core::Result<Scenario> parseScenario(std::string_view jsonText) {
  json root;
  if (auto problem = parseDocument(jsonText, root)) {
    return badScenario(std::move(*problem));
  }
  try {
    return build(root);
  } catch (const FieldError& e) {
    return badScenario(e.path + ": " + e.what);
  } catch (const json::exception& e) {
    return badScenario(std::string("unexpected JSON content: ") + e.what());
  }
}

core::Result<DirectoryOperation> parseOperation(std::string_view opJson, const Scenario& scenario,
                                                const std::string& label) {
  json op;
  if (auto problem = parseDocument(opJson, op)) {
    return core::makeError(core::ErrorCategory::Config, "bad_operation", label + ": " + *problem);
  }
  try {
    json root{{"operations", json::array({op})}};
    auto ops = loadOperations(root, scenario.pool, scenario.domainControllers, scenario.product);
    if (ops.size() != 1) {
      return core::makeError(core::ErrorCategory::Config, "bad_operation", label + ": not one operation");
    }
    return ops.front();
  } catch (const FieldError& e) {
    // "operations[0].copy_from: ..." -> "LABEL copy_from: ..."
    std::string where = e.path;
    const std::string prefix = "operations[0]";
    where = where.rfind(prefix, 0) == 0 ? where.substr(prefix.size()) : where;
    if (!where.empty() && where.front() == '.') {
      where.erase(0, 1);
    }
    return core::makeError(core::ErrorCategory::Config, "bad_operation",
                           label + (where.empty() ? "" : " " + where) + ": " + e.what);
  } catch (const json::exception& e) {
    return core::makeError(core::ErrorCategory::Config, "bad_operation",
                           label + ": unexpected JSON content: " + e.what());
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
