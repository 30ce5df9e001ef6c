#pragma once

// Group memberships in tickets (kerbpool-local authorization data)
// ==================================================================
// A real KDC tells services about group membership through the PAC (MS-PAC, NDR-encoded, ad-type 128).
// kerbpool does not implement NDR; instead the KDC puts the client's groups into the ticket's
// EncTicketPart.authorization-data like this:
//
//   AuthorizationData element { ad-type 1 (AD-IF-RELEVANT),
//     ad-data = DER AuthorizationData { element { ad-type -73 (KERBPOOL_GROUPS),
//                                                 ad-data = DER KerbpoolGroups } } }
//
//   KerbpoolGroups ::= SEQUENCE OF GeneralString   -- group names, in the KDC's order
//
// Why: RFC 4120 5.2.6 reserves negative ad-type values for local use, so -73 cannot collide with a
// registered type; wrapping it in AD-IF-RELEVANT (5.2.6.1) means any other Kerberos implementation
// that receives such a ticket (MIT, Heimdal, Windows) may ignore the element instead of rejecting the
// ticket. The data sits inside the ticket's encrypted part, so only the service (and the KDC) read it;
// its integrity comes from the ticket encryption.
// The helpers below only build and read this structure; which groups go in is KDC policy.
#include <optional>
#include <string>
#include <vector>

#include "core/common/bytes.hpp"
#include "core/common/result.hpp"
#include "core/messages/types.hpp"

namespace kerbpool::core::messages {

// DER of KerbpoolGroups (the ad-data of the KERBPOOL_GROUPS element).
Bytes encodeGroupList(const std::vector<std::string>& groups);
Result<std::vector<std::string>> decodeGroupList(BytesView adData);

// The AD-IF-RELEVANT element that carries the groups.
AuthorizationDataEntry makeGroupAuthData(const std::vector<std::string>& groups);
// Appends that element to an EncTicketPart's authorization-data, creating the list when absent.
void addGroupAuthData(std::optional<AuthorizationData>& authorizationData,
                      const std::vector<std::string>& groups);

// The groups carried in authorization-data: nullopt when no AD-IF-RELEVANT element contains a
// KERBPOOL_GROUPS element. Decoding errors for a malformed AD-IF-RELEVANT or group list, and
// duplicate_groups when more than one KERBPOOL_GROUPS element is present. Other elements are ignored,
// and only one level of AD-IF-RELEVANT is looked into.
Result<std::optional<std::vector<std::string>>> extractGroups(const AuthorizationData& authorizationData);

// The account a ticket belongs to, as the KDC resolved the name the client typed (ALICE, alice@contoso.test,
// an enterprise name): what a Windows service reads from the PAC's logon information (EffectiveName,
// LogonDomainName) rather than from the ticket's cname. Carried the same way as the groups:
//
//   AD-IF-RELEVANT { element { ad-type -74 (KERBPOOL_LOGON_NAME), ad-data = DER KerbpoolLogonName } }
//
//   KerbpoolLogonName ::= SEQUENCE { account-name [0] KerberosString,  -- sAMAccountName as stored
//                                    realm        [1] Realm }          -- the account's realm
struct LogonName {
  std::string accountName;  // "alice"
  std::string realm;        // "CONTOSO.TEST"
  bool operator==(const LogonName&) const = default;
};
Bytes encodeLogonName(const LogonName& name);
Result<LogonName> decodeLogonName(BytesView adData);
void addLogonNameAuthData(std::optional<AuthorizationData>& authorizationData, const LogonName& name);
// nullopt when absent; decoding errors name the element; duplicate_logon_name for more than one.
Result<std::optional<LogonName>> extractLogonName(const AuthorizationData& authorizationData);

// Both of kerbpool's elements from one walk over the AD-IF-RELEVANT containers (each decoded once; a node
// reads both from every ticket): each result is what extractGroups / extractLogonName return.
struct LocalAuthorizationData {
  Result<std::optional<std::vector<std::string>>> groups = std::optional<std::vector<std::string>>();
  Result<std::optional<LogonName>> logonName = std::optional<LogonName>();
};
LocalAuthorizationData extractLocalAuthorizationData(const AuthorizationData& authorizationData);

}  // namespace kerbpool::core::messages
