#pragma once

#include <cstdint>

namespace kerbpool::core::iana {

// Kerberos message types (RFC 4120 7.5.7). For every message the value equals its [APPLICATION n] tag.
enum class MsgType : std::int32_t {
  KRB_AS_REQ = 10,
  KRB_AS_REP = 11,
  KRB_TGS_REQ = 12,
  KRB_TGS_REP = 13,
  KRB_AP_REQ = 14,
  KRB_AP_REP = 15,
  KRB_RESERVED16 = 16,  // KRB-TGT-REQ (user-to-user)
  KRB_RESERVED17 = 17,  // KRB-TGT-REP (user-to-user)
  KRB_SAFE = 20,
  KRB_PRIV = 21,
  KRB_CRED = 22,
  KRB_ERROR = 30,
};

}  // namespace kerbpool::core::iana
