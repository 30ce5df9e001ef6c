#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/ap_req_builder.hpp"
#include "client/client_profile.hpp"
#include "client/client_trace.hpp"
#include "client/dns.hpp"
#include "client/http_connection.hpp"
#include "client/kerberos_client.hpp"
#include "core/common/clock.hpp"
#include "core/common/result.hpp"
#include "core/common/rng.hpp"

// One workstation user browsing an intranet site the way Windows does (RFC 4559, MS-SPNG, MS-NTHT): an
// anonymous GET, then on 401 a Kerberos ticket for the SPN derived from the URL; when no ticket can be had
// (SPN unknown to the KDC, no KDC reachable) NTLMSSP inside Negotiate on the same connection; when a ticket
// was sent and refused, a credential prompt. Each request ends in one RequestOutcome.
namespace kerbpool::client {

enum class OutcomeKind {
  Kerberos,   // authenticated with a Kerberos ticket
  Ntlm,       // authenticated with NTLM (fallback inside Negotiate, or the NTLM scheme)
  Prompt,     // the user would see a credential pop-up: the server refused what was sent
  Failed,     // no answer, a transport or protocol error, mutual authentication failed...
  Anonymous,  // the server answered without asking for authentication
  WebTicket,  // authenticated with a pool-signed web ticket (`Authorization: Bearer cwt=...`, Lync)
};
std::string_view toString(OutcomeKind kind);

struct RequestOutcome {
  OutcomeKind kind = OutcomeKind::Failed;
  unsigned status = 0;  // the final HTTP status, 0 without a response
  // The front-end that answered: the `X-Kerbpool-Node` header, else the body's JSON "node".
  std::string node;
  std::string user;             // the body's JSON "user", when present
  std::string serverMechanism;  // the body's JSON "mechanism" ("kerberos" / "ntlm"), when present
  std::chrono::nanoseconds latency{0};
  // Why it ended this way: "KDC_ERR_S_PRINCIPAL_UNKNOWN for HTTP/pool.contoso.test: fell back to NTLM".
  std::string reason;
  std::string spn;  // the SPN derived from the URL (empty when the URL or DNS failed first)
  std::string url;
  std::string body;                     // the final response's body (a web ticket's JSON, a 401's reason)
  std::vector<std::string> challenges;  // the final response's WWW-Authenticate values
  int legs = 0;                         // HTTP requests sent for this outcome
  std::uint64_t connectionSerial = 0;   // the connection of the final response
  // The error behind a Failed outcome or behind the fallback to NTLM (krbErrorCode works on it).
  std::optional<core::Error> error;
};

// The signed-on user. The password feeds the Kerberos logon (AS exchange, done on first need) and the NT
// hash; it is kept for the client's lifetime, as LSA keeps a logon session's secrets.
struct WorkstationUser {
  std::string user;    // "alice"
  std::string domain;  // NetBIOS domain for NTLM: "CONTOSO"
  std::string password;
  std::string workstation = "WS01";
};

struct NegotiateHttpOptions {
  std::string caFile;         // trust anchors for https URLs (empty: the system's store)
  std::string sourceAddress;  // the workstation's own address for its connections (empty: any)
  std::chrono::milliseconds connectTimeout{3000};
  std::chrono::milliseconds requestTimeout{10000};
  std::size_t headerLimit = 16 * 1024;
  std::size_t bodyLimit = 1 << 20;
  InitiatorOptions initiator;      // GSS flags (mutual by default), SPNEGO mech list
  bool requireMutualAuth = false;  // a 200 without an AP-REP fails (otherwise noted in the reason)
  bool ntlmMechListMic = true;     // NTLM in SPNEGO: send the mechListMIC, as Windows does
  std::string userAgent = "kerbpool-workstation";
  ClientTrace* trace = nullptr;  // sees DNS and every HTTP leg (the report's sequence diagram); must outlive
};

// Not thread-safe: one instance per simulated user. `dns`, `http`, `kerberos` (may be null: no Kerberos at
// all), `clock` and `rng` must outlive it.
class NegotiateHttpClient {
 public:
  NegotiateHttpClient(ClientProfile profile, WorkstationUser user, const DnsZone& dns,
                      HttpClientRuntime& http, KerberosClient* kerberos, const core::Clock& clock,
                      core::Rng& rng, NegotiateHttpOptions options = {});
  ~NegotiateHttpClient();

  // GET url. Never throws and never fails: errors end in OutcomeKind::Failed with a reason.
  RequestOutcome get(std::string_view url);
  // POST body (of contentType) to url, authenticating as get() does; every leg of a handshake carries the
  // body, as browsers resend it.
  RequestOutcome post(std::string_view url, std::string body, std::string contentType);
  // GET url with `Authorization: Bearer <token>` (a Lync web ticket) on the origin's connection, no
  // Negotiate: WebTicket on a 2xx, Prompt on a 401 (the reason names the server's refusal), Failed otherwise.
  // With a body: POST it (of contentType). With an empty token: no Authorization at all (an open POST, whose
  // 2xx is Anonymous).
  RequestOutcome bearer(std::string_view url, const std::string& token, std::string body = {},
                        std::string contentType = {});

  void closeConnections();
  const ClientProfile& profile() const { return profile_; }
  const WorkstationUser& user() const { return user_; }
  std::size_t openConnections() const;

 private:
  struct Origin {
    std::unique_ptr<HttpConnection> connection;
    std::uint64_t authenticatedSerial = 0;  // the connection the server last accepted us on (0: none)
    OutcomeKind authenticatedAs = OutcomeKind::Anonymous;
  };
  struct Attempt;  // one request's working state (negotiate_http_attempt.hpp)

  void run(Attempt& a);
  // Parses the URL, derives the SPN and finds (or opens) the origin's connection; false: a.out says why.
  bool prepare(Attempt& a);
  RequestOutcome complete(Attempt& a);
  void runKerberos(Attempt& a, InitiatorToken token);
  void runNtlm(Attempt& a, bool spnego, const std::string& why);  // negotiate_http_ntlm.cpp
  core::Result<InitiatorToken> kerberosToken(const std::string& spn, std::optional<ChannelBindings> bindings);
  // The bindings of the origin's TLS connection (tls-server-end-point), when the profile sends them.
  std::optional<ChannelBindings> channelBindingsOf(const Origin& origin) const;
  // `what`: what the Authorization header carries, for options_.trace ("" without one).
  core::Result<HttpClientResponse> send(Attempt& a, std::optional<std::string> authorization,
                                        const std::string& what = "");
  void finish(Attempt& a, OutcomeKind kind, const HttpClientResponse& response, std::string reason);

  ClientProfile profile_;
  WorkstationUser user_;
  const DnsZone& dns_;
  HttpClientRuntime& http_;
  KerberosClient* kerberos_;
  const core::Clock& clock_;
  core::Rng& rng_;
  NegotiateHttpOptions options_;
  std::map<std::string, Origin> origins_;  // by scheme, address, port and Host
};

}  // namespace kerbpool::client
