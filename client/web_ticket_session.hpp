#pragma once

#include <optional>
#include <string>
#include <vector>

#include "client/negotiate_http_client.hpp"
#include "core/common/clock.hpp"

// A Lync client's sign-in to the pool's web services, as UCWA documents its HTTP: the open discovery root
// names the user resource; that resource answers 401 `WWW-Authenticate: MsRtcOAuth href="...oauthtoken"`;
// a POST of `grant_type=urn:microsoft.rtc:windows` to that href, answered with integrated Windows
// authentication (Kerberos, or NTLM when no ticket can be had), returns the web ticket; every later request
// carries `Authorization: Bearer cwt=...` until the ticket is about to expire. A ticket a node refuses (it
// does not hold the pool key that sealed it, for one) is dropped and the client signs in once more, as Lync
// does: each sign-in is a Kerberos or NTLM logon, the latter a pass-through to a DC.
namespace kerbpool::client {

struct WebTicketRequest {
  RequestOutcome outcome;               // the resource request's (WebTicket when the ticket was accepted)
  std::vector<RequestOutcome> signIns;  // the POSTs to the WebTicket service made for it (0, 1 or 2)
  // Tickets refused on the way: "fe03: unknown_pool_key" (node and the server's code).
  std::vector<std::string> refusals;
  // Tickets bought with the client certificate (no Windows sign-in, no DC) for it, and certificates the
  // pool refused on the way ("fe02: client_certificate_revoked"; the client then dropped its certificate).
  int certificateSignIns = 0;
  std::vector<std::string> certificateRefusals;
  bool certificateProvisioned = false;  // a certificate was bought for it (after a Windows sign-in)
};

struct WebTicketSessionOptions {
  // Sign in again when the ticket has less than this left (it could lapse in flight).
  std::chrono::seconds renewBefore{60};
  // Lync's desktop client: after a Windows sign-in, buy a client certificate from the pool's certificate
  // provisioning service (a PKCS#10 request with the web ticket) and, while it is valid, buy later tickets
  // with it (POST /WebTicket/WebTicketService.svc/Cert) instead of signing in with Kerberos or NTLM.
  bool clientCertificate = false;
  // The Lync Web App's forms sign-in: POST grant_type=password with the user's name and password (no
  // Negotiate); the node checks them with the DC itself (an NTLM pass-through), so each such sign-in is
  // counted as an NTLM logon.
  bool passwordGrant = false;
};

// Not thread-safe: one per simulated user, over the user's NegotiateHttpClient (which must outlive it).
class WebTicketSession {
 public:
  // origin: "https://pool.contoso.test:4443" (the web services the client was configured with).
  WebTicketSession(NegotiateHttpClient& http, const core::Clock& clock, std::string origin,
                   WebTicketSessionOptions options = {});

  // GET origin + path (a UCWA resource) with the web ticket, signing in first when it has none.
  WebTicketRequest get(const std::string& path);

  bool hasTicket() const { return !ticket_.empty(); }
  bool hasCertificate() const { return !certificate_.empty(); }
  core::TimePoint ticketExpires() const { return expires_; }

 private:
  // Discovery (first time only), then the POST; true when a ticket was obtained.
  bool signIn(WebTicketRequest& r);
  // The ticket from the client certificate; false (and the certificate dropped) when the pool refused it.
  bool certificateSignIn(WebTicketRequest& r);
  // After a Windows sign-in: a key, a PKCS#10 request, the certificate. Failures leave no certificate.
  void provisionCertificate(WebTicketRequest& r);
  bool takeTicket(const RequestOutcome& token);

  NegotiateHttpClient& http_;
  const core::Clock& clock_;
  std::string origin_;
  WebTicketSessionOptions options_;
  std::string oauthHref_;  // from the MsRtcOAuth challenge
  std::string userHref_;   // from the discovery root
  std::string ticket_;
  core::TimePoint expires_{};
  std::string certificateKey_;  // PEM, in memory only
  core::Bytes certificate_;     // DER
  core::TimePoint certificateExpires_{};
};

// The href of an `MsRtcOAuth href="...",grant_type="..."` challenge among `challenges`; nullopt without one.
std::optional<std::string> msRtcOAuthHref(const std::vector<std::string>& challenges);

}  // namespace kerbpool::client
