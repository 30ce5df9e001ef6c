#include "frontend/web_tickets.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "core/common/base64.hpp"
#include "core/common/hex.hpp"
#include "core/ntlm/ntlm_client.hpp"
#include "frontend/request_handler.hpp"

namespace kerbpool::frontend {

namespace {

using core::webticket::OpenOptions;
using nlohmann::ordered_json;

constexpr std::string_view kBearer = "Bearer";
constexpr std::string_view kMsRtcOAuth = "MsRtcOAuth";
// Lync's well-known OAuth client id for its web services, as its Bearer challenge names it.
constexpr std::string_view kClientId = "00000004-0000-0ff1-ce00-000000000000";

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The Host a client used, when it is a plain host[:port]; else nullopt (never echoed).
std::optional<std::string> cleanHost(const net::HttpRequest& request) {
  const auto host = request.header("Host");
  if (!host || host->empty() || host->size() > 255 ||
      !std::all_of(host->begin(), host->end(), [](unsigned char c) {
        return std::isalnum(c) != 0 || c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
      })) {
    return std::nullopt;
  }
  return lower(*host);
}

std::string origin(const net::HttpRequest& request, const std::string& fallbackHost) {
  return std::string(request.tls ? "https://" : "http://") + cleanHost(request).value_or(fallbackHost);
}

std::string hostWithoutPort(const std::string& host) {
  return host.substr(
      0, host.rfind(':') == std::string::npos || host.front() == '[' ? host.size() : host.rfind(':'));
}

// A form field of an application/x-www-form-urlencoded body, percent-decoded ('+' is a space).
std::optional<std::string> formField(std::string_view body, std::string_view name) {
  while (!body.empty()) {
    const auto amp = body.find('&');
    const std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) != name || eq == std::string_view::npos) {
      continue;
    }
    std::string out;
    const std::string_view v = pair.substr(eq + 1);
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (v[i] == '+') {
        out += ' ';
      } else if (v[i] == '%' && i + 2 < v.size() && std::isxdigit(static_cast<unsigned char>(v[i + 1])) &&
                 std::isxdigit(static_cast<unsigned char>(v[i + 2]))) {
        out += static_cast<char>(std::stoi(std::string(v.substr(i + 1, 2)), nullptr, 16));
        i += 2;
      } else {
        out += v[i];
      }
    }
    return out;
  }
  return std::nullopt;
}

net::HttpResponse json(unsigned status, const ordered_json& body,
                       std::string_view type = "application/json") {
  net::HttpResponse r;
  r.status = status;
  r.add("Content-Type", std::string(type));
  r.add("Cache-Control", "no-store");
  r.body = body.dump(-1, ' ', false, ordered_json::error_handler_t::replace) + "\n";
  return r;
}

}  // namespace

void PoolKeyHolder::set(std::vector<core::webticket::PoolKey> keys) {
  auto fresh = std::make_shared<const std::vector<core::webticket::PoolKey>>(std::move(keys));
  std::lock_guard lock(mu_);
  keys_ = std::move(fresh);
}

std::shared_ptr<const std::vector<core::webticket::PoolKey>> PoolKeyHolder::keys() const {
  std::lock_guard lock(mu_);
  return keys_;
}

net::HeaderList webTicketChallenges(const net::HttpRequest& request) {
  const std::string href = origin(request, "") + std::string(kOAuthTokenPath);
  return {{"WWW-Authenticate",
           std::string(kBearer) + " trusted_issuers=\"\", client_id=\"" + std::string(kClientId) + "\""},
          {"WWW-Authenticate", std::string(kMsRtcOAuth) + " href=\"" + href + "\",grant_type=\"" +
                                   std::string(kWindowsGrant) + ",urn:microsoft.rtc:anonmeeting,password\""}};
}

