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
};

struct WebTicketSessionOptions {
  // Sign in again when the ticket has less than this left (it could lapse in flight).
  std::chrono::seconds renewBefore{60};
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
  core::TimePoint ticketExpires() const { return expires_; }

 private:
  // Discovery (first time only), then the POST; true when a ticket was obtained.
  bool signIn(WebTicketRequest& r);

  NegotiateHttpClient& http_;
  const core::Clock& clock_;
  std::string origin_;
  WebTicketSessionOptions options_;
  std::string oauthHref_;  // from the MsRtcOAuth challenge
  std::string userHref_;   // from the discovery root
  std::string ticket_;
  core::TimePoint expires_{};
};

// The href of an `MsRtcOAuth href="...",grant_type="..."` challenge among `challenges`; nullopt without one.
std::optional<std::string> msRtcOAuthHref(const std::vector<std::string>& challenges);

}  // namespace kerbpool::client
