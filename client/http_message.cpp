#include "client/http_message.hpp"

#include "core/common/http_text.hpp"

namespace kerbpool::client {

using core::ErrorCategory;
using core::makeError;

namespace {

bool tokenChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u <= 0x20 || u >= 0x7f) {
    return false;
  }
  return std::string_view("()<>@,;:\\\"/[]?={}").find(c) == std::string_view::npos;
}

bool isToken(std::string_view s) {
  if (s.empty()) {
    return false;
  }
  for (char c : s) {
    if (!tokenChar(c)) {
      return false;
    }
  }
  return true;
}

bool safeValue(std::string_view s) {
  for (char c : s) {
    if (c == '\r' || c == '\n' || c == '\0') {
      return false;
    }
  }
  return true;
}

bool safeTarget(std::string_view s) {
  if (s.empty()) {
    return false;
  }
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<std::string_view> HttpClientResponse::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (core::equalsIgnoreAsciiCase(n, name)) {
      return std::string_view(v);
    }
  }
  return std::nullopt;
}

std::vector<std::string_view> HttpClientResponse::headerValues(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const auto& [n, v] : headers) {
    if (core::equalsIgnoreAsciiCase(n, name)) {
      out.emplace_back(v);
    }
  }
  return out;
}

core::Result<std::string> formatRequest(const HttpClientRequest& req, std::string_view hostHeader,
                                        bool keepAlive) {
  if (!isToken(req.method)) {
    return makeError(ErrorCategory::Encoding, "bad_request", "method '" + req.method + "' is not a token");
  }
  if (!safeTarget(req.target)) {
    return makeError(ErrorCategory::Encoding, "bad_request",
                     "request target '" + req.target + "' has spaces or control octets");
  }
  std::string text = req.method + " " + req.target + " HTTP/1.1\r\nHost: " + std::string(hostHeader) + "\r\n";
  for (const auto& [name, value] : req.headers) {
    if (!isToken(name) || !safeValue(value)) {
      return makeError(ErrorCategory::Encoding, "bad_request", "header field '" + name + "' is malformed");
    }
    if (core::equalsIgnoreAsciiCase(name, "Host") || core::equalsIgnoreAsciiCase(name, "Content-Length") ||
        core::equalsIgnoreAsciiCase(name, "Connection") ||
        core::equalsIgnoreAsciiCase(name, "Transfer-Encoding")) {
      return makeError(ErrorCategory::Encoding, "bad_request",
                       "header field '" + name + "' belongs to the connection");
    }
    text += name + ": " + value + "\r\n";
  }
  if (!req.body.empty() || req.method == "POST" || req.method == "PUT") {
    text += "Content-Length: " + std::to_string(req.body.size()) + "\r\n";
  }
  if (!keepAlive) {
    text += "Connection: close\r\n";
  }
  text += "\r\n";
  text += req.body;
  return text;
}

}  // namespace kerbpool::client
