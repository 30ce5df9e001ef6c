#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/common/bytes.hpp"

namespace kerbpool::core::spnego {

// Mechanism OIDs as DER content octets (no 06 tag, no length), as kept in MechTypeList and GSS
// framing. Sources: RFC 1964/4121 (krb5), MS-KILE/MS-SPNG (MS-krb5), RFC 4178 (SPNEGO), MS-NLMP
// (NTLMSSP), RFC draft-ietf-kitten-iakerb (IAKERB).
namespace oid {
// 1.2.840.113554.1.2.2 Kerberos 5 (RFC 4121).
inline constexpr std::uint8_t kKrb5[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02};
// 1.2.840.48018.1.2.2 Microsoft's (mis-encoded) Kerberos 5, sent first by Windows clients.
inline constexpr std::uint8_t kMsKrb5[] = {0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02};
// 1.3.5.1.5.2 pre-RFC 1964 Kerberos 5 OID; MIT's krb5 mechanism still answers to it.
inline constexpr std::uint8_t kKrb5Old[] = {0x2b, 0x05, 0x01, 0x05, 0x02};
// 1.3.6.1.5.5.2 SPNEGO (RFC 4178).
inline constexpr std::uint8_t kSpnego[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x02};
// 1.3.6.1.4.1.311.2.2.10 NTLMSSP (MS-NLMP).
inline constexpr std::uint8_t kNtlmssp[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a};
// 1.3.6.1.5.2.5 IAKERB (its tokens are not plain krb5 tokens).
inline constexpr std::uint8_t kIakerb[] = {0x2b, 0x06, 0x01, 0x05, 0x02, 0x05};
}  // namespace oid

inline BytesView krb5Oid() {
  return oid::kKrb5;
}
inline BytesView msKrb5Oid() {
  return oid::kMsKrb5;
}
inline BytesView krb5OldOid() {
  return oid::kKrb5Old;
}
inline BytesView spnegoOid() {
  return oid::kSpnego;
}
inline BytesView ntlmsspOid() {
  return oid::kNtlmssp;
}
inline BytesView iakerbOid() {
  return oid::kIakerb;
}

inline bool oidEqual(BytesView a, BytesView b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

// Mechanisms whose context tokens are RFC 4121 krb5 tokens: krb5, MS-krb5 and the old krb5 OID (as MIT
// accepts them all). IAKERB is not included: it wraps its messages differently.
inline bool isKerberosMech(BytesView mechOid) {
  return oidEqual(mechOid, krb5Oid()) || oidEqual(mechOid, msKrb5Oid()) || oidEqual(mechOid, krb5OldOid());
}

inline bool isNtlmMech(BytesView mechOid) {
  return oidEqual(mechOid, ntlmsspOid());
}

// Short name for logs ("krb5", "ms-krb5", "spnego", ...), nullopt for others.
inline std::optional<std::string_view> mechName(BytesView mechOid) {
  if (oidEqual(mechOid, krb5Oid())) {
    return "krb5";
  }
  if (oidEqual(mechOid, msKrb5Oid())) {
    return "ms-krb5";
  }
  if (oidEqual(mechOid, krb5OldOid())) {
    return "krb5-old";
  }
  if (oidEqual(mechOid, spnegoOid())) {
    return "spnego";
  }
  if (oidEqual(mechOid, ntlmsspOid())) {
    return "ntlmssp";
  }
  if (oidEqual(mechOid, iakerbOid())) {
    return "iakerb";
  }
  return std::nullopt;
}

}  // namespace kerbpool::core::spnego
