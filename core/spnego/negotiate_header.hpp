#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/common/bytes.hpp"
#include "core/common/result.hpp"

namespace kerbpool::core::spnego {

// HTTP `Authorization` / `WWW-Authenticate` values for RFC 4559 Negotiate and MS-NTHT NTLM:
//   credentials = auth-scheme [ 1*SP token68 ]   (RFC 7235 section 2.1; one standard-base64 token, no quotes)
enum class AuthScheme {
  Negotiate,
  Ntlm,
};

// "Negotiate" / "NTLM", the spelling used when formatting.
std::string_view toString(AuthScheme s);

inline constexpr std::size_t kDefaultMaxTokenBytes = 64 * 1024;  // decoded octets

struct AuthHeader {
  AuthScheme scheme = AuthScheme::Negotiate;
  std::optional<Bytes> token;  // absent for a bare challenge ("WWW-Authenticate: Negotiate")
};

// Parses a header value. Leading/trailing SP and HTAB are ignored; the scheme matches case-insensitively.
// Errors (Decoding): bad_scheme (not Negotiate or NTLM, or no separator), bad_base64 (strict base64, a
// single token: no inner whitespace, no auth-params), token_too_large (more than maxTokenBytes decoded
// octets; refused before decoding when the text alone is too long).
Result<AuthHeader> parseAuthHeader(std::string_view value, std::size_t maxTokenBytes = kDefaultMaxTokenBytes);

// The same for a client's Authorization value, which must carry a token: empty_token otherwise.
Result<AuthHeader> parseAuthorization(std::string_view value,
                                      std::size_t maxTokenBytes = kDefaultMaxTokenBytes);

// "Negotiate" or "Negotiate <base64>" (the value only, without the header name). An empty token is
// formatted as the bare scheme.
std::string formatAuthHeader(const AuthHeader& header);
std::string formatAuthHeader(AuthScheme scheme, std::optional<BytesView> token = std::nullopt);

}  // namespace kerbpool::core::spnego