Decision checkWebTicket(const net::HttpRequest& request, const WebServiceConfig& config,
                        const PoolKeyHolder& keys, core::TimePoint now) {
  const auto values = request.headerValues("Authorization");
  if (values.empty()) {
    return Challenge{webTicketChallenges(request), "no_web_ticket"};
  }
  if (values.size() > 1) {
    return Deny{std::string(filter_codes::kMultipleAuthorization),
                "the request carries " + std::to_string(values.size()) + " Authorization fields",
                webTicketChallenges(request)};
  }
  std::string_view value = values.front();
  const auto space = value.find(' ');
  if (space == std::string_view::npos || !iequals(value.substr(0, space), kBearer)) {
    return Deny{std::string(filter_codes::kUnsupportedScheme),
                "this resource takes a web ticket (Authorization: Bearer cwt=...) from " +
                    std::string(kOAuthTokenPath) + ", not integrated Windows authentication",
                webTicketChallenges(request)};
  }
  value.remove_prefix(space + 1);
  value.remove_prefix(std::min(value.find_first_not_of(' '), value.size()));
  OpenOptions options;
  options.audience = "https://" + config.poolFqdn;
  if (config.certificates) {
    const auto* certificates = config.certificates.get();
    options.revoked = [certificates](const core::webticket::WebTicketClaims& c) {
      return certificates->revokedAt(c.user, c.issued).has_value();
    };
  }
  const auto held = keys.keys();
  auto claims = core::webticket::openWebTicket(value, *held, now, options);
  if (!claims.ok()) {
    auto headers = webTicketChallenges(request);
    headers.front().second = std::string(kBearer) + " error=\"invalid_token\"";
    return Deny{claims.error().code, claims.error().detail, std::move(headers)};
  }
  Identity id;
  id.user = claims->user;
  id.groups = claims->groups;
  id.mechanism = "webticket";
  id.ticketIssuer = claims->issuer;
  id.ticketMechanism = claims->mechanism;
  return Allow{std::move(id), {}, false};
}

WebTicketService::WebTicketService(WebServiceConfig config, std::string node, PoolKeyHolder& keys,
                                   const core::Clock& clock, core::Rng& rng)
    : config_(std::move(config)), node_(std::move(node)), keys_(keys), clock_(clock), rng_(rng) {
  for (auto& f : config_.externalFqdns) {
    f = lower(f);
  }
}

bool WebTicketService::handles(const net::HttpRequest& request) {
  const std::string path = lower(requestPath(request.target));
  return path == kDiscoverRootPath || path == kDiscoverUserPath || path == lower(kOAuthTokenPath) ||
         path == kMexPath || path == kCertProvPath || path == kCertificateTicketPath ||
         path.rfind(kUcwaPrefix, 0) == 0;
}

bool WebTicketService::isCertificateGrant(const net::HttpRequest& request) {
  return lower(requestPath(request.target)) == kCertificateTicketPath;
}

bool WebTicketService::isMetadata(const net::HttpRequest& request) {
  return lower(requestPath(request.target)) == kMexPath;
}

net::HttpResponse WebTicketService::metadata(const net::HttpRequest& request) const {
  if (request.method != "GET" && request.method != "HEAD") {
    auto r = json(405, {{"error", "invalid_request"}, {"error_description", "GET the metadata"}});
    r.add("Allow", "GET, HEAD");
    return r;
  }
  // The origin comes from cleanHost (letters, digits, '.', '-', ':', '[', ']'): nothing to escape in XML.
  const std::string here = origin(request, config_.poolFqdn);
  const std::string token = here + std::string(kOAuthTokenPath);
  std::string auth = "<http:NegotiateAuthentication/>";
  if (config_.ntlm) {
    auth += "<http:NtlmAuthentication/>";
  }
  net::HttpResponse r;
  r.add("Content-Type", "text/xml; charset=utf-8");
  r.add("Cache-Control", "no-store");
  r.body =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
      "<wsdl:definitions name=\"WebTicketService\" targetNamespace=\"" +
      here +
      "/WebTicket/\""
      " xmlns:wsdl=\"http://schemas.xmlsoap.org/wsdl/\""
      " xmlns:wsp=\"http://schemas.xmlsoap.org/ws/2004/09/policy\""
      " xmlns:wsu=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd\""
      " xmlns:http=\"http://schemas.microsoft.com/ws/06/2004/policy/http\""
      " xmlns:sp=\"http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702\""
      " xmlns:wsa10=\"http://www.w3.org/2005/08/addressing\""
      " xmlns:soap12=\"http://schemas.xmlsoap.org/wsdl/soap12/\">\n"
      "  <wsp:Policy wsu:Id=\"WebTicketService_WindowsAuth_policy\"><wsp:ExactlyOne><wsp:All>" +
      auth +
      "</wsp:All></wsp:ExactlyOne></wsp:Policy>\n"
      "  <wsp:Policy wsu:Id=\"WebServices_WebTicket_policy\"><wsp:ExactlyOne><wsp:All><sp:IssuedToken>"
      "<sp:Issuer><wsa10:Address>" +
      token +
      "</wsa10:Address></sp:Issuer></sp:IssuedToken>"
      "</wsp:All></wsp:ExactlyOne></wsp:Policy>\n"
      "  <wsdl:service name=\"WebTicketService\">\n"
      "    <wsdl:port name=\"WebTicketService_WindowsAuth\" binding=\"WebTicketService_WindowsAuth\">"
      "<soap12:address location=\"" +
      token +
      "\"/></wsdl:port>\n"
      "    <wsdl:port name=\"Ucwa_WebTicket\" binding=\"WebServices_WebTicket\">"
      "<soap12:address location=\"" +
      here +
      "/ucwa/oauth/v1/applications\"/></wsdl:port>\n"
      "  </wsdl:service>\n"
      "</wsdl:definitions>\n";
  return r;
}

