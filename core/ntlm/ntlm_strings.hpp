#pragma once

#include <string>
#include <string_view>

#include "core/common/bytes.hpp"
#include "core/common/result.hpp"

// Strings in NTLM messages: UTF-16LE when NTLMSSP_NEGOTIATE_UNICODE is negotiated, otherwise OEM (the
// client's code page, which the wire does not name). In kerbpool a Unicode string is held as UTF-8 and an
// OEM string as its raw bytes, so decoding and re-encoding either kind gives back the same bytes.
namespace kerbpool::core::ntlm {

// UTF-16LE -> UTF-8. An odd byte count is "odd_utf16_length" and an unpaired surrogate "bad_utf16", both
// ErrorCategory::Decoding errors whose detail names `field`.
Result<std::string> utf16leToUtf8(BytesView utf16, std::string_view field);

// A message string field: UTF-16LE (from UTF-8; bad UTF-8 is an Encoding "bad_utf8" error) or OEM bytes.
Result<Bytes> encodeNtlmString(std::string_view text, bool unicode, std::string_view field);
Result<std::string> decodeNtlmString(BytesView wire, bool unicode, std::string_view field);

// UTF-16LE upper-casing as NTOWFv2 applies it to the user name: a 1:1 mapping of UTF-16 code units
// (like Windows RtlUpcaseUnicodeString, so no "SS" for U+00DF) over ASCII, Latin-1, Latin Extended-A,
// Greek and Cyrillic. Other code units are kept as they are.
Bytes upperCaseUtf16le(BytesView utf16);

}  // namespace kerbpool::core::ntlm
