#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/clock.hpp"
#include "core/common/rng.hpp"
#include "core/webticket/web_ticket.hpp"
#include "frontend/auth_filter.hpp"
#include "frontend/client_certificates.hpp"
#include "net/http_message.hpp"

// The node's Lync web services for sign-in, as UCWA documents their HTTP: discovery, the WebTicket service
// (integrated Windows authentication in, a pool-signed web ticket out) and the services that take only that
// ticket (`Authorization: Bearer cwt=...`):
//   GET  /autodiscover/autodiscoverservice.svc/root        open: links to the user resource and XFrame
//   GET  /autodiscover/autodiscoverservice.svc/root/oauth/user   web ticket: links to UCWA
//   POST /WebTicket/oauthtoken  grant_type=urn:microsoft.rtc:windows, with Negotiate or NTLM: the ticket,
//        {"access_token":"cwt=...","expires_in":28800,"ms_rtc_identityscope":"local","token_type":"Bearer"}
//   *    /ucwa/...                                          web ticket
//   POST /CertProv/CertProvisioningService.svc               web ticket, body: a PKCS#10 request (base64 DER,
//        application/pkcs10, as RFC 7030's simpleenroll): the user's client certificate from the pool's CA,
//        valid -DefaultValidityPeriodHours, as a certs-only PKCS#7 (application/pkcs7-mime, base64)
//   POST /WebTicket/WebTicketService.svc/Cert  grant_type=urn:kerbpool:client_certificate, certificate,
//        timestamp, signature: a web ticket for the certificate's user, with no check against the directory
//        (Lync's certificate-based WebTicket endpoint; the lab's form is a signed form, not WS-Trust)
//   GET  /WebTicket/WebTicketService.svc/mex                open: a MEX-like (WS-MetadataExchange) WSDL
//   naming
//        the WebTicket endpoint, the Windows authentication it takes, and the issuer of the tickets the web
//        services take (sp:IssuedToken/sp:Issuer/wsa10:Address, as MS-OCAUTHWS has clients read it)
// Without a ticket the web-ticket resources answer 401 with `WWW-Authenticate: MsRtcOAuth
// href="https://HOST/WebTicket/oauthtoken",grant_type="urn:microsoft.rtc:windows,..."` and a Bearer
// challenge. The ticket is sealed with the pool's key (core/webticket): a node opens tickets any node of the
// pool issued, as long as it holds that key version.
namespace kerbpool::frontend {

inline constexpr std::string_view kDiscoverRootPath = "/autodiscover/autodiscoverservice.svc/root";
inline constexpr std::string_view kDiscoverUserPath = "/autodiscover/autodiscoverservice.svc/root/oauth/user";
inline constexpr std::string_view kOAuthTokenPath = "/WebTicket/oauthtoken";
inline constexpr std::string_view kUcwaPrefix = "/ucwa/";
inline constexpr std::string_view kMexPath = "/webticket/webticketservice.svc/mex";  // compared in lower case
inline constexpr std::string_view kWindowsGrant = "urn:microsoft.rtc:windows";
// Certificate provisioning (web ticket in, PKCS#10 in, PKCS#7 out) and the certificate's own ticket grant;
// compared in lower case.
inline constexpr std::string_view kCertProvPath = "/certprov/certprovisioningservice.svc";
inline constexpr std::string_view kCertificateTicketPath = "/webticket/webticketservice.svc/cert";

// Set-CsWebServiceConfiguration's settings a node applies to web tickets.
struct WebServiceConfig {
  std::string poolFqdn;  // the tickets' audience: "https://" + poolFqdn
  // WebTicket lifetimes: a client on the internal web services gets 8 h, through the external web services
  // (a Host in externalFqdns) 15 min, as Lync's defaults.
  std::chrono::minutes internalTicketLifetime{480};
  std::chrono::minutes externalTicketLifetime{15};
  std::vector<std::string> externalFqdns;  // lower case
  bool ntlm = true;                        // the nodes offer NTLM too (the MEX answer lists it)
  // -DefaultValidityPeriodHours: how long CertProv's client certificates last (Lync: 4320, 8..8760).
  std::chrono::hours defaultValidityPeriod{4320};
  // The pool's certificate provisioning, shared by its nodes; null: no CertProv (503).
  std::shared_ptr<ClientCertificateAuthority> certificates;
};

// The pool's web-ticket key versions this node holds (the OAuth certificate assigned to it); empty: none.
// Thread-safe; replaced while the node runs (a key roll, a certificate assigned).
class PoolKeyHolder {
 public:
  void set(std::vector<core::webticket::PoolKey> keys);
  std::shared_ptr<const std::vector<core::webticket::PoolKey>> keys() const;

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const std::vector<core::webticket::PoolKey>> keys_ =
      std::make_shared<const std::vector<core::webticket::PoolKey>>();
};

// A web-ticket resource's outcome: Allow (identity.mechanism "webticket", identity.ticketIssuer the issuing
// node) or Deny with a core::webticket code, or Challenge "no_web_ticket".
Decision checkWebTicket(const net::HttpRequest& request, const WebServiceConfig& config,
                        const PoolKeyHolder& keys, core::TimePoint now);

// The 401 challenge fields of a web-ticket resource.
net::HeaderList webTicketChallenges(const net::HttpRequest& request);

class WebTicketService {
 public:
  // keys, clock and rng must outlive the service.
  WebTicketService(WebServiceConfig config, std::string node, PoolKeyHolder& keys, const core::Clock& clock,
                   core::Rng& rng);

