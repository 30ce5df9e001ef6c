#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "client/dns.hpp"
#include "core/common/result.hpp"

// What a browser does with a URL before it can ask the KDC for a ticket: parse it, resolve the host, and
// derive the service principal name HTTP/<host>[:port] (RFC 4559 4.1; Windows SSPI via WinINet/WinHTTP).
namespace kerbpool::client {

enum class UrlScheme { Http, Https };
std::string_view toString(UrlScheme scheme);

struct Url {
  UrlScheme scheme = UrlScheme::Http;
  std::string host;  // lower case; an IPv6 literal without its brackets
  std::uint16_t port = 80;
  bool portExplicit = false;  // the URL named a port
  std::string target = "/";   // path and query as sent on the request line; the fragment is dropped

  std::uint16_t defaultPort() const { return scheme == UrlScheme::Https ? 443 : 80; }
  bool defaultPortUsed() const { return port == defaultPort(); }
  // The Host field: the host, plus ":port" when the port is not the scheme's default (RFC 9110 7.2).
  std::string hostHeader() const;
  // "https://pool.contoso.test:8443/path"
  std::string text() const;
};

// Strict: "http" or "https" (any case), "://", a host (DNS name or IP literal, [v6] in brackets), an optional
// port 1..65535, then an optional path and query of printable ASCII without spaces. Errors (Decoding):
// empty_url, bad_scheme (missing or not http/https), userinfo_not_supported, missing_host, bad_host,
// bad_port, bad_target (space, control or non-ASCII octets, or anything but '/', '?' or '#' after the
// authority).
core::Result<Url> parseUrl(std::string_view text);

struct SpnOptions {
  std::string serviceClass = "HTTP";
  // Use the canonical name after CNAME resolution (Windows, and MIT's dns_canonicalize_hostname = true). When
  // false the URL's host is used as typed (Chrome's DisableAuthNegotiateCnameLookup, IE's
  // FEATURE_USE_CNAME_FOR_SPN_KB911149 set to 0).
  bool canonicalizeCname = true;
  // Append ":port" when the URL's port is not the scheme's default (IE's
  // FEATURE_INCLUDE_PORT_IN_SPN_KB908209, Chrome's EnableAuthNegotiatePort). Default ports are never
  // included.
  bool includePort = false;
  // Build the SPN from the address the name resolved to, as a browser does whose resolver hands back the
  // address instead of a canonical name (Chromium on Linux when getaddrinfo's AI_CANONNAME answer carries
  // none, e.g. a hosts-file entry): HTTP/127.0.0.1. Chromium's DisableAuthNegotiateCnameLookup policy turns
  // the look-up off (the name as typed is used).
  bool useAddress = false;
};

struct SpnDerivation {
  std::string spn;             // "HTTP/lb01.contoso.test"
  std::string urlHost;         // the host as the URL names it
  std::string spnHost;         // the host part of the SPN (canonical name, or urlHost)
  bool canonicalized = false;  // a CNAME chain was followed and its end used
  DnsAnswer dns;               // what the host resolved to (the address to connect to)
};

// Resolves url.host in `dns` and builds the SPN. Errors: those of DnsZone::resolve.
core::Result<SpnDerivation> deriveSpn(const Url& url, const DnsZone& dns, const SpnOptions& options = {});
// The same from an answer already at hand.
SpnDerivation deriveSpn(const Url& url, const DnsAnswer& answer, const SpnOptions& options = {});

}  // namespace kerbpool::client
