#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.hpp"

namespace kerbpool::kdc {

// A servicePrincipalName value: serviceclass/host[:port][/servicename] (MS-ADTS 5.1.1.4, as setspn takes
// it). The Kerberos principal for it has the components {serviceclass, host[:port][, servicename]}.
struct Spn {
  std::string serviceClass;                // "HTTP"
  std::string host;                        // "pool.contoso.test"
  std::optional<std::uint16_t> port;       // "HTTP/pool.contoso.test:8443"
  std::optional<std::string> serviceName;  // "ldap/dc01.contoso.test/contoso.test"

  // The value as written in the directory, case preserved.
  std::string toString() const;
  // Kerberos name components: {"HTTP", "pool.contoso.test"}.
  std::vector<std::string> components() const;
};

// Parses an SPN value. Errors (ErrorCategory::Config, "bad_spn") name what is wrong: empty class or host,
// whitespace, a bad port, too many components.
core::Result<Spn> parseSpn(std::string_view text);

// Kerberos name components joined with '/', the form SPN values are compared in.
std::string joinComponents(const std::vector<std::string>& components);

// The key two SPN values are compared under: Active Directory matches SPNs without regard to case.
std::string spnMatchKey(std::string_view spn);

// The sPNMappings attribute of CN=Directory Service,CN=Windows NT,CN=Services,CN=Configuration: service
// classes that are aliases of another (in practice: of HOST). A TGS request for HTTP/fe01.contoso.test that
// matches no SPN is retried as HOST/fe01.contoso.test.
class SpnMappings {
 public:
  // Active Directory's default value: host=alerter,appmgmt,...,www,http,w3svc,iisadmin,msdtc.
  static SpnMappings activeDirectoryDefault();
  // No aliases at all (a directory whose sPNMappings was cleared).
  SpnMappings() = default;

  // Parses one attribute value, "host=alerter,appmgmt,...". Error "bad_spn_mapping" on a malformed value.
  core::Status addMappingValue(std::string_view value);
  void addAlias(std::string_view alias, std::string_view target);
  void removeAlias(std::string_view alias);

  // The class an alias maps to ("http" -> "host"), compared case-insensitively; nullopt if none.
  std::optional<std::string> targetOf(std::string_view serviceClass) const;
  std::size_t size() const { return aliases_.size(); }

 private:
  std::map<std::string, std::string> aliases_;  // lower-case alias -> target as written
};

}  // namespace kerbpool::kdc
