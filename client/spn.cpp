#include "client/spn.hpp"

#include <charconv>

#include "core/common/http_text.hpp"

namespace kerbpool::client {

using core::ErrorCategory;
using core::makeError;

namespace {

core::Error urlError(std::string code, std::string_view url, std::string what) {
  return makeError(ErrorCategory::Decoding, std::move(code), "URL '" + std::string(url) + "': " + what);
}

bool printableNoSpace(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u < 0x7f;
}

}  // namespace

std::string_view toString(UrlScheme scheme) {
  return scheme == UrlScheme::Https ? "https" : "http";
}

std::string Url::hostHeader() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (!defaultPortUsed()) {
    h += ":" + std::to_string(port);
  }
  return h;
}

std::string Url::text() const {
  return std::string(toString(scheme)) + "://" + hostHeader() + target;
}

core::Result<Url> parseUrl(std::string_view text) {
  if (text.empty()) {
    return makeError(ErrorCategory::Decoding, "empty_url", "the URL is empty");
  }
  for (char c : text) {
    if (!printableNoSpace(c)) {
      return urlError("bad_target", text, "space, control or non-ASCII octet");
    }
  }
  Url url;
  const std::size_t sep = text.find("://");
  if (sep == std::string_view::npos) {
    return urlError("bad_scheme", text, "no scheme (expected http:// or https://)");
  }
  const std::string_view scheme = text.substr(0, sep);
  if (core::equalsIgnoreAsciiCase(scheme, "http")) {
    url.scheme = UrlScheme::Http;
  } else if (core::equalsIgnoreAsciiCase(scheme, "https")) {
    url.scheme = UrlScheme::Https;
  } else {
    return urlError("bad_scheme", text, "scheme '" + std::string(scheme) + "' is not http or https");
  }
  url.port = url.defaultPort();

  std::string_view rest = text.substr(sep + 3);
  const std::size_t authorityEnd = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authorityEnd);
  std::string_view tail =
      authorityEnd == std::string_view::npos ? std::string_view() : rest.substr(authorityEnd);
  if (authority.find('@') != std::string_view::npos) {
    return urlError("userinfo_not_supported", text, "credentials in the URL are not supported");
  }
  if (authority.empty()) {
    return urlError("missing_host", text, "no host");
  }

  std::string_view hostPart;
  std::string_view portPart;
  bool hasPort = false;
  if (authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return urlError("bad_host", text, "unterminated IPv6 literal");
    }
    hostPart = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return urlError("bad_host", text, "unexpected text after the IPv6 literal");
      }
      hasPort = true;
      portPart = after.substr(1);
    }
    if (hostPart.find(':') == std::string_view::npos || !isIpLiteral(hostPart)) {
      return urlError("bad_host", text, "'" + std::string(hostPart) + "' is not an IPv6 address");
    }
    url.host = std::string(hostPart);
  } else {
    const std::size_t colon = authority.find(':');
    hostPart = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      hasPort = true;
      portPart = authority.substr(colon + 1);
    }
    if (hostPart.empty()) {
      return urlError("missing_host", text, "no host");
    }
    if (isIpLiteral(hostPart)) {
      url.host = std::string(hostPart);
    } else {
      url.host = normalizeDnsName(hostPart);
      if (url.host.empty()) {
        return urlError("bad_host", text, "'" + std::string(hostPart) + "' is not a DNS name");
      }
    }
  }

  if (hasPort) {
    unsigned value = 0;
    const char* end = portPart.data() + portPart.size();
    auto [ptr, ec] = std::from_chars(portPart.data(), end, value);
    if (portPart.empty() || portPart.size() > 5 || ec != std::errc() || ptr != end || value == 0 ||
        value > 65535) {
      return urlError("bad_port", text, "port '" + std::string(portPart) + "' is not 1..65535");
    }
    url.port = static_cast<std::uint16_t>(value);
    url.portExplicit = true;
  }

  const std::size_t hash = tail.find('#');
  if (hash != std::string_view::npos) {
    tail = tail.substr(0, hash);
  }
  if (tail.empty()) {
    url.target = "/";
  } else if (tail.front() == '?') {
    url.target = "/" + std::string(tail);
  } else {
    url.target = std::string(tail);
  }
  return url;
}

SpnDerivation deriveSpn(const Url& url, const DnsAnswer& answer, const SpnOptions& options) {
  SpnDerivation d;
  d.urlHost = url.host;
  d.dns = answer;
  d.canonicalized = options.canonicalizeCname && !answer.cnameChain.empty();
  d.spnHost = d.canonicalized ? answer.canonicalName : url.host;
  if (options.useAddress && !answer.address.empty()) {
    d.spnHost = answer.address;
  }
  d.spn = options.serviceClass + "/" + d.spnHost;
  if (options.includePort && !url.defaultPortUsed()) {
    d.spn += ":" + std::to_string(url.port);
  }
  return d;
}

core::Result<SpnDerivation> deriveSpn(const Url& url, const DnsZone& dns, const SpnOptions& options) {
  KP_TRY(DnsAnswer answer, dns.resolve(url.host));
  return deriveSpn(url, answer, options);
}

}  // namespace kerbpool::client
