#include "client/auth_challenge.hpp"

#include "core/common/http_text.hpp"
#include "core/spnego/negotiate_header.hpp"

namespace kerbpool::client {

namespace {

bool startsWithScheme(std::string_view value, std::string_view scheme) {
  if (value.size() < scheme.size()) {
    return false;
  }
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    const char c = value[i];
    const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    if (lower != scheme[i]) {
      return false;
    }
  }
  return value.size() == scheme.size() || value[scheme.size()] == ' ' || value[scheme.size()] == '\t';
}

void addOne(ServerChallenges& out, std::string_view value) {
  value = core::trimOws(value);
  if (value.empty()) {
    return;
  }
  auto parsed = core::spnego::parseAuthHeader(value);
  if (!parsed.ok()) {
    out.malformed.emplace_back(value.substr(0, 64));
    return;
  }
  if (parsed->scheme == core::spnego::AuthScheme::Negotiate) {
    out.negotiate = true;
    if (parsed->token && !out.negotiateToken) {
      out.negotiateToken = std::move(parsed->token);
    }
  } else {
    out.ntlm = true;
    if (parsed->token && !out.ntlmToken) {
      out.ntlmToken = std::move(parsed->token);
    }
  }
}

}  // namespace

std::string ServerChallenges::describe() const {
  std::string s;
  auto add = [&](std::string_view name) {
    if (!s.empty()) {
      s += ", ";
    }
    s += name;
  };
  if (negotiate) {
    add("Negotiate");
  }
  if (ntlm) {
    add("NTLM");
  }
  for (const auto& o : otherSchemes) {
    add(o);
  }
  return s.empty() ? "none" : s;
}

ServerChallenges parseChallenges(const std::vector<std::string_view>& values) {
  ServerChallenges out;
  for (std::string_view value : values) {
    // A token68 never contains a comma, so a comma separates challenges (auth-params of other schemes
    // are split too, which only matters for their names).
    std::size_t start = 0;
    while (start <= value.size()) {
      const std::size_t comma = value.find(',', start);
      const std::string_view part =
          value.substr(start, comma == std::string_view::npos ? comma : comma - start);
      const std::string_view t = core::trimOws(part);
      const std::string_view firstWord = t.substr(0, t.find_first_of(" \t"));
      if (startsWithScheme(t, "negotiate") || startsWithScheme(t, "ntlm")) {
        addOne(out, t);
      } else if (!firstWord.empty() && firstWord.find('=') == std::string_view::npos) {
        out.otherSchemes.emplace_back(firstWord);  // another scheme; `a=b` parts are its auth-params
      }
      if (comma == std::string_view::npos) {
        break;
      }
      start = comma + 1;
    }
  }
  return out;
}

}  // namespace kerbpool::client
