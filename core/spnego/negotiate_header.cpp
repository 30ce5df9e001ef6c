#include "core/spnego/negotiate_header.hpp"

#include <algorithm>
#include <cctype>

#include "core/common/base64.hpp"
#include "core/common/http_text.hpp"

namespace kerbpool::core::spnego {
namespace {

constexpr std::size_t kMaxSchemeInDetail = 24;

Error headerError(std::string code, std::string detail) {
  return makeError(ErrorCategory::Decoding, std::move(code), std::move(detail));
}

// The scheme as it may appear in an error detail: short and printable (never a token).
std::string printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, kMaxSchemeInDetail)) {
    out.push_back(std::isprint(static_cast<unsigned char>(c)) ? c : '?');
  }
  if (s.size() > kMaxSchemeInDetail) {
    out += "...";
  }
  return out;
}

}  // namespace

std::string_view toString(AuthScheme s) {
  switch (s) {
    case AuthScheme::Negotiate:
      return "Negotiate";
    case AuthScheme::Ntlm:
      return "NTLM";
  }
  return "unknown";
}

Result<AuthHeader> parseAuthHeader(std::string_view value, std::size_t maxTokenBytes) {
  const std::string_view v = core::trimOws(value);
  const std::size_t sp = v.find(' ');
  const std::string_view scheme = v.substr(0, sp);
  AuthHeader out;
  if (core::equalsIgnoreAsciiCase(scheme, "Negotiate")) {
    out.scheme = AuthScheme::Negotiate;
  } else if (core::equalsIgnoreAsciiCase(scheme, "NTLM")) {
    out.scheme = AuthScheme::Ntlm;
  } else {
    return headerError("bad_scheme", "auth scheme '" + printable(scheme) + "' is not Negotiate or NTLM");
  }
  if (sp == std::string_view::npos) {
    return out;
  }
  std::string_view text = v.substr(sp);
  while (!text.empty() && text.front() == ' ') {
    text.remove_prefix(1);
  }
  // trimOws removed trailing blanks, so the text is non-empty here.
  const std::size_t maxChars = base64EncodedSize(maxTokenBytes);
  if (text.size() > maxChars) {
    return headerError("token_too_large", std::string(toString(out.scheme)) + " token of " +
                                              std::to_string(text.size()) + " base64 characters, limit " +
                                              std::to_string(maxTokenBytes) + " octets");
  }
  auto token = base64Decode(text, maxChars);
  if (!token.ok()) {
    Error e = std::move(token).error();
    e.within(std::string(toString(out.scheme)) + " token");
    return e;
  }
  if (token->size() > maxTokenBytes) {
    return headerError("token_too_large", std::string(toString(out.scheme)) + " token of " +
                                              std::to_string(token->size()) + " octets, limit " +
                                              std::to_string(maxTokenBytes));
  }
  out.token = std::move(token).value();
  return out;
}

Result<AuthHeader> parseAuthorization(std::string_view value, std::size_t maxTokenBytes) {
  KP_TRY(AuthHeader h, parseAuthHeader(value, maxTokenBytes));
  if (!h.token) {
    return headerError("empty_token",
                       "Authorization: " + std::string(toString(h.scheme)) + " carries no token");
  }
  return h;
}

std::string formatAuthHeader(AuthScheme scheme, std::optional<BytesView> token) {
  std::string out(toString(scheme));
  if (token && !token->empty()) {
    out.push_back(' ');
    out += base64Encode(*token);
  }
  return out;
}

std::string formatAuthHeader(const AuthHeader& header) {
  if (header.token) {
    return formatAuthHeader(header.scheme, BytesView(*header.token));
  }
  return formatAuthHeader(header.scheme);
}

}  // namespace kerbpool::core::spnego
