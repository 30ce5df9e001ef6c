#include "core/spnego/gss_checksum.hpp"

#include <algorithm>
#include <string>

namespace kerbpool::core::spnego {
namespace {

void putLe16(Bytes& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v & 0xff));
  out.push_back(static_cast<std::uint8_t>(v >> 8));
}

void putLe32(Bytes& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) {
    out.push_back(static_cast<std::uint8_t>((v >> (8 * i)) & 0xff));
  }
}

std::uint16_t getLe16(BytesView b, std::size_t at) {
  return static_cast<std::uint16_t>(b[at] | (b[at + 1] << 8));
}

std::uint32_t getLe32(BytesView b, std::size_t at) {
  return std::uint32_t{b[at]} | (std::uint32_t{b[at + 1]} << 8) | (std::uint32_t{b[at + 2]} << 16) |
         (std::uint32_t{b[at + 3]} << 24);
}

Error checksumError(std::string code, std::string detail) {
  return makeError(ErrorCategory::Decoding, std::move(code), "GSS checksum 0x8003: " + std::move(detail));
}

}  // namespace

Result<Bytes> encodeGssChecksum(const GssChecksum& cksum) {
  if (cksum.has(gss_flags::kDeleg) != cksum.krbCred.has_value()) {
    return makeError(ErrorCategory::Encoding, "deleg_flag_mismatch",
                     "GSS checksum 0x8003: KRB-CRED must be present exactly when GSS_C_DELEG_FLAG is set");
  }
  if (cksum.krbCred && cksum.krbCred->size() > 0xffff) {
    return makeError(ErrorCategory::Encoding, "deleg_too_large",
                     "GSS checksum 0x8003: KRB-CRED of " + std::to_string(cksum.krbCred->size()) +
                         " octets does not fit Dlgth (le16)");
  }
  Bytes out;
  out.reserve(kGssChecksumMinSize + (cksum.krbCred ? 4 + cksum.krbCred->size() : 0) + cksum.exts.size());
  putLe32(out, kGssBindingsLength);
  out.insert(out.end(), cksum.bnd.begin(), cksum.bnd.end());
  putLe32(out, cksum.flags);
  if (cksum.krbCred) {
    putLe16(out, kGssDelegOption);
    putLe16(out, static_cast<std::uint16_t>(cksum.krbCred->size()));
    append(out, *cksum.krbCred);
  }
  append(out, cksum.exts);
  return out;
}

Result<GssChecksum> decodeGssChecksum(BytesView data) {
  if (data.size() < kGssChecksumMinSize) {
    return checksumError("checksum_too_short",
                         std::to_string(data.size()) + " octets, at least 24 are required");
  }
  const std::uint32_t lgth = getLe32(data, 0);
  if (lgth != kGssBindingsLength) {
    return checksumError("bad_bnd_length", "Lgth is " + std::to_string(lgth) + ", must be 16");
  }
  GssChecksum out;
  std::copy_n(data.begin() + 4, out.bnd.size(), out.bnd.begin());
  out.flags = getLe32(data, 20);
  std::size_t pos = kGssChecksumMinSize;
  if (out.has(gss_flags::kDeleg)) {
    if (data.size() - pos < 4) {
      return checksumError("truncated", "GSS_C_DELEG_FLAG is set but DlgOpt/Dlgth are missing");
    }
    const std::uint16_t dlgOpt = getLe16(data, pos);
    const std::uint16_t dlgth = getLe16(data, pos + 2);
    pos += 4;
    if (dlgOpt != kGssDelegOption) {
      return checksumError("bad_dlg_opt", "DlgOpt is " + std::to_string(dlgOpt) + ", must be 1");
    }
    if (data.size() - pos < dlgth) {
      return checksumError("bad_deleg_length", "Dlgth " + std::to_string(dlgth) + " runs past the end (" +
                                                   std::to_string(data.size() - pos) + " octets left)");
    }
    out.krbCred = Bytes(data.begin() + static_cast<std::ptrdiff_t>(pos),
                        data.begin() + static_cast<std::ptrdiff_t>(pos + dlgth));
    pos += dlgth;
  }
  out.exts.assign(data.begin() + static_cast<std::ptrdiff_t>(pos), data.end());
  return out;
}

}  // namespace kerbpool::core::spnego
