#include "cli/krb5_conf.hpp"

#include <cctype>

namespace kerbpool::cli {

std::string krb5ConfSnippet(const std::string& realm,
                            const std::vector<std::pair<std::string, std::uint16_t>>& kdcs) {
  std::string lower = realm;
  for (auto& c : lower) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  std::string out = "[libdefaults]\n    default_realm = " + realm +
                    "\n    dns_lookup_kdc = false\n    dns_lookup_realm = false\n    "
                    "dns_canonicalize_hostname = false\n    rdns = false\n"
                    "\n[realms]\n    " +
                    realm + " = {\n";
  for (const auto& [address, port] : kdcs) {
    out += "        kdc = " + address + ":" + std::to_string(port) + "\n";
  }
  out += "    }\n\n[domain_realm]\n    ." + lower + " = " + realm + "\n    " + lower + " = " + realm + "\n";
  return out;
}

}  // namespace kerbpool::cli
