#pragma once

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "scenarios/scenario.hpp"

// The scenario loader's parts (scenario_loader.cpp puts them together): one reader per top-level section of
// a scenario file (docs/scenario-file.md). Internal to the loader: a bad field throws
// core::json_fields::FieldError, which parseScenario turns into a core::Error.
namespace kerbpool::scenarios::sections {

using json = nlohmann::json;

// Names (hosts, nodes, accounts) are compared in lower case.
inline std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// The lab, built before the first request (scenario_lab_sections.cpp): "pool", "domain_controllers",
// "users", "realm", "operations", "dns".
PoolSpec loadPool(const json& root);
std::vector<DomainControllerSpec> loadDcs(const json& root);
UserPopulation loadUsers(const json& root);
// The realm file object completed with the pool's nodes and the users; sets s.realmName.
std::string buildRealmJson(const json& root, const PoolSpec& pool, const UserPopulation& users, Scenario& s);
std::vector<DirectoryOperation> loadOperations(const json& root, const PoolSpec& pool,
                                               const std::vector<DomainControllerSpec>& dcs, Product product);
// Exchange scenarios get A records for autodiscover.<domain> and mail.<domain> (the load balancer) unless
// the file gives them.
std::vector<DnsRecord> loadDns(const json& root, const PoolSpec& pool, Product product,
                               const std::string& realmName);
// roll_asa_password (an operation or a timeline event): RollAlternateServiceAccountPassword.ps1's
// parameters, exactly one destination and one source.
DirectoryOperation loadAsaRoll(const json& j, const std::string& path, const PoolSpec& pool);
Product loadProduct(const json& root);

// The run (scenario_run_sections.cpp): who sends requests ("profiles", "clients"), what happens meanwhile
// ("timeline") and what is checked at the end ("expect").
std::vector<ClientProfileSpec> loadProfiles(const json& root);
std::vector<ClientGroupSpec> loadClients(const json& root, const std::vector<ClientProfileSpec>& profiles,
                                         const std::vector<DnsRecord>& dns);
// defaultSharedAccount: an apply_fix event's account when it names none (POOLKERB$, or EXCH2010-ASA$).
// simulatedHours > 0: events take at_hour (0..simulatedHours) instead of at_percent.
std::vector<TimelineEvent> loadTimeline(const json& root, const PoolSpec& pool,
                                        const std::vector<ClientProfileSpec>& profiles,
                                        const std::string& defaultSharedAccount, double simulatedHours = 0,
                                        const UserPopulation& users = {});
// "simulated_time": {"hours": H} (0 when absent).
double loadSimulatedHours(const json& root);
std::vector<Expectation> loadExpectations(const json& root);

}  // namespace kerbpool::scenarios::sections