  // Whether the request is for one of these resources (by path).
  static bool handles(const net::HttpRequest& request);
  static bool isDiscoveryRoot(const net::HttpRequest& request);
  static bool isMetadata(const net::HttpRequest& request);
  static bool isCertificateGrant(const net::HttpRequest& request);
  // Resources that authenticate with the ticket (the discovery user resource, UCWA).
  static bool takesWebTicket(const net::HttpRequest& request);

  // The open discovery root.
  net::HttpResponse discoverRoot(const net::HttpRequest& request) const;
  // The open metadata (MEX-like WSDL); 405 for a method other than GET or HEAD.
  net::HttpResponse metadata(const net::HttpRequest& request) const;
  // After checkWebTicket allowed it: the user resource's links, or UCWA's answer (naming the user).
  net::HttpResponse webTicketResource(const net::HttpRequest& request, const Allow& allow) const;
  // POST /WebTicket/oauthtoken once integrated authentication allowed it: a new ticket, or 400 for a grant
  // type other than urn:microsoft.rtc:windows, 405 for another method, 503 when this node holds no pool key
  // (it cannot sign for the pool).
  net::HttpResponse issue(const net::HttpRequest& request, const Allow& allow);
  // POST /WebTicket/WebTicketService.svc/Cert: the decision (Allow with mechanism "certificate", or Deny with
  // the certificate's refusal code) and the answer (the ticket, or 400 invalid_grant naming why).
  std::pair<Decision, net::HttpResponse> issueForCertificate(const net::HttpRequest& request);
  // POST /WebTicket/oauthtoken with grant_type=password&username=DOMAIN\user&password=... (the Lync Web App's
  // forms sign-in): the node logs the user on itself, with NTLM through `ntlm` (its pass-through to the DC,
  // the same secure channel and MaxConcurrentApi as a client's NTLM), then issues the ticket (the claims'
  // mechanism "password"). Deny with the NTLM module's code when the DC refuses; 400 without `ntlm`.
  static bool isPasswordGrant(const net::HttpRequest& request);
  std::pair<Decision, net::HttpResponse> issueForPassword(const net::HttpRequest& request, NtlmHandler* ntlm);

  const WebServiceConfig& config() const { return config_; }
  PoolKeyHolder& keys() { return keys_; }

 private:
  net::HttpResponse ticketAnswer(const net::HttpRequest& request, const Identity& identity,
                                 const net::HeaderList& extra);
  net::HttpResponse provisionCertificate(const net::HttpRequest& request, const Allow& allow) const;

  WebServiceConfig config_;
  std::string node_;
  PoolKeyHolder& keys_;
  const core::Clock& clock_;
  core::Rng& rng_;
};

}  // namespace kerbpool::frontend