bool WebTicketService::isDiscoveryRoot(const net::HttpRequest& request) {
  return lower(requestPath(request.target)) == kDiscoverRootPath;
}

bool WebTicketService::takesWebTicket(const net::HttpRequest& request) {
  const std::string path = lower(requestPath(request.target));
  return path == kDiscoverUserPath || path == kCertProvPath || path.rfind(kUcwaPrefix, 0) == 0;
}

net::HttpResponse WebTicketService::discoverRoot(const net::HttpRequest& request) const {
  const std::string here = origin(request, config_.poolFqdn);
  // Lync discover answers by where the client asked: lyncdiscoverinternal.<domain> (the internal DNS) names
  // the pool's internal web services, lyncdiscover.<domain> (the public DNS) the external ones; any other
  // name the client used is kept.
  const std::string host = cleanHost(request).value_or(config_.poolFqdn);
  const std::string name = hostWithoutPort(host);
  const std::string port = host.substr(name.size());
  std::string target = host;
  std::string scope;
  if (name.rfind("lyncdiscoverinternal.", 0) == 0) {
    target = config_.poolFqdn + port;
    scope = "internal";
  } else if (name.rfind("lyncdiscover.", 0) == 0) {
    target = (config_.externalFqdns.empty() ? config_.poolFqdn : config_.externalFqdns.front()) + port;
    scope = config_.externalFqdns.empty() ? "internal" : "external";
  }
  const std::string pool = std::string(request.tls ? "https://" : "http://") + target;
  ordered_json links{{"self", {{"href", here + "/Autodiscover/AutodiscoverService.svc/root"}}},
                     {"user", {{"href", pool + "/Autodiscover/AutodiscoverService.svc/root/oauth/user"}}},
                     {"xframe", {{"href", pool + "/Autodiscover/XFrame/XFrame.html"}}}};
  auto r = json(200, {{"_links", links}}, "application/vnd.microsoft.rtc.autodiscover+json");
  if (!scope.empty()) {
    r.add("X-Kerbpool-Discover-Scope", scope);
  }
  return r;
}

net::HttpResponse WebTicketService::webTicketResource(const net::HttpRequest& request,
                                                      const Allow& allow) const {
  const std::string path = lower(requestPath(request.target));
  if (path == kDiscoverUserPath) {
    const std::string pool = origin(request, config_.poolFqdn);
    ordered_json links{{"self", {{"href", pool + "/Autodiscover/AutodiscoverService.svc/root/oauth/user"}}},
                       {"applications", {{"href", pool + "/ucwa/oauth/v1/applications"}}},
                       {"xframe", {{"href", pool + "/Autodiscover/XFrame/XFrame.html"}}}};
    return json(200, {{"_links", links}}, "application/vnd.microsoft.rtc.autodiscover+json");
  }
  if (path == kCertProvPath) {
    return provisionCertificate(request, allow);
  }
  return protectedResponse(request, allow, node_);
}

