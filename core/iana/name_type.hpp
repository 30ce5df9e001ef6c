#pragma once

#include <cstdint>

namespace kerbpool::core::iana {

// Principal name types (RFC 4120 7.5.8; 10 from RFC 6806, 11 from RFC 6111).
enum class NameType : std::int32_t {
  KRB_NT_UNKNOWN = 0,
  KRB_NT_PRINCIPAL = 1,  // users
  KRB_NT_SRV_INST = 2,   // krbtgt/REALM and other service instances
  KRB_NT_SRV_HST = 3,    // HTTP/host
  KRB_NT_SRV_XHST = 4,
  KRB_NT_UID = 5,
  KRB_NT_X500_PRINCIPAL = 6,
  KRB_NT_SMTP_NAME = 7,
  KRB_NT_ENTERPRISE = 10,
  KRB_NT_WELLKNOWN = 11,
};

}  // namespace kerbpool::core::iana
