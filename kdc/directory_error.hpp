#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/common/result.hpp"

namespace kerbpool::kdc {

// Error codes (core::Error::code) the directory reports, and the Kerberos error (RFC 4120 7.5.9) each one
// becomes in a KRB-ERROR. The AS/TGS exchanges turn them into replies through krbErrorCode().
namespace directory_error {
inline constexpr std::string_view kClientUnknown = "client_principal_unknown";    // -> 6
inline constexpr std::string_view kServiceUnknown = "service_principal_unknown";  // -> 7
inline constexpr std::string_view kDuplicateSpn = "duplicate_spn";                // -> 7 (and event 11)
inline constexpr std::string_view kNoCommonEnctype = "no_common_enctype";         // -> 14 (events 26/27)
// The account's msDS-SupportedEncryptionTypes (or the request) names an enctype the account has no key for:
// its password was set before the domain derived that key (AES before the 2008 functional level). -> 14,
// events 14 (AS) / 16 (TGS); the error's detail is the event's wording from "the account".
inline constexpr std::string_view kMissingKey = "missing_key";
inline constexpr std::string_view kNoKeys = "account_has_no_keys";  // -> 7: service never had a password set
inline constexpr std::string_view kNoSuchKvno = "no_such_kvno";     // -> 44 (KRB_AP_ERR_BADKEYVER)
inline constexpr std::string_view kNoSuchAccount = "no_such_account";  // administrative calls
inline constexpr std::string_view kAccountExists = "account_exists";
inline constexpr std::string_view kUpnExists = "upn_exists";
inline constexpr std::string_view kBadAccount = "bad_account";
inline constexpr std::string_view kNoSuchSite = "no_such_site";
inline constexpr std::string_view kSiteExists = "site_exists";
inline constexpr std::string_view kNotAComputer = "not_a_computer";
}  // namespace directory_error

// The administrative calls' error for an account name the directory does not hold.
inline core::Error noSuchAccountError(std::string_view sam) {
  return core::makeError(core::ErrorCategory::NotFound, std::string(directory_error::kNoSuchAccount),
                         "no account '" + std::string(sam) + "'");
}

namespace krb_error {
constexpr std::int32_t kKdcErrCPrincipalUnknown = 6;
constexpr std::int32_t kKdcErrSPrincipalUnknown = 7;
constexpr std::int32_t kKdcErrEtypeNosupp = 14;
constexpr std::int32_t kKrbApErrBadkeyver = 44;
constexpr std::int32_t kKrbErrGeneric = 60;
}  // namespace krb_error

// The Kerberos error code for a directory error (KRB_ERR_GENERIC for administrative errors).
std::int32_t krbErrorCode(const core::Error& error);

}  // namespace kerbpool::kdc
