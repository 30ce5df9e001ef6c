#pragma once

#include <string>
#include <string_view>

#include "core/common/clock.hpp"
#include "core/common/result.hpp"
#include "core/messages/types.hpp"

// Principal names and Kerberos timestamps as the client builds them.
namespace kerbpool::client {

// A principal with its realm: what a KDC-REQ names in cname/realm or sname/realm.
struct Principal {
  core::messages::PrincipalName name;
  core::messages::Realm realm;

  // MIT text form, escaped: "HTTP/pool.kerbpool.test@KERBPOOL.TEST".
  std::string text() const;
  bool operator==(const Principal&) const = default;
};

// A user name ("alice" or "alice@REALM") as NT-PRINCIPAL; the realm defaults to defaultRealm.
// Errors (Decoding) from core::PrincipalText::parse, and empty_realm.
core::Result<Principal> parseUserPrincipal(std::string_view text, std::string_view defaultRealm);
// A service name ("HTTP/pool.kerbpool.test", optionally "@REALM"): NT-SRV-HST for two components whose
// first is not krbtgt, NT-SRV-INST for krbtgt/REALM, NT-PRINCIPAL otherwise.
core::Result<Principal> parseServicePrincipal(std::string_view text, std::string_view defaultRealm);
// krbtgt/REALM@REALM (NT-SRV-INST).
Principal tgsPrincipal(std::string_view realm);
bool isTgsPrincipal(const core::messages::PrincipalName& name);

// Same components (name types are not compared: KDCs rewrite them), realm compared exactly.
bool sameName(const core::messages::PrincipalName& a, const core::messages::PrincipalName& b);
// The same with ASCII case ignored (what a canonicalizing KDC may change).
bool sameNameIgnoreCase(const core::messages::PrincipalName& a, const core::messages::PrincipalName& b);
bool equalsIgnoreCase(std::string_view a, std::string_view b);

// KerberosTime seconds and the Microseconds field of a point in time.
struct KerberosTimestamp {
  core::messages::KerberosTime seconds = 0;
  core::messages::Microseconds micros = 0;
};
KerberosTimestamp toKerberosTimestamp(core::TimePoint t);
core::TimePoint fromKerberosTimestamp(core::messages::KerberosTime seconds,
                                      core::messages::Microseconds micros);

}  // namespace kerbpool::client
