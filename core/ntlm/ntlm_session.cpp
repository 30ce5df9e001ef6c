#include "core/ntlm/ntlm_session.hpp"

#include <string>
#include <string_view>

#include "core/ntlm/ntlm_flags.hpp"
#include "core/ntlm/ntlm_wire.hpp"
#include "core/ntlm/ntlmv2.hpp"

namespace kerbpool::core::ntlm {

namespace {

constexpr std::string_view kClientSign = "session key to client-to-server signing key magic constant";
constexpr std::string_view kServerSign = "session key to server-to-client signing key magic constant";
constexpr std::string_view kClientSeal = "session key to client-to-server sealing key magic constant";
constexpr std::string_view kServerSeal = "session key to server-to-client sealing key magic constant";
constexpr std::size_t kChecksumBytes = 8;

Result<Bytes> md5WithMagic(BytesView key, std::string_view magic) {
  Bytes input(key.begin(), key.end());
  append(input, asBytes(magic));
  input.push_back(0);  // the constants include their terminating NUL
  return crypto::md5(input);
}

Status checkKey(BytesView key) {
  if (key.size() != kSessionKeyBytes) {
    return makeError(ErrorCategory::Crypto, "bad_key_size",
                     "ExportedSessionKey must be 16 bytes, got " + std::to_string(key.size()));
  }
  return okStatus();
}

}  // namespace

Result<Bytes> signKey(BytesView exportedSessionKey, Direction direction) {
  KP_CHECK(checkKey(exportedSessionKey));
  return md5WithMagic(exportedSessionKey, direction == Direction::ClientToServer ? kClientSign : kServerSign);
}

Result<Bytes> sealKey(BytesView exportedSessionKey, std::uint32_t negotiateFlags, Direction direction) {
  KP_CHECK(checkKey(exportedSessionKey));
  std::size_t keep = 5;
  if (hasFlag(negotiateFlags, NTLMSSP_NEGOTIATE_128)) {
    keep = 16;
  } else if (hasFlag(negotiateFlags, NTLMSSP_NEGOTIATE_56)) {
    keep = 7;
  }
  return md5WithMagic(exportedSessionKey.first(keep),
                      direction == Direction::ClientToServer ? kClientSeal : kServerSeal);
}

NtlmSession::NtlmSession(std::uint32_t flags, Bytes outSignKey, Bytes inSignKey, crypto::Rc4Stream outSeal,
                         crypto::Rc4Stream inSeal)
    : flags_(flags),
      outSignKey_(std::move(outSignKey)),
      inSignKey_(std::move(inSignKey)),
      outSeal_(std::move(outSeal)),
      inSeal_(std::move(inSeal)) {}

Result<NtlmSession> NtlmSession::create(BytesView exportedSessionKey, std::uint32_t negotiateFlags,
                                        Role role) {
  if (!hasFlag(negotiateFlags, NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY)) {
    return makeError(ErrorCategory::Protocol, "ess_required",
                     "NTLM session security without NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY is refused");
  }
  const Direction out = role == Role::Client ? Direction::ClientToServer : Direction::ServerToClient;
  const Direction in = role == Role::Client ? Direction::ServerToClient : Direction::ClientToServer;
  KP_TRY(auto outSign, signKey(exportedSessionKey, out));
  KP_TRY(auto inSign, signKey(exportedSessionKey, in));
  KP_TRY(auto outSealKey, sealKey(exportedSessionKey, negotiateFlags, out));
  KP_TRY(auto inSealKey, sealKey(exportedSessionKey, negotiateFlags, in));
  KP_TRY(auto outHandle, crypto::Rc4Stream::create(outSealKey));
  KP_TRY(auto inHandle, crypto::Rc4Stream::create(inSealKey));
  secureWipe(outSealKey);
  secureWipe(inSealKey);
  return NtlmSession(negotiateFlags, std::move(outSign), std::move(inSign), std::move(outHandle),
                     std::move(inHandle));
}

Result<Bytes> NtlmSession::mac(BytesView key, crypto::Rc4Stream& handle, std::uint32_t seq,
                               BytesView message) {
  Bytes input;
  wire::putLe32(input, seq);
  append(input, message);
  KP_TRY(auto hmac, crypto::hmacMd5(key, input));
  Bytes checksum(hmac.begin(), hmac.begin() + kChecksumBytes);
  if (hasFlag(flags_, NTLMSSP_NEGOTIATE_KEY_EXCH)) {
    KP_TRY(checksum, handle.process(checksum));
  }
  Bytes signature;
  wire::putLe32(signature, 1);  // NTLMSSP_MESSAGE_SIGNATURE Version
  append(signature, checksum);
  wire::putLe32(signature, seq);
  return signature;
}

Result<Bytes> NtlmSession::sign(BytesView message) {
  KP_TRY(auto signature, mac(outSignKey_, outSeal_, outSeq_, message));
  ++outSeq_;
  return signature;
}

Status NtlmSession::checkMac(BytesView message, BytesView signature) {
  if (signature.size() != kSignatureBytes) {
    return makeError(ErrorCategory::Decoding, "bad_signature_length",
                     "NTLMSSP_MESSAGE_SIGNATURE must be 16 bytes, got " + std::to_string(signature.size()));
  }
  KP_TRY(auto expected, mac(inSignKey_, inSeal_, inSeq_, message));
  ++inSeq_;
  if (!constantTimeEqual(expected, signature)) {
    return makeError(
        ErrorCategory::Integrity, "bad_signature",
        "NTLMSSP_MESSAGE_SIGNATURE does not verify (sequence " + std::to_string(inSeq_ - 1) + ")");
  }
  return okStatus();
}

Status NtlmSession::verify(BytesView message, BytesView signature) {
  return checkMac(message, signature);
}

Result<NtlmSession::Sealed> NtlmSession::seal(BytesView plaintext) {
  if (!hasFlag(flags_, NTLMSSP_NEGOTIATE_SEAL)) {
    return makeError(ErrorCategory::Protocol, "seal_not_negotiated",
                     "NTLMSSP_NEGOTIATE_SEAL was not negotiated");
  }
  Sealed out;
  KP_TRY(out.data, outSeal_.process(plaintext));
  KP_TRY(out.signature, sign(plaintext));
  return out;
}

Result<Bytes> NtlmSession::unseal(BytesView sealed, BytesView signature) {
  if (!hasFlag(flags_, NTLMSSP_NEGOTIATE_SEAL)) {
    return makeError(ErrorCategory::Protocol, "seal_not_negotiated",
                     "NTLMSSP_NEGOTIATE_SEAL was not negotiated");
  }
  KP_TRY(auto plaintext, inSeal_.process(sealed));
  KP_CHECK(checkMac(plaintext, signature));
  return plaintext;
}

}  // namespace kerbpool::core::ntlm
