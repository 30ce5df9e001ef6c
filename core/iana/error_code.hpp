#pragma once

#include <cstdint>
#include <string_view>

namespace kerbpool::core::iana {

// KRB-ERROR error codes (RFC 4120 7.5.9; 68 KDC_ERR_WRONG_REALM as used for referrals by RFC 6806; 90..93
// from RFC 6113). There is no code 30 and no code 43.
enum class ErrorCode : std::int32_t {
  KDC_ERR_NONE = 0,
  KDC_ERR_NAME_EXP = 1,
  KDC_ERR_SERVICE_EXP = 2,
  KDC_ERR_BAD_PVNO = 3,
  KDC_ERR_C_OLD_MAST_KVNO = 4,
  KDC_ERR_S_OLD_MAST_KVNO = 5,
  KDC_ERR_C_PRINCIPAL_UNKNOWN = 6,
  KDC_ERR_S_PRINCIPAL_UNKNOWN = 7,
  KDC_ERR_PRINCIPAL_NOT_UNIQUE = 8,
  KDC_ERR_NULL_KEY = 9,
  KDC_ERR_CANNOT_POSTDATE = 10,
  KDC_ERR_NEVER_VALID = 11,
  KDC_ERR_POLICY = 12,
  KDC_ERR_BADOPTION = 13,
  KDC_ERR_ETYPE_NOSUPP = 14,
  KDC_ERR_SUMTYPE_NOSUPP = 15,
  KDC_ERR_PADATA_TYPE_NOSUPP = 16,
  KDC_ERR_TRTYPE_NOSUPP = 17,
  KDC_ERR_CLIENT_REVOKED = 18,
  KDC_ERR_SERVICE_REVOKED = 19,
  KDC_ERR_TGT_REVOKED = 20,
  KDC_ERR_CLIENT_NOTYET = 21,
  KDC_ERR_SERVICE_NOTYET = 22,
  KDC_ERR_KEY_EXPIRED = 23,
  KDC_ERR_PREAUTH_FAILED = 24,
  KDC_ERR_PREAUTH_REQUIRED = 25,
  KDC_ERR_SERVER_NOMATCH = 26,
  KDC_ERR_MUST_USE_USER2USER = 27,
  KDC_ERR_PATH_NOT_ACCEPTED = 28,
  KDC_ERR_SVC_UNAVAILABLE = 29,
  KRB_AP_ERR_BAD_INTEGRITY = 31,
  KRB_AP_ERR_TKT_EXPIRED = 32,
  KRB_AP_ERR_TKT_NYV = 33,
  KRB_AP_ERR_REPEAT = 34,
  KRB_AP_ERR_NOT_US = 35,
  KRB_AP_ERR_BADMATCH = 36,
  KRB_AP_ERR_SKEW = 37,
  KRB_AP_ERR_BADADDR = 38,
  KRB_AP_ERR_BADVERSION = 39,
  KRB_AP_ERR_MSG_TYPE = 40,
  KRB_AP_ERR_MODIFIED = 41,
  KRB_AP_ERR_BADORDER = 42,
  KRB_AP_ERR_BADKEYVER = 44,
  KRB_AP_ERR_NOKEY = 45,
  KRB_AP_ERR_MUT_FAIL = 46,
  KRB_AP_ERR_BADDIRECTION = 47,
  KRB_AP_ERR_METHOD = 48,
  KRB_AP_ERR_BADSEQ = 49,
  KRB_AP_ERR_INAPP_CKSUM = 50,
  KRB_AP_PATH_NOT_ACCEPTED = 51,
  KRB_ERR_RESPONSE_TOO_BIG = 52,
  KRB_ERR_GENERIC = 60,
  KRB_ERR_FIELD_TOOLONG = 61,
  KDC_ERROR_CLIENT_NOT_TRUSTED = 62,
  KDC_ERROR_KDC_NOT_TRUSTED = 63,
  KDC_ERROR_INVALID_SIG = 64,
  KDC_ERR_KEY_TOO_WEAK = 65,
  KDC_ERR_CERTIFICATE_MISMATCH = 66,
  KRB_AP_ERR_NO_TGT = 67,
  KDC_ERR_WRONG_REALM = 68,
  KRB_AP_ERR_USER_TO_USER_REQUIRED = 69,
  KDC_ERR_CANT_VERIFY_CERTIFICATE = 70,
  KDC_ERR_INVALID_CERTIFICATE = 71,
  KDC_ERR_REVOKED_CERTIFICATE = 72,
  KDC_ERR_REVOCATION_STATUS_UNKNOWN = 73,
  KDC_ERR_REVOCATION_STATUS_UNAVAILABLE = 74,
  KDC_ERR_CLIENT_NAME_MISMATCH = 75,
  KDC_ERR_KDC_NAME_MISMATCH = 76,
  KDC_ERR_PREAUTH_EXPIRED = 90,
  KDC_ERR_MORE_PREAUTH_DATA_REQUIRED = 91,
  KDC_ERR_PREAUTH_BAD_AUTHENTICATION_SET = 92,
  KDC_ERR_UNKNOWN_CRITICAL_FAST_OPTIONS = 93,
};

// The RFC spelling, e.g. "KDC_ERR_S_PRINCIPAL_UNKNOWN"; "UNKNOWN_ERROR_CODE" for a value not listed.
constexpr std::string_view rfcName(ErrorCode code) {
  switch (code) {
    case ErrorCode::KDC_ERR_NONE:
      return "KDC_ERR_NONE";
    case ErrorCode::KDC_ERR_NAME_EXP:
      return "KDC_ERR_NAME_EXP";
    case ErrorCode::KDC_ERR_SERVICE_EXP:
      return "KDC_ERR_SERVICE_EXP";
    case ErrorCode::KDC_ERR_BAD_PVNO:
      return "KDC_ERR_BAD_PVNO";
    case ErrorCode::KDC_ERR_C_OLD_MAST_KVNO:
      return "KDC_ERR_C_OLD_MAST_KVNO";
    case ErrorCode::KDC_ERR_S_OLD_MAST_KVNO:
      return "KDC_ERR_S_OLD_MAST_KVNO";
    case ErrorCode::KDC_ERR_C_PRINCIPAL_UNKNOWN:
      return "KDC_ERR_C_PRINCIPAL_UNKNOWN";
    case ErrorCode::KDC_ERR_S_PRINCIPAL_UNKNOWN:
      return "KDC_ERR_S_PRINCIPAL_UNKNOWN";
    case ErrorCode::KDC_ERR_PRINCIPAL_NOT_UNIQUE:
      return "KDC_ERR_PRINCIPAL_NOT_UNIQUE";
    case ErrorCode::KDC_ERR_NULL_KEY:
      return "KDC_ERR_NULL_KEY";
    case ErrorCode::KDC_ERR_CANNOT_POSTDATE:
      return "KDC_ERR_CANNOT_POSTDATE";
    case ErrorCode::KDC_ERR_NEVER_VALID:
      return "KDC_ERR_NEVER_VALID";
    case ErrorCode::KDC_ERR_POLICY:
      return "KDC_ERR_POLICY";
    case ErrorCode::KDC_ERR_BADOPTION:
      return "KDC_ERR_BADOPTION";
    case ErrorCode::KDC_ERR_ETYPE_NOSUPP:
      return "KDC_ERR_ETYPE_NOSUPP";
    case ErrorCode::KDC_ERR_SUMTYPE_NOSUPP:
      return "KDC_ERR_SUMTYPE_NOSUPP";
    case ErrorCode::KDC_ERR_PADATA_TYPE_NOSUPP:
      return "KDC_ERR_PADATA_TYPE_NOSUPP";
    case ErrorCode::KDC_ERR_TRTYPE_NOSUPP:
      return "KDC_ERR_TRTYPE_NOSUPP";
    case ErrorCode::KDC_ERR_CLIENT_REVOKED:
      return "KDC_ERR_CLIENT_REVOKED";
    case ErrorCode::KDC_ERR_SERVICE_REVOKED:
      return "KDC_ERR_SERVICE_REVOKED";
    case ErrorCode::KDC_ERR_TGT_REVOKED:
      return "KDC_ERR_TGT_REVOKED";
    case ErrorCode::KDC_ERR_CLIENT_NOTYET:
      return "KDC_ERR_CLIENT_NOTYET";
    case ErrorCode::KDC_ERR_SERVICE_NOTYET:
      return "KDC_ERR_SERVICE_NOTYET";
    case ErrorCode::KDC_ERR_KEY_EXPIRED:
      return "KDC_ERR_KEY_EXPIRED";
    case ErrorCode::KDC_ERR_PREAUTH_FAILED:
      return "KDC_ERR_PREAUTH_FAILED";
    case ErrorCode::KDC_ERR_PREAUTH_REQUIRED:
      return "KDC_ERR_PREAUTH_REQUIRED";
    case ErrorCode::KDC_ERR_SERVER_NOMATCH:
      return "KDC_ERR_SERVER_NOMATCH";
    case ErrorCode::KDC_ERR_MUST_USE_USER2USER:
      return "KDC_ERR_MUST_USE_USER2USER";
    case ErrorCode::KDC_ERR_PATH_NOT_ACCEPTED:
      return "KDC_ERR_PATH_NOT_ACCEPTED";
    case ErrorCode::KDC_ERR_SVC_UNAVAILABLE:
      return "KDC_ERR_SVC_UNAVAILABLE";
    case ErrorCode::KRB_AP_ERR_BAD_INTEGRITY:
      return "KRB_AP_ERR_BAD_INTEGRITY";
    case ErrorCode::KRB_AP_ERR_TKT_EXPIRED:
      return "KRB_AP_ERR_TKT_EXPIRED";
    case ErrorCode::KRB_AP_ERR_TKT_NYV:
      return "KRB_AP_ERR_TKT_NYV";
    case ErrorCode::KRB_AP_ERR_REPEAT:
      return "KRB_AP_ERR_REPEAT";
    case ErrorCode::KRB_AP_ERR_NOT_US:
      return "KRB_AP_ERR_NOT_US";
    case ErrorCode::KRB_AP_ERR_BADMATCH:
      return "KRB_AP_ERR_BADMATCH";
    case ErrorCode::KRB_AP_ERR_SKEW:
      return "KRB_AP_ERR_SKEW";
    case ErrorCode::KRB_AP_ERR_BADADDR:
      return "KRB_AP_ERR_BADADDR";
    case ErrorCode::KRB_AP_ERR_BADVERSION:
      return "KRB_AP_ERR_BADVERSION";
    case ErrorCode::KRB_AP_ERR_MSG_TYPE:
      return "KRB_AP_ERR_MSG_TYPE";
    case ErrorCode::KRB_AP_ERR_MODIFIED:
      return "KRB_AP_ERR_MODIFIED";
    case ErrorCode::KRB_AP_ERR_BADORDER:
      return "KRB_AP_ERR_BADORDER";
    case ErrorCode::KRB_AP_ERR_BADKEYVER:
      return "KRB_AP_ERR_BADKEYVER";
    case ErrorCode::KRB_AP_ERR_NOKEY:
      return "KRB_AP_ERR_NOKEY";
    case ErrorCode::KRB_AP_ERR_MUT_FAIL:
      return "KRB_AP_ERR_MUT_FAIL";
    case ErrorCode::KRB_AP_ERR_BADDIRECTION:
      return "KRB_AP_ERR_BADDIRECTION";
    case ErrorCode::KRB_AP_ERR_METHOD:
      return "KRB_AP_ERR_METHOD";
    case ErrorCode::KRB_AP_ERR_BADSEQ:
      return "KRB_AP_ERR_BADSEQ";
    case ErrorCode::KRB_AP_ERR_INAPP_CKSUM:
      return "KRB_AP_ERR_INAPP_CKSUM";
    case ErrorCode::KRB_AP_PATH_NOT_ACCEPTED:
      return "KRB_AP_PATH_NOT_ACCEPTED";
    case ErrorCode::KRB_ERR_RESPONSE_TOO_BIG:
      return "KRB_ERR_RESPONSE_TOO_BIG";
    case ErrorCode::KRB_ERR_GENERIC:
      return "KRB_ERR_GENERIC";
    case ErrorCode::KRB_ERR_FIELD_TOOLONG:
      return "KRB_ERR_FIELD_TOOLONG";
    case ErrorCode::KDC_ERROR_CLIENT_NOT_TRUSTED:
      return "KDC_ERROR_CLIENT_NOT_TRUSTED";
    case ErrorCode::KDC_ERROR_KDC_NOT_TRUSTED:
      return "KDC_ERROR_KDC_NOT_TRUSTED";
    case ErrorCode::KDC_ERROR_INVALID_SIG:
      return "KDC_ERROR_INVALID_SIG";
    case ErrorCode::KDC_ERR_KEY_TOO_WEAK:
      return "KDC_ERR_KEY_TOO_WEAK";
    case ErrorCode::KDC_ERR_CERTIFICATE_MISMATCH:
      return "KDC_ERR_CERTIFICATE_MISMATCH";
    case ErrorCode::KRB_AP_ERR_NO_TGT:
      return "KRB_AP_ERR_NO_TGT";
    case ErrorCode::KDC_ERR_WRONG_REALM:
      return "KDC_ERR_WRONG_REALM";
    case ErrorCode::KRB_AP_ERR_USER_TO_USER_REQUIRED:
      return "KRB_AP_ERR_USER_TO_USER_REQUIRED";
    case ErrorCode::KDC_ERR_CANT_VERIFY_CERTIFICATE:
      return "KDC_ERR_CANT_VERIFY_CERTIFICATE";
    case ErrorCode::KDC_ERR_INVALID_CERTIFICATE:
      return "KDC_ERR_INVALID_CERTIFICATE";
    case ErrorCode::KDC_ERR_REVOKED_CERTIFICATE:
      return "KDC_ERR_REVOKED_CERTIFICATE";
    case ErrorCode::KDC_ERR_REVOCATION_STATUS_UNKNOWN:
      return "KDC_ERR_REVOCATION_STATUS_UNKNOWN";
    case ErrorCode::KDC_ERR_REVOCATION_STATUS_UNAVAILABLE:
      return "KDC_ERR_REVOCATION_STATUS_UNAVAILABLE";
    case ErrorCode::KDC_ERR_CLIENT_NAME_MISMATCH:
      return "KDC_ERR_CLIENT_NAME_MISMATCH";
    case ErrorCode::KDC_ERR_KDC_NAME_MISMATCH:
      return "KDC_ERR_KDC_NAME_MISMATCH";
    case ErrorCode::KDC_ERR_PREAUTH_EXPIRED:
      return "KDC_ERR_PREAUTH_EXPIRED";
    case ErrorCode::KDC_ERR_MORE_PREAUTH_DATA_REQUIRED:
      return "KDC_ERR_MORE_PREAUTH_DATA_REQUIRED";
    case ErrorCode::KDC_ERR_PREAUTH_BAD_AUTHENTICATION_SET:
      return "KDC_ERR_PREAUTH_BAD_AUTHENTICATION_SET";
    case ErrorCode::KDC_ERR_UNKNOWN_CRITICAL_FAST_OPTIONS:
      return "KDC_ERR_UNKNOWN_CRITICAL_FAST_OPTIONS";
  }
  return "UNKNOWN_ERROR_CODE";
}

// A short human text after the RFC's descriptions, e.g. "Server not found in Kerberos database".
constexpr std::string_view describe(ErrorCode code) {
  switch (code) {
    case ErrorCode::KDC_ERR_NONE:
      return "No error";
    case ErrorCode::KDC_ERR_NAME_EXP:
      return "Client's entry in database has expired";
    case ErrorCode::KDC_ERR_SERVICE_EXP:
      return "Server's entry in database has expired";
    case ErrorCode::KDC_ERR_BAD_PVNO:
      return "Requested protocol version number not supported";
    case ErrorCode::KDC_ERR_C_OLD_MAST_KVNO:
      return "Client's key encrypted in old master key";
    case ErrorCode::KDC_ERR_S_OLD_MAST_KVNO:
      return "Server's key encrypted in old master key";
    case ErrorCode::KDC_ERR_C_PRINCIPAL_UNKNOWN:
      return "Client not found in Kerberos database";
    case ErrorCode::KDC_ERR_S_PRINCIPAL_UNKNOWN:
      return "Server not found in Kerberos database";
    case ErrorCode::KDC_ERR_PRINCIPAL_NOT_UNIQUE:
      return "Multiple principal entries in database";
    case ErrorCode::KDC_ERR_NULL_KEY:
      return "The client or server has a null key";
    case ErrorCode::KDC_ERR_CANNOT_POSTDATE:
      return "Ticket not eligible for postdating";
    case ErrorCode::KDC_ERR_NEVER_VALID:
      return "Requested starttime is later than end time";
    case ErrorCode::KDC_ERR_POLICY:
      return "KDC policy rejects request";
    case ErrorCode::KDC_ERR_BADOPTION:
      return "KDC cannot accommodate requested option";
    case ErrorCode::KDC_ERR_ETYPE_NOSUPP:
      return "KDC has no support for encryption type";
    case ErrorCode::KDC_ERR_SUMTYPE_NOSUPP:
      return "KDC has no support for checksum type";
    case ErrorCode::KDC_ERR_PADATA_TYPE_NOSUPP:
      return "KDC has no support for padata type";
    case ErrorCode::KDC_ERR_TRTYPE_NOSUPP:
      return "KDC has no support for transited type";
    case ErrorCode::KDC_ERR_CLIENT_REVOKED:
      return "Clients credentials have been revoked";
    case ErrorCode::KDC_ERR_SERVICE_REVOKED:
      return "Credentials for server have been revoked";
    case ErrorCode::KDC_ERR_TGT_REVOKED:
      return "TGT has been revoked";
    case ErrorCode::KDC_ERR_CLIENT_NOTYET:
      return "Client not yet valid; try again later";
    case ErrorCode::KDC_ERR_SERVICE_NOTYET:
      return "Server not yet valid; try again later";
    case ErrorCode::KDC_ERR_KEY_EXPIRED:
      return "Password has expired; change password to reset";
    case ErrorCode::KDC_ERR_PREAUTH_FAILED:
      return "Pre-authentication information was invalid";
    case ErrorCode::KDC_ERR_PREAUTH_REQUIRED:
      return "Additional pre-authentication required";
    case ErrorCode::KDC_ERR_SERVER_NOMATCH:
      return "Requested server and ticket don't match";
    case ErrorCode::KDC_ERR_MUST_USE_USER2USER:
      return "Server principal valid for user2user only";
    case ErrorCode::KDC_ERR_PATH_NOT_ACCEPTED:
      return "KDC Policy rejects transited path";
    case ErrorCode::KDC_ERR_SVC_UNAVAILABLE:
      return "A service is not available";
    case ErrorCode::KRB_AP_ERR_BAD_INTEGRITY:
      return "Integrity check on decrypted field failed";
    case ErrorCode::KRB_AP_ERR_TKT_EXPIRED:
      return "Ticket expired";
    case ErrorCode::KRB_AP_ERR_TKT_NYV:
      return "Ticket not yet valid";
    case ErrorCode::KRB_AP_ERR_REPEAT:
      return "Request is a replay";
    case ErrorCode::KRB_AP_ERR_NOT_US:
      return "The ticket isn't for us";
    case ErrorCode::KRB_AP_ERR_BADMATCH:
      return "Ticket and authenticator don't match";
    case ErrorCode::KRB_AP_ERR_SKEW:
      return "Clock skew too great";
    case ErrorCode::KRB_AP_ERR_BADADDR:
      return "Incorrect net address";
    case ErrorCode::KRB_AP_ERR_BADVERSION:
      return "Protocol version mismatch";
    case ErrorCode::KRB_AP_ERR_MSG_TYPE:
      return "Invalid msg type";
    case ErrorCode::KRB_AP_ERR_MODIFIED:
      return "Message stream modified";
    case ErrorCode::KRB_AP_ERR_BADORDER:
      return "Message out of order";
    case ErrorCode::KRB_AP_ERR_BADKEYVER:
      return "Specified version of key is not available";
    case ErrorCode::KRB_AP_ERR_NOKEY:
      return "Service key not available";
    case ErrorCode::KRB_AP_ERR_MUT_FAIL:
      return "Mutual authentication failed";
    case ErrorCode::KRB_AP_ERR_BADDIRECTION:
      return "Incorrect message direction";
    case ErrorCode::KRB_AP_ERR_METHOD:
      return "Alternative authentication method required";
    case ErrorCode::KRB_AP_ERR_BADSEQ:
      return "Incorrect sequence number in message";
    case ErrorCode::KRB_AP_ERR_INAPP_CKSUM:
      return "Inappropriate type of checksum in message";
    case ErrorCode::KRB_AP_PATH_NOT_ACCEPTED:
      return "Policy rejects transited path";
    case ErrorCode::KRB_ERR_RESPONSE_TOO_BIG:
      return "Response too big for UDP; retry with TCP";
    case ErrorCode::KRB_ERR_GENERIC:
      return "Generic error (description in e-text)";
    case ErrorCode::KRB_ERR_FIELD_TOOLONG:
      return "Field is too long for this implementation";
    case ErrorCode::KDC_ERROR_CLIENT_NOT_TRUSTED:
      return "Client is not trusted (PKINIT)";
    case ErrorCode::KDC_ERROR_KDC_NOT_TRUSTED:
      return "KDC is not trusted (PKINIT)";
    case ErrorCode::KDC_ERROR_INVALID_SIG:
      return "Invalid signature (PKINIT)";
    case ErrorCode::KDC_ERR_KEY_TOO_WEAK:
      return "Key too weak (PKINIT)";
    case ErrorCode::KDC_ERR_CERTIFICATE_MISMATCH:
      return "Certificate mismatch (PKINIT)";
    case ErrorCode::KRB_AP_ERR_NO_TGT:
      return "No TGT available to validate USER-TO-USER";
    case ErrorCode::KDC_ERR_WRONG_REALM:
      return "Wrong realm (referral)";
    case ErrorCode::KRB_AP_ERR_USER_TO_USER_REQUIRED:
      return "Ticket must be for USER-TO-USER";
    case ErrorCode::KDC_ERR_CANT_VERIFY_CERTIFICATE:
      return "Cannot verify certificate (PKINIT)";
    case ErrorCode::KDC_ERR_INVALID_CERTIFICATE:
      return "Invalid certificate (PKINIT)";
    case ErrorCode::KDC_ERR_REVOKED_CERTIFICATE:
      return "Revoked certificate (PKINIT)";
    case ErrorCode::KDC_ERR_REVOCATION_STATUS_UNKNOWN:
      return "Revocation status unknown (PKINIT)";
    case ErrorCode::KDC_ERR_REVOCATION_STATUS_UNAVAILABLE:
      return "Revocation status unavailable (PKINIT)";
    case ErrorCode::KDC_ERR_CLIENT_NAME_MISMATCH:
      return "Client name mismatch (PKINIT)";
    case ErrorCode::KDC_ERR_KDC_NAME_MISMATCH:
      return "KDC name mismatch (PKINIT)";
    case ErrorCode::KDC_ERR_PREAUTH_EXPIRED:
      return "Pre-authentication has expired (RFC 6113)";
    case ErrorCode::KDC_ERR_MORE_PREAUTH_DATA_REQUIRED:
      return "More pre-authentication data required (RFC 6113)";
    case ErrorCode::KDC_ERR_PREAUTH_BAD_AUTHENTICATION_SET:
      return "Bad authentication set (RFC 6113)";
    case ErrorCode::KDC_ERR_UNKNOWN_CRITICAL_FAST_OPTIONS:
      return "Unknown critical FAST options (RFC 6113)";
  }
  return "Unknown error code";
}

}  // namespace kerbpool::core::iana
