#pragma once

#include <cstdint>

namespace kerbpool::core::iana {

// Authorization data types (RFC 4120 7.5.4; 128/129 from MS-PAC and RFC 4537). Negative values are
// reserved for local use (RFC 4120 5.2.6); kerbpool uses -73 for its group list and -74 for the account's
// logon name (see core/messages/group_authdata.hpp).
enum class AdType : std::int32_t {
  AD_IF_RELEVANT = 1,
  AD_INTENDED_FOR_SERVER = 2,
  AD_INTENDED_FOR_APPLICATION_CLASS = 3,
  AD_KDC_ISSUED = 4,
  AD_AND_OR = 5,
  AD_MANDATORY_TICKET_EXTENSIONS = 6,
  AD_IN_TICKET_EXTENSIONS = 7,
  AD_MANDATORY_FOR_KDC = 8,
  OSF_DCE = 64,
  SESAME = 65,
  AD_OSF_DCE_PKI_CERTID = 66,
  AD_WIN2K_PAC = 128,
  AD_ETYPE_NEGOTIATION = 129,
  KERBPOOL_GROUPS = -73,
  KERBPOOL_LOGON_NAME = -74,
};

}  // namespace kerbpool::core::iana
