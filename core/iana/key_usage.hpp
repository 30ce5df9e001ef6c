#pragma once

#include <cstdint>

namespace kerbpool::core::iana {

// Key usage numbers (RFC 4120 7.5.1; 22..25 from RFC 4121 2; 16..21 as MIT krb5.h names them; 50..56 from
// RFC 6113 5.4 and RFC 6806 11). The crypto layer takes them as std::uint32_t:
// `crypto::decrypt(key, toUsage(KeyUsage::AS_REP_ENCPART), c)`.
enum class KeyUsage : std::uint32_t {
  AS_REQ_PA_ENC_TIMESTAMP = 1,                         // PA-ENC-TS-ENC, client key
  KDC_REP_TICKET = 2,                                  // Ticket enc-part, service key
  AS_REP_ENCPART = 3,                                  // AS-REP enc-part, client key
  TGS_REQ_KDC_REQ_BODY_AUTHDATA_SESSION_KEY = 4,       // enc-authorization-data, TGS session key
  TGS_REQ_KDC_REQ_BODY_AUTHDATA_SUB_KEY = 5,           // enc-authorization-data, authenticator subkey
  TGS_REQ_PA_TGS_REQ_AP_REQ_AUTHENTICATOR_CHKSUM = 6,  // checksum over req-body, TGS session key
  TGS_REQ_PA_TGS_REQ_AP_REQ_AUTHENTICATOR = 7,         // authenticator in PA-TGS-REQ
  TGS_REP_ENCPART_SESSION_KEY = 8,                     // TGS-REP enc-part, TGS session key
  TGS_REP_ENCPART_AUTHENTICATOR_SUB_KEY = 9,           // TGS-REP enc-part, authenticator subkey
  AP_REQ_AUTHENTICATOR_CHKSUM = 10,
  AP_REQ_AUTHENTICATOR = 11,
  AP_REP_ENCPART = 12,
  KRB_PRIV_ENCPART = 13,
  KRB_CRED_ENCPART = 14,
  KRB_SAFE_CHKSUM = 15,
  APP_DATA_ENCRYPT = 16,
  APP_DATA_CKSUM = 17,
  KRB_ERROR_CKSUM = 18,
  AD_KDCISSUED_CKSUM = 19,
  AD_MTE = 20,
  AD_ITE = 21,
  KG_USAGE_ACCEPTOR_SEAL = 22,
  KG_USAGE_ACCEPTOR_SIGN = 23,
  KG_USAGE_INITIATOR_SEAL = 24,
  KG_USAGE_INITIATOR_SIGN = 25,
  FAST_REQ_CHKSUM = 50,       // PA-FX-FAST req-checksum, armor key (RFC 6113 5.4.2)
  FAST_ENC = 51,              // PA-FX-FAST enc-fast-req, armor key
  FAST_REP = 52,              // PA-FX-FAST enc-fast-rep, armor key
  FAST_FINISHED = 53,         // KrbFastFinished ticket-checksum, armor key
  ENC_CHALLENGE_CLIENT = 54,  // PA-ENCRYPTED-CHALLENGE from the client (RFC 6113 5.4.6)
  ENC_CHALLENGE_KDC = 55,     // PA-ENCRYPTED-CHALLENGE from the KDC
  AS_REQ = 56,                // PA-REQ-ENC-PA-REP checksum over the AS-REQ, reply key (RFC 6806 11)
};

constexpr std::uint32_t toUsage(KeyUsage u) {
  return static_cast<std::uint32_t>(u);
}

}  // namespace kerbpool::core::iana