net::HttpResponse WebTicketService::provisionCertificate(const net::HttpRequest& request,
                                                         const Allow& allow) const {
  if (request.method != "POST") {
    auto r = json(405, {{"error", "invalid_request"}, {"error_description", "POST a PKCS#10 request"}});
    r.add("Allow", "POST");
    return r;
  }
  if (!config_.certificates) {
    return json(503,
                {{"error", "temporarily_unavailable"},
                 {"error_description", node_ + " has no certificate provisioning for " + config_.poolFqdn}});
  }
  if (allow.identity.ticketMechanism == "certificate") {
    // Otherwise a certificate would renew itself forever, and -DefaultValidityPeriodHours would bound
    // nothing.
    return json(403, {{"error", "access_denied"},
                      {"error_description",
                       "this web ticket was bought with a client certificate: a new "
                       "certificate takes a Windows sign-in (Kerberos or NTLM)"}});
  }
  const auto type = request.header("Content-Type");
  if (!type || !iequals(type->substr(0, std::min(type->find(';'), type->size())), "application/pkcs10")) {
    return json(415,
                {{"error", "invalid_request"},
                 {"error_description", "the body is a base64 DER PKCS#10 request (application/pkcs10)"}});
  }
  std::string text;
  for (const char c : request.body) {
    if (c != '\r' && c != '\n') {
      text += c;
    }
  }
  constexpr std::size_t kMaxRequestChars = 16384;
  auto der = core::base64Decode(text, kMaxRequestChars);
  if (!der.ok()) {
    return json(400, {{"error", "invalid_request"},
                      {"error_description", "the body is not base64 (" + der.error().code + ")"}});
  }
  const auto validity = std::chrono::duration_cast<std::chrono::seconds>(config_.defaultValidityPeriod);
  auto certificate = config_.certificates->issue(*der, allow.identity.user, clock_.now(), validity);
  if (!certificate.ok()) {
    return json(400, {{"error", "invalid_request"},
                      {"error_description", certificate.error().code + ": " + certificate.error().detail}});
  }
  auto pkcs7 = core::crypto::certsOnlyPkcs7({*certificate});
  if (!pkcs7.ok()) {
    return json(500, {{"error", "server_error"}});
  }
  net::HttpResponse r;
  r.add("Content-Type", "application/pkcs7-mime; smime-type=certs-only");
  r.add("Content-Transfer-Encoding", "base64");
  r.add("Cache-Control", "no-store");
  r.body = core::base64Encode(*pkcs7) + "\n";
  return r;
}

net::HttpResponse WebTicketService::issue(const net::HttpRequest& request, const Allow& allow) {
  if (request.method != "POST") {
    auto r = json(405, {{"error", "invalid_request"}, {"error_description", "POST the grant to this URL"}});
    r.add("Allow", "POST");
    return r;
  }
  const auto grant = formField(request.body, "grant_type");
  if (!grant || *grant != kWindowsGrant) {
    return json(400, {{"error", "unsupported_grant_type"},
                      {"error_description", "this URL takes grant_type=" + std::string(kWindowsGrant) +
                                                " with Negotiate or NTLM"}});
  }
  return ticketAnswer(request, allow.identity, allow.headers);
}

net::HttpResponse WebTicketService::ticketAnswer(const net::HttpRequest& request, const Identity& identity,
                                                 const net::HeaderList& extra) {
  const auto held = keys_.keys();
  if (held->empty()) {
    return json(503, {{"error", "temporarily_unavailable"},
                      {"error_description", node_ +
                                                " holds no key of the pool's web services certificate: it "
                                                "cannot issue web tickets for " +
                                                config_.poolFqdn}});
  }
  const auto newest = std::max_element(held->begin(), held->end(),
                                       [](const auto& a, const auto& b) { return a.version < b.version; });
  const auto host = cleanHost(request);
  const bool external = host && std::find(config_.externalFqdns.begin(), config_.externalFqdns.end(),
                                          hostWithoutPort(*host)) != config_.externalFqdns.end();
  const auto lifetime = external ? config_.externalTicketLifetime : config_.internalTicketLifetime;
  core::webticket::WebTicketClaims c;
  c.user = identity.user;
  c.groups = identity.groups;
  c.mechanism = identity.mechanism;
  c.audience = "https://" + config_.poolFqdn;
  c.issuer = node_;
  core::Bytes id(16);
  rng_.fill(id);
  c.id = core::toHex(id);
  c.scope = external ? "external" : "internal";
  c.issued = clock_.now();
  c.expires = c.issued + lifetime;
  auto ticket = core::webticket::sealWebTicket(c, *newest, rng_);
  if (!ticket.ok()) {
    return json(500, {{"error", "server_error"}});
  }
  auto r = json(200, {{"access_token", *ticket},
                      {"expires_in", std::chrono::duration_cast<std::chrono::seconds>(lifetime).count()},
                      {"ms_rtc_identityscope", external ? "remote" : "local"},
                      {"token_type", "Bearer"}});
  r.headers.insert(r.headers.begin(), extra.begin(), extra.end());
  return r;
}

