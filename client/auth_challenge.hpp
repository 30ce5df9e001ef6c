#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/bytes.hpp"

// What a server's `WWW-Authenticate` fields offer (RFC 7235 4.1, RFC 4559, MS-NTHT), as the workstation
// reads them: IIS sends `Negotiate` and `NTLM` as two fields, other servers join challenges with commas.
namespace kerbpool::client {

struct ServerChallenges {
  bool negotiate = false;
  bool ntlm = false;
  std::optional<core::Bytes> negotiateToken;  // "Negotiate <b64>": a continuation or the mutual-auth token
  std::optional<core::Bytes> ntlmToken;       // "NTLM <b64>": the CHALLENGE
  std::vector<std::string> otherSchemes;      // "Basic", "Bearer"... (scheme names only)
  std::vector<std::string> malformed;         // Negotiate/NTLM values that did not parse (bad base64...)

  bool any() const { return negotiate || ntlm; }
  // "Negotiate, NTLM, Basic" for messages; "none" when nothing was offered.
  std::string describe() const;
};

// Never fails: what does not parse is listed in `malformed` or `otherSchemes`. The first token of each
// scheme is kept.
ServerChallenges parseChallenges(const std::vector<std::string_view>& wwwAuthenticateValues);

}  // namespace kerbpool::client
