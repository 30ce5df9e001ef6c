#include "core/ntlm/ntlm_mic.hpp"

#include <algorithm>
#include <limits>
#include <string>

#include "core/crypto/primitives.hpp"

namespace kerbpool::core::ntlm {

Result<std::array<std::uint8_t, kMicBytes>> computeMic(BytesView exportedSessionKey, BytesView negotiate,
                                                       BytesView challenge, BytesView authenticate) {
  if (authenticate.size() < kAuthenticateMicOffset + kMicBytes) {
    return makeError(ErrorCategory::Decoding, "no_mic_field",
                     "AUTHENTICATE of " + std::to_string(authenticate.size()) + " bytes has no MIC field");
  }
  Bytes input(negotiate.begin(), negotiate.end());
  append(input, challenge);
  const std::size_t micAt = input.size() + kAuthenticateMicOffset;
  append(input, authenticate);
  std::fill_n(input.begin() + static_cast<std::ptrdiff_t>(micAt), kMicBytes, std::uint8_t{0});
  KP_TRY(auto mac, crypto::hmacMd5(exportedSessionKey, input));
  std::array<std::uint8_t, kMicBytes> out{};
  std::copy_n(mac.begin(), kMicBytes, out.begin());
  return out;
}

Status verifyMic(BytesView exportedSessionKey, BytesView negotiate, BytesView challenge,
                 BytesView authenticate) {
  KP_TRY(auto message, decodeAuthenticate(authenticate, std::numeric_limits<std::size_t>::max()));
  if (!message.mic) {
    return makeError(ErrorCategory::Decoding, "no_mic_field",
                     "AUTHENTICATE has no MIC field (its payload starts before offset 88)");
  }
  KP_TRY(auto expected, computeMic(exportedSessionKey, negotiate, challenge, authenticate));
  if (!constantTimeEqual(expected, *message.mic)) {
    return makeError(ErrorCategory::Integrity, "mic_mismatch", "AUTHENTICATE.MIC does not verify");
  }
  return okStatus();
}

}  // namespace kerbpool::core::ntlm
