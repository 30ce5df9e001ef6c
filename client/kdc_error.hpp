#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/common/bytes.hpp"
#include "core/common/result.hpp"
#include "core/common/rng.hpp"
#include "core/iana/error_code.hpp"
#include "core/messages/krb_error.hpp"

// KRB-ERROR replies as typed client errors, so that a caller can tell "service unknown" (fall back to NTLM)
// from "wrong password" or "KDC unreachable".
namespace kerbpool::client {

// The Error code of a KRB-ERROR is its RFC name in lower case ("kdc_err_s_principal_unknown"); the category
// is NotFound for C/S_PRINCIPAL_UNKNOWN and Protocol otherwise. The detail names the RFC spelling, the
// number, plain words, what was asked for and the KDC's e-text:
//   KDC_ERR_S_PRINCIPAL_UNKNOWN (7, Server not found in Kerberos database) for HTTP/x@R; e-text "..."
core::Error krbErrorToError(const core::messages::KrbError& error, std::string_view context);

// The KRB-ERROR code an Error was made from (by krbErrorToError), nullopt for any other error.
std::optional<core::iana::ErrorCode> krbErrorCode(const core::Error& error);

// The KDC's e-text as krbErrorToError put it in the detail, nullopt when there was none.
std::optional<std::string> krbErrorText(const core::Error& error);

// The reply is a KRB-ERROR (APPLICATION 30): decoded, or nullopt when it is something else.
// A KRB-ERROR that does not decode is a Decoding error.
core::Result<std::optional<core::messages::KrbError>> asKrbError(core::BytesView reply);

// The reply is KRB_ERR_RESPONSE_TOO_BIG (52): a UDP answer the client must ask again over TCP.
bool isResponseTooBig(core::BytesView reply);

// The nonce of a new AS-REQ or TGS-REQ, in [1, 2^31): MIT keeps nonces positive for peers that decode them as
// signed.
std::uint32_t freshNonce(core::Rng& rng);

}  // namespace kerbpool::client