bool WebTicketService::isPasswordGrant(const net::HttpRequest& request) {
  if (request.method != "POST" || lower(requestPath(request.target)) != lower(kOAuthTokenPath) ||
      request.header("Authorization")) {
    return false;
  }
  const auto grant = formField(request.body, "grant_type");
  return grant && *grant == "password";
}

std::pair<Decision, net::HttpResponse> WebTicketService::issueForPassword(const net::HttpRequest& request,
                                                                          NtlmHandler* ntlm) {
  const auto refuse = [](unsigned status, std::string code, std::string detail) {
    auto r = json(status, {{"error", status == 400 ? "invalid_grant" : "invalid_request"},
                           {"error_description", code + ": " + detail}});
    return std::pair<Decision, net::HttpResponse>{Deny{std::move(code), std::move(detail), {}}, std::move(r)};
  };
  if (ntlm == nullptr) {
    return refuse(400, "password_grant_unavailable",
                  node_ + " has no NTLM pass-through to the DC to check a password with");
  }
  const auto username = formField(request.body, "username");
  const auto password = formField(request.body, "password");
  if (!username || !password || username->empty() || username->size() > 256 || password->size() > 256) {
    return refuse(400, "password_grant_incomplete", "the grant needs username (DOMAIN\\user) and password");
  }
  // DOMAIN\user or user@domain; the NetBIOS domain is what NTLM carries.
  std::string user = *username;
  std::string domain;
  if (const auto slash = user.find('\\'); slash != std::string::npos) {
    domain = user.substr(0, slash);
    user = user.substr(slash + 1);
  } else if (const auto at = user.find('@'); at != std::string::npos) {
    domain = user.substr(
        at + 1, user.find('.', at) == std::string::npos ? std::string::npos : user.find('.', at) - at - 1);
    user = user.substr(0, at);
  }
  auto credentials = core::ntlm::credentialsFromPassword(user, domain, *password);
  if (!credentials.ok()) {
    return refuse(400, "password_grant_incomplete",
                  "the user name cannot be used: " + credentials.error().code);
  }
  // The node's own network logon for the user: NEGOTIATE and AUTHENTICATE through its NTLM module, on a
  // connection of their own (never the client's), so the DC sees an NTLM pass-through from this node.
  core::ntlm::ClientOptions options;
  options.workstation = node_;
  core::ntlm::NtlmClient client(options, std::move(*credentials), clock_, rng_);
  auto negotiate = client.negotiate();
  if (!negotiate.ok()) {
    return refuse(500, "password_grant_internal", negotiate.error().code);
  }
  net::HttpRequest inner = request;
  inner.tls = false;  // the node's own logon is bound to no client channel
  net::ConnectionContext ownConnection;
  ConnectionAuthState state;
  core::acceptor::NegotiateNtlm first;
  first.ntlmMessage = *negotiate;
  first.scheme = core::spnego::AuthScheme::Ntlm;
  const Decision challenge = ntlm->handle(first, inner, ownConnection, state);
  std::optional<core::Bytes> challengeBytes;
  if (const auto* c = std::get_if<Challenge>(&challenge)) {
    for (const auto& [name, value] : c->headers) {
      if (iequals(name, "WWW-Authenticate") && value.rfind("NTLM ", 0) == 0) {
        auto decoded = core::base64Decode(std::string_view(value).substr(5));
        if (decoded.ok()) {
          challengeBytes = std::move(*decoded);
        }
      }
    }
  }
  if (!challengeBytes) {
    return refuse(500, "password_grant_internal", "the node's NTLM module gave no CHALLENGE");
  }
  auto authenticate = client.authenticate(*challengeBytes);
  if (!authenticate.ok()) {
    return refuse(500, "password_grant_internal", authenticate.error().code);
  }
  core::acceptor::NegotiateNtlm second;
  second.ntlmMessage = authenticate->message;
  second.scheme = core::spnego::AuthScheme::Ntlm;
  Decision decision = ntlm->handle(second, inner, ownConnection, state);
  if (auto* deny = std::get_if<Deny>(&decision)) {
    // The client learns that the sign-in failed, not why (a wrong password and a disabled account look
    // alike, as on Lync's forms page); the node's log line and counters carry the DC's answer.
    auto r = json(400, {{"error", "invalid_grant"},
                        {"error_description", deny->code + ": the user name or password was not accepted"}});
    return {std::move(decision), std::move(r)};
  }
  auto* allow = std::get_if<Allow>(&decision);
  if (allow == nullptr) {
    return refuse(500, "password_grant_internal", "the node's NTLM module neither allowed nor refused");
  }
  allow->identity.mechanism = "password";
  auto response = ticketAnswer(request, allow->identity, {});
  return {Allow{allow->identity, {}, false}, std::move(response)};
}

