#include "net/response_rules.hpp"

#include <algorithm>
#include <cctype>

namespace kerbpool::net {
namespace {

bool isToken(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

bool isFieldValue(std::string_view s) {
  return std::none_of(s.begin(), s.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

bool sameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

core::Result<HttpResponse> finalizeResponse(HttpResponse response, const std::string& serverName) {
  if (response.status < 200 || response.status > 599) {
    return core::makeError(core::ErrorCategory::Internal, "bad_response_status",
                           "handler returned status " + std::to_string(response.status));
  }
  HeaderList kept;
  bool hasServer = false;
  for (auto& [name, value] : response.headers) {
    if (!isToken(name) || !isFieldValue(value)) {
      return core::makeError(core::ErrorCategory::Internal, "bad_response_header",
                             "handler returned an invalid header field (name or value)");
    }
    if (sameName(name, "Content-Length") || sameName(name, "Transfer-Encoding") ||
        sameName(name, "Connection")) {
      continue;
    }
    hasServer = hasServer || sameName(name, "Server");
    kept.emplace_back(std::move(name), std::move(value));
  }
  if (!hasServer && !serverName.empty()) {
    kept.emplace_back("Server", serverName);
  }
  response.headers = std::move(kept);
  if (response.status == 204 || response.status == 304) {
    response.body.clear();
  }
  return response;
}

}  // namespace kerbpool::net
