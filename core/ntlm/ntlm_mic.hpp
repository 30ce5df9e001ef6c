#pragma once

#include <array>

#include "core/common/bytes.hpp"
#include "core/common/result.hpp"
#include "core/ntlm/ntlm_messages.hpp"

// The AUTHENTICATE MIC (MS-NLMP 3.1.5.1.2, 3.2.5.1.2): HMAC-MD5(ExportedSessionKey, NEGOTIATE || CHALLENGE ||
// AUTHENTICATE with its MIC field zeroed), over the messages exactly as they went over the wire.
namespace kerbpool::core::ntlm {

// authenticate must be at least 88 bytes (the MIC field at offset 72): Decoding "no_mic_field" otherwise.
Result<std::array<std::uint8_t, kMicBytes>> computeMic(BytesView exportedSessionKey, BytesView negotiate,
                                                       BytesView challenge, BytesView authenticate);

// Checks the MIC carried in authenticate (decoded with decodeAuthenticate) in constant time: Decoding
// "no_mic_field" when it has none, Integrity "mic_mismatch" when it differs.
Status verifyMic(BytesView exportedSessionKey, BytesView negotiate, BytesView challenge,
                 BytesView authenticate);

}  // namespace kerbpool::core::ntlm