std::pair<Decision, net::HttpResponse> WebTicketService::issueForCertificate(
    const net::HttpRequest& request) {
  const auto refuse = [](std::string code, std::string detail) {
    auto r = json(400, {{"error", "invalid_grant"}, {"error_description", code + ": " + detail}});
    return std::pair<Decision, net::HttpResponse>{Deny{std::move(code), std::move(detail), {}}, std::move(r)};
  };
  if (request.method != "POST") {
    auto r = json(405, {{"error", "invalid_request"}, {"error_description", "POST the grant to this URL"}});
    r.add("Allow", "POST");
    return {Deny{"method_not_allowed", "the certificate grant is a POST", {}}, std::move(r)};
  }
  if (!config_.certificates) {
    return {Deny{"no_certificate_provisioning", node_ + " has no certificate provisioning", {}},
            json(503, {{"error", "temporarily_unavailable"},
                       {"error_description",
                        node_ + " has no certificate provisioning for " + config_.poolFqdn}})};
  }
  const auto grant = formField(request.body, "grant_type");
  if (!grant || *grant != core::webticket::kCertificateGrant) {
    return refuse("unsupported_grant_type",
                  "this URL takes grant_type=" + std::string(core::webticket::kCertificateGrant));
  }
  const auto certificateText = formField(request.body, "certificate");
  const auto timestampText = formField(request.body, "timestamp");
  const auto signatureText = formField(request.body, "signature");
  if (!certificateText || !timestampText || !signatureText) {
    return refuse("certificate_grant_incomplete",
                  "the grant needs the fields certificate, timestamp and signature");
  }
  auto certificate = core::base64Decode(*certificateText, 16384);
  auto signature = core::base64Decode(*signatureText, 1024);
  if (!certificate.ok() || !signature.ok()) {
    return refuse("certificate_grant_malformed",
                  std::string(!certificate.ok() ? "certificate" : "signature") + " is not base64");
  }
  std::int64_t timestamp = 0;
  if (timestampText->empty() || timestampText->size() > 12 ||
      !std::all_of(timestampText->begin(), timestampText->end(),
                   [](unsigned char c) { return std::isdigit(c) != 0; })) {
    return refuse("certificate_grant_malformed", "timestamp is not a Unix time in seconds");
  }
  timestamp = std::stoll(*timestampText);
  const core::TimePoint now = clock_.now();
  const auto skew = std::chrono::seconds(300);
  const auto signedAt = core::fromUnixSeconds(timestamp);
  if (signedAt < now - skew || signedAt > now + skew) {
    return refuse("certificate_grant_stale", "the grant was signed at " + std::to_string(timestamp) +
                                                 ", more than 300 s from this node's " +
                                                 std::to_string(core::toUnixSeconds(now)));
  }
  // Signed for this pool: its name, or one of its external web services' names (a client outside knows only
  // that one).
  std::vector<std::string> names{config_.poolFqdn};
  names.insert(names.end(), config_.externalFqdns.begin(), config_.externalFqdns.end());
  auto verified = config_.certificates->verify(
      *certificate, now,
      core::asBytes(core::webticket::certificateGrantSignedData("https://" + names.front(), timestamp)),
      *signature);
  for (std::size_t i = 1;
       i < names.size() && !verified.ok() && verified.error().code == core::crypto::cert_codes::kBadSignature;
       ++i) {
    verified = config_.certificates->verify(
        *certificate, now,
        core::asBytes(core::webticket::certificateGrantSignedData("https://" + names[i], timestamp)),
        *signature);
  }
  if (!verified.ok()) {
    return refuse(verified.error().code, verified.error().detail);
  }
  Identity identity;
  identity.user = verified->user;
  identity.mechanism = "certificate";
  auto response = ticketAnswer(request, identity, {});
  return {Allow{std::move(identity), {}, false}, std::move(response)};
}

}  // namespace kerbpool::frontend
