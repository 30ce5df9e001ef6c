#pragma once

#include <cstdint>

namespace kerbpool::core::iana {

// Pre-authentication data types (RFC 4120 7.5.2; FAST from RFC 6113; 149 from RFC 6806; 150 from
// RFC 8070; 128 from MS-KILE 2.2.3).
enum class PaType : std::int32_t {
  PA_TGS_REQ = 1,
  PA_ENC_TIMESTAMP = 2,
  PA_PW_SALT = 3,
  PA_ENC_UNIX_TIME = 5,
  PA_SANDIA_SECUREID = 6,
  PA_SESAME = 7,
  PA_OSF_DCE = 8,
  PA_CYBERSAFE_SECUREID = 9,
  PA_AFS3_SALT = 10,
  PA_ETYPE_INFO = 11,
  PA_SAM_CHALLENGE = 12,
  PA_SAM_RESPONSE = 13,
  PA_PK_AS_REQ_OLD = 14,
  PA_PK_AS_REP_OLD = 15,
  PA_PK_AS_REQ = 16,
  PA_PK_AS_REP = 17,
  PA_ETYPE_INFO2 = 19,
  PA_USE_SPECIFIED_KVNO = 20,
  PA_SAM_REDIRECT = 21,
  PA_GET_FROM_TYPED_DATA = 22,
  PA_PAC_REQUEST = 128,
  PA_FOR_USER = 129,
  PA_FX_COOKIE = 133,
  PA_FX_FAST = 136,
  PA_FX_ERROR = 137,
  PA_ENCRYPTED_CHALLENGE = 138,
  PA_REQ_ENC_PA_REP = 149,
  PA_AS_FRESHNESS = 150,
};

}  // namespace kerbpool::core::iana
