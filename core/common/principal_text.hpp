#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.hpp"

namespace kerbpool::core {

// How a principal's text form is read (after MIT krb5_parse_name_flags).
struct PrincipalParseOptions {
  // Realm used when the text has no realm separator. Empty: a missing realm is an error.
  std::string_view defaultRealm;
  // MIT KRB5_PRINCIPAL_PARSE_ENTERPRISE: '/' is an ordinary character, the first unescaped '@' belongs
  // to the single name component and a second one starts the realm ("alice@contoso.test@CONTOSO.TEST").
  bool enterprise = false;
};

// A principal in MIT text form: "HTTP/pool.contoso.test@CONTOSO.TEST". Components are split on '/',
// the realm follows the unescaped '@'. A backslash escapes the next character; "\n", "\t", "\b" and
// "\0" stand for newline, tab, backspace and NUL, as in MIT's parser.
struct PrincipalText {
  std::vector<std::string> components;
  std::string realm;

  // Errors (ErrorCategory::Decoding): empty_principal, trailing_backslash, realm_has_slash (an unescaped
  // '/' after the realm separator), two_realm_separators, missing_realm (no realm and no default).
  static Result<PrincipalText> parse(std::string_view text, const PrincipalParseOptions& options = {});
  // Shorthand for parse(text, {defaultRealm}).
  static Result<PrincipalText> parse(std::string_view text, std::string_view defaultRealm);

  // MIT krb5_unparse_name: '/', '@', '\\' and the control characters above are escaped in every
  // component and in the realm, so that parse(format()) gives back the same principal.
  std::string format() const;
  // The name without the realm ("HTTP/pool.contoso.test"), escaped in the same way.
  std::string formatWithoutRealm() const;

  friend bool operator==(const PrincipalText&, const PrincipalText&) = default;
};

// Free-function spellings of the same operations.
std::string formatPrincipal(const std::vector<std::string>& components, std::string_view realm);

}  // namespace kerbpool::core
