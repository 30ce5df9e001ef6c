#include "loadbalancer/forwarding_rules.hpp"

#include <array>

#include "core/common/http_text.hpp"

namespace kerbpool::loadbalancer {

namespace {}  // namespace

bool isHopByHopField(std::string_view name) {
  static constexpr std::array<std::string_view, 7> kFields{
      "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"};
  for (auto f : kFields) {
    if (core::equalsIgnoreAsciiCase(name, f)) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> connectionTokens(std::string_view field) {
  std::vector<std::string> out;
  while (!field.empty()) {
    const auto comma = field.find(',');
    const auto token = core::trimOws(field.substr(0, comma));
    if (!token.empty()) {
      out.emplace_back(token);
    }
    if (comma == std::string_view::npos) {
      break;
    }
    field.remove_prefix(comma + 1);
  }
  return out;
}

std::string appendForwardedFor(std::optional<std::string_view> existing, std::string_view clientAddress) {
  if (!existing || core::trimOws(*existing).empty()) {
    return std::string(clientAddress);
  }
  return std::string(core::trimOws(*existing)) + ", " + std::string(clientAddress);
}

std::string_view addressOf(std::string_view endpoint) {
  if (endpoint.starts_with('[')) {
    const auto close = endpoint.find(']');
    return close == std::string_view::npos ? endpoint : endpoint.substr(1, close - 1);
  }
  const auto colon = endpoint.rfind(':');
  if (colon == std::string_view::npos || endpoint.find(':') != colon) {
    return endpoint;
  }
  return endpoint.substr(0, colon);
}

bool isIdempotentMethod(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "TRACE" || method == "PUT" ||
         method == "DELETE";
}

std::string badGatewayBody(std::string_view backend, std::string_view what, std::string_view detail) {
  return "bad gateway: " + std::string(backend) + ": " + std::string(what) + ": " + std::string(detail) +
         "\n";
}

std::string serviceUnavailableBody(std::string_view reason) {
  return std::string(reason) + "\n";
}

bool isConnectionAuthChallenge(unsigned status, const std::vector<std::string_view>& challenges) {
  if (status != 401 && status != 407) {
    return false;
  }
  for (auto value : challenges) {
    value = core::trimOws(value);
    if (core::equalsIgnoreAsciiCase(value.substr(0, 4), "ntlm") ||
        core::equalsIgnoreAsciiCase(value.substr(0, 4), "nego")) {
      return true;
    }
  }
  return false;
}

}  // namespace kerbpool::loadbalancer
