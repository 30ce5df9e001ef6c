#include "scenarios/scenario.hpp"

namespace kerbpool::scenarios {

const ClientProfileSpec* Scenario::profile(const std::string& name) const {
  for (const auto& p : profiles) {
    if (p.name == name) {
      return &p;
    }
  }
  return nullptr;
}

std::uint64_t Scenario::totalRequests() const {
  std::uint64_t total = 0;
  for (const auto& c : clients) {
    total += static_cast<std::uint64_t>(c.count) * static_cast<std::uint64_t>(c.requests);
  }
  return total;
}

std::vector<ClientProfileSpec> builtInProfiles() {
  ClientProfileSpec internal;
  internal.name = "internal-pc";
  ClientProfileSpec external;
  external.name = "external-pc";
  external.kdcReachable = false;
  external.tryKerberos = false;
  ClientProfileSpec mobile;
  mobile.name = "mobile";
  mobile.kdcReachable = false;
  mobile.tryKerberos = false;
  mobile.rawNtlm = true;
  return {internal, external, mobile};
}

}  // namespace kerbpool::scenarios
