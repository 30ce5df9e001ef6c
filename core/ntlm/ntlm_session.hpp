#pragma once

#include <cstddef>
#include <cstdint>

#include "core/common/bytes.hpp"
#include "core/common/result.hpp"
#include "core/crypto/primitives.hpp"

// Session security after NTLM authentication (MS-NLMP 3.4), connection-oriented, with
// NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY (what every NTLMv2 peer negotiates). The NTLMv1-era signature
// without extended session security (CRC32 + RC4) is refused, not implemented.
namespace kerbpool::core::ntlm {

inline constexpr std::size_t kSignatureBytes = 16;

enum class Direction { ClientToServer, ServerToClient };

// SIGNKEY (3.4.5.2): MD5(ExportedSessionKey || "session key to <dir> signing key magic constant\0").
Result<Bytes> signKey(BytesView exportedSessionKey, Direction direction);
// SEALKEY (3.4.5.3) with extended session security: the key cut to 16/7/5 bytes for 128/56/40-bit, then
// MD5(key || "session key to <dir> sealing key magic constant\0").
Result<Bytes> sealKey(BytesView exportedSessionKey, std::uint32_t negotiateFlags, Direction direction);

// One side of an authenticated connection: outgoing and incoming keys, RC4 handles and sequence numbers.
// Each RC4 handle runs on across messages, so messages must be processed in order; after a failed
// verification the context is out of step and should be dropped, as with Windows.
class NtlmSession {
 public:
  enum class Role { Client, Server };

  // Protocol "ess_required" without NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY; Crypto "bad_key_size"
  // unless the key is 16 bytes.
  static Result<NtlmSession> create(BytesView exportedSessionKey, std::uint32_t negotiateFlags, Role role);

  // GSS_GetMIC: le32 1 | checksum (RC4-sealed with KEY_EXCH) | le32 seq, over the plaintext message.
  Result<Bytes> sign(BytesView message);
  // GSS_VerifyMIC: Integrity "bad_signature" (or Decoding "bad_signature_length").
  Status verify(BytesView message, BytesView signature);

  struct Sealed {
    Bytes data;
    Bytes signature;
  };
  // GSS_WrapEx with confidentiality: RC4 over the data, then the signature with the same RC4 stream.
  // Protocol "seal_not_negotiated" without NTLMSSP_NEGOTIATE_SEAL.
  Result<Sealed> seal(BytesView plaintext);
  // GSS_UnwrapEx: the plaintext, or Integrity "bad_signature".
  Result<Bytes> unseal(BytesView sealed, BytesView signature);

  std::uint32_t outgoingSequence() const { return outSeq_; }
  std::uint32_t incomingSequence() const { return inSeq_; }

 private:
  NtlmSession(std::uint32_t flags, Bytes outSignKey, Bytes inSignKey, crypto::Rc4Stream outSeal,
              crypto::Rc4Stream inSeal);
  Result<Bytes> mac(BytesView signKey, crypto::Rc4Stream& handle, std::uint32_t seq, BytesView message);
  Status checkMac(BytesView message, BytesView signature);

  std::uint32_t flags_;
  Bytes outSignKey_;
  Bytes inSignKey_;
  crypto::Rc4Stream outSeal_;
  crypto::Rc4Stream inSeal_;
  std::uint32_t outSeq_ = 0;
  std::uint32_t inSeq_ = 0;
};

}  // namespace kerbpool::core::ntlm
