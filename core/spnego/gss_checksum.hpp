#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "core/common/bytes.hpp"
#include "core/common/result.hpp"

namespace kerbpool::core::spnego {

// The authenticator checksum of the krb5 GSS mechanism (RFC 4121 section 4.1.1), cksumtype 0x8003. Its
// "checksum" octets are not a hash but this little-endian structure:
//   Lgth (le32 = 16) | Bnd (16) | Flags (le32) | [DlgOpt (le16 = 1) | Dlgth (le16) | Deleg (KRB-CRED)] |
//   [Exts]
// The delegation fields are present iff Flags has GSS_C_DELEG_FLAG. Minimum size 24.
inline constexpr std::int32_t kGssChecksumType = 0x8003;
inline constexpr std::size_t kGssChecksumMinSize = 24;
inline constexpr std::uint32_t kGssBindingsLength = 16;
inline constexpr std::uint16_t kGssDelegOption = 1;  // KRB5_GSS_FOR_CREDS_OPTION

// Context flags (RFC 4121 section 4.1.1.1, MS-KILE 3.2.5.2 for the last three).
namespace gss_flags {
inline constexpr std::uint32_t kDeleg = 1;
inline constexpr std::uint32_t kMutual = 2;
inline constexpr std::uint32_t kReplay = 4;
inline constexpr std::uint32_t kSequence = 8;
inline constexpr std::uint32_t kConf = 16;
inline constexpr std::uint32_t kInteg = 32;
inline constexpr std::uint32_t kDceStyle = 0x1000;
inline constexpr std::uint32_t kIdentify = 0x2000;
inline constexpr std::uint32_t kExtendedError = 0x4000;
}  // namespace gss_flags

struct GssChecksum {
  std::array<std::uint8_t, 16> bnd{};  // MD5 of the channel bindings, or all zero
  std::uint32_t flags = 0;
  // DlgOpt/Dlgth/Deleg: the KRB-CRED (APPLICATION 22) as raw bytes; decoded by the messages layer.
  // Present iff flags has gss_flags::kDeleg.
  std::optional<Bytes> krbCred;
  Bytes exts;  // whatever follows (RFC 4121 Exts), kept raw

  bool has(std::uint32_t flag) const { return (flags & flag) != 0; }
};

// Errors (Encoding): deleg_flag_mismatch (krbCred given iff kDeleg is set), deleg_too_large (> 65535).
Result<Bytes> encodeGssChecksum(const GssChecksum& cksum);
// Errors (Decoding): checksum_too_short (< 24 octets), bad_bnd_length (Lgth != 16), truncated (DELEG set
// but no room for DlgOpt/Dlgth), bad_dlg_opt (DlgOpt != 1), bad_deleg_length (Dlgth past the end).
Result<GssChecksum> decodeGssChecksum(BytesView data);

}  // namespace kerbpool::core::spnego
