#include "core/common/principal_text.hpp"

namespace kerbpool::core {
namespace {

char unescape(char c) {
  switch (c) {
    case 'n':
      return '\n';
    case 't':
      return '\t';
    case 'b':
      return '\b';
    case '0':
      return '\0';
    default:
      return c;
  }
}

void appendEscaped(std::string& out, std::string_view field) {
  for (char c : field) {
    switch (c) {
      case '/':
      case '@':
      case '\\':
        out += '\\';
        out += c;
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\0':
        out += "\\0";
        break;
      default:
        out += c;
    }
  }
}

Error parseError(std::string code, std::string_view text, std::string why) {
  return makeError(ErrorCategory::Decoding, std::move(code),
                   "principal \"" + std::string(text) + "\": " + std::move(why));
}

}  // namespace

Result<PrincipalText> PrincipalText::parse(std::string_view text, const PrincipalParseOptions& options) {
  if (text.empty()) {
    return makeError(ErrorCategory::Decoding, "empty_principal", "principal text is empty");
  }
  PrincipalText out;
  out.components.emplace_back();
  std::string* current = &out.components.back();
  bool inRealm = false;
  bool sawEnterpriseAt = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\') {
      if (i + 1 == text.size()) {
        return parseError("trailing_backslash", text, "a backslash cannot be the last character");
      }
      *current += unescape(text[++i]);
    } else if (c == '/' && !options.enterprise) {
      if (inRealm) {
        return parseError("realm_has_slash", text, "unescaped '/' after the realm separator");
      }
      out.components.emplace_back();
      current = &out.components.back();
    } else if (c == '@' && options.enterprise && !sawEnterpriseAt) {
      sawEnterpriseAt = true;
      *current += c;
    } else if (c == '@') {
      if (inRealm) {
        return parseError("two_realm_separators", text, "more than one unescaped '@'");
      }
      inRealm = true;
      current = &out.realm;
    } else {
      *current += c;
    }
  }
  if (!inRealm) {
    if (options.defaultRealm.empty()) {
      return parseError("missing_realm", text, "no realm given and no default realm");
    }
    out.realm = std::string(options.defaultRealm);
  }
  return out;
}

Result<PrincipalText> PrincipalText::parse(std::string_view text, std::string_view defaultRealm) {
  PrincipalParseOptions options;
  options.defaultRealm = defaultRealm;
  return parse(text, options);
}

std::string PrincipalText::formatWithoutRealm() const {
  std::string out;
  for (std::size_t i = 0; i < components.size(); ++i) {
    if (i > 0) {
      out += '/';
    }
    appendEscaped(out, components[i]);
  }
  return out;
}

std::string PrincipalText::format() const {
  std::string out = formatWithoutRealm();
  out += '@';
  appendEscaped(out, realm);
  return out;
}

std::string formatPrincipal(const std::vector<std::string>& components, std::string_view realm) {
  return PrincipalText{components, std::string(realm)}.format();
}

}  // namespace kerbpool::core
