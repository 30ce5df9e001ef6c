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

int Scenario::totalRequests() const {
  int total = 0;
  for (const auto& c : clients) {
    total += c.count * c.requests;
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
