#include "client/negotiate_http_client.hpp"

#include <utility>

#include "client/auth_challenge.hpp"
#include "client/json_field.hpp"
#include "client/kdc_error.hpp"
#include "client/negotiate_http_attempt.hpp"
#include "client/spn.hpp"
#include "core/spnego/neg_token.hpp"
#include "core/spnego/negotiate_header.hpp"

namespace kerbpool::client {

using core::ErrorCategory;
using core::makeError;
using core::spnego::AuthScheme;
using core::spnego::formatAuthHeader;

namespace {

constexpr std::string_view kNodeHeader = "X-Kerbpool-Node";

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'a' && c <= 'z') {
      c = static_cast<char>(c - 'a' + 'A');
    }
  }
  return out;
}

// "KDC_ERR_S_PRINCIPAL_UNKNOWN" for a KRB-ERROR, the error's own code otherwise.
std::string errorName(const core::Error& e) {
  return krbErrorCode(e) ? upper(e.code) : e.code;
}

std::string spnText(const SpnDerivation& d) {
  std::string s = d.spn;
  if (d.canonicalized) {
    s += " (the canonical name of " + d.urlHost + ")";
  }
  return s;
}

// Why no ticket could be had, naming the SPN: "KDC_ERR_S_PRINCIPAL_UNKNOWN for HTTP/pool.contoso.test".
std::string noTicketReason(const core::Error& e, const SpnDerivation& d) {
  if (krbErrorCode(e)) {
    return upper(e.code) + " for " + spnText(d);
  }
  if (e.code == "kdc_unreachable" || e.code == "no_kdc") {
    return "no KDC reachable for " + spnText(d) + " (" + e.detail + ")";
  }
  return "no ticket for " + spnText(d) + " (" + e.message() + ")";
}

}  // namespace

std::string_view toString(OutcomeKind kind) {
  switch (kind) {
    case OutcomeKind::Kerberos:
      return "kerberos";
    case OutcomeKind::Ntlm:
      return "ntlm";
    case OutcomeKind::Prompt:
      return "prompt";
    case OutcomeKind::Failed:
      return "failed";
    case OutcomeKind::Anonymous:
      return "anonymous";
    case OutcomeKind::WebTicket:
      return "webticket";
  }
  return "failed";
}

NegotiateHttpClient::NegotiateHttpClient(ClientProfile profile, WorkstationUser user, const DnsZone& dns,
                                         HttpClientRuntime& http, KerberosClient* kerberos,
                                         const core::Clock& clock, core::Rng& rng,
                                         NegotiateHttpOptions options)
    : profile_(std::move(profile)),
      user_(std::move(user)),
      dns_(dns),
      http_(http),
      kerberos_(kerberos),
      clock_(clock),
      rng_(rng),
      options_(std::move(options)) {}

NegotiateHttpClient::~NegotiateHttpClient() = default;

void NegotiateHttpClient::closeConnections() {
  for (auto& [key, origin] : origins_) {
    origin.connection->close();
    origin.authenticatedSerial = 0;
  }
}

std::size_t NegotiateHttpClient::openConnections() const {
  std::size_t n = 0;
  for (const auto& [key, origin] : origins_) {
    n += origin.connection->isOpen() ? 1 : 0;
  }
  return n;
}

RequestOutcome NegotiateHttpClient::get(std::string_view url) {
  Attempt a;
  a.out.url = std::string(url);
  run(a);
  return complete(a);
}

RequestOutcome NegotiateHttpClient::post(std::string_view url, std::string body, std::string contentType) {
  Attempt a;
  a.out.url = std::string(url);
  a.method = "POST";
  a.body = std::move(body);
  a.contentType = std::move(contentType);
  run(a);
  return complete(a);
}

RequestOutcome NegotiateHttpClient::bearer(std::string_view url, const std::string& token, std::string body,
                                           std::string contentType) {
  Attempt a;
  a.out.url = std::string(url);
  if (!body.empty()) {
    a.method = "POST";
    a.body = std::move(body);
    a.contentType = std::move(contentType);
  }
  if (prepare(a)) {
    auto r = token.empty() ? send(a, std::nullopt, "no authorization")
                           : send(a, "Bearer " + token, "Bearer <web ticket>");
    if (!r.ok()) {
      a.fail(a.method + " " + a.url.text() + ": " + r.error().message(), r.error());
    } else if (r->status >= 200 && r->status < 300) {
      finish(a, token.empty() ? OutcomeKind::Anonymous : OutcomeKind::WebTicket, *r,
             token.empty() ? "answered without authentication" : "the web ticket was accepted");
    } else {
      std::string why = r->body.substr(0, std::min<std::size_t>(r->body.find('\n'), 300));
      finish(a, r->status == 401 ? OutcomeKind::Prompt : OutcomeKind::Failed, *r,
             "the web ticket was refused: " + (why.empty() ? std::to_string(r->status) : why));
    }
  }
  return complete(a);
}

RequestOutcome NegotiateHttpClient::complete(Attempt& a) {
  if (!profile_.persistentConnection && a.origin != nullptr) {
    a.origin->connection->close();
    a.origin->authenticatedSerial = 0;
  }
  a.out.latency = a.watch.elapsed();
  return std::move(a.out);
}

core::Result<HttpClientResponse> NegotiateHttpClient::send(Attempt& a,
                                                           std::optional<std::string> authorization,
                                                           const std::string& what) {
  HttpClientRequest request;
  request.method = a.method;
  request.target = a.url.target;
  request.body = a.body;
  request.headers.emplace_back("User-Agent", options_.userAgent);
  if (!a.contentType.empty()) {
    request.headers.emplace_back("Content-Type", a.contentType);
  }
  if (authorization) {
    request.headers.emplace_back("Authorization", std::move(*authorization));
  }
  a.out.legs++;
  if (options_.trace != nullptr) {
    options_.trace->request(a.method + " " + a.url.target, what);
  }
  auto response = a.origin->connection->send(request);
  if (response.ok()) {
    a.out.connectionSerial = response->connectionSerial;
    if (options_.trace != nullptr) {
      std::vector<std::string> challenges;
      for (auto value : response->headerValues("WWW-Authenticate")) {
        const auto space = value.find(' ');
        challenges.push_back(space == std::string_view::npos
                                 ? std::string(value)
                                 : std::string(value.substr(0, space)) + " <token>");
      }
      options_.trace->response(response->status, std::string(response->header(kNodeHeader).value_or("")),
                               challenges);
    }
  } else if (options_.trace != nullptr) {
    options_.trace->response(0, "", {response.error().message()});
  }
  return response;
}

void NegotiateHttpClient::finish(Attempt& a, OutcomeKind kind, const HttpClientResponse& r,
                                 std::string reason) {
  a.out.kind = kind;
  a.out.status = r.status;
  a.out.connectionSerial = r.connectionSerial;
  const auto fromHeader = r.header(kNodeHeader);
  const auto fromBody = topLevelJsonString(r.body, "node");
  a.out.node = fromHeader ? std::string(*fromHeader) : fromBody.value_or("");
  if (fromHeader && fromBody && *fromHeader != *fromBody) {
    reason += "; node header " + std::string(*fromHeader) + " differs from body node " + *fromBody;
  }
  a.out.user = topLevelJsonString(r.body, "user").value_or("");
  a.out.body = r.body;
  for (auto v : r.headerValues("WWW-Authenticate")) {
    a.out.challenges.emplace_back(v);
  }
  a.out.serverMechanism = topLevelJsonString(r.body, "mechanism").value_or("");
  a.out.reason = std::move(reason);
}

bool NegotiateHttpClient::prepare(Attempt& a) {
  auto url = parseUrl(a.out.url);
  if (!url.ok()) {
    a.fail("bad URL: " + url.error().message(), url.error());
    return false;
  }
  a.url = std::move(*url);
  SpnOptions spnOptions;
  spnOptions.canonicalizeCname = profile_.canonicalizeCname;
  spnOptions.includePort = profile_.includePortInSpn;
  spnOptions.useAddress = profile_.spnFromAddress;
  auto spn = deriveSpn(a.url, dns_, spnOptions);
  if (!spn.ok()) {
    a.fail("DNS: " + spn.error().message(), spn.error());
    return false;
  }
  a.spn = std::move(*spn);
  a.out.spn = a.spn.spn;
  if (options_.trace != nullptr) {
    options_.trace->resolved(a.url.host, a.spn.dns, a.spn.spn);
  }

  const std::string key = std::string(toString(a.url.scheme)) + "|" + a.spn.dns.address + "|" +
                          std::to_string(a.url.port) + "|" + a.url.hostHeader();
  Origin& origin = origins_[key];
  if (!origin.connection) {
    HttpConnectionOptions co;
    co.address = a.spn.dns.address;
    co.port = a.url.port;
    co.sourceAddress = options_.sourceAddress;
    co.hostHeader = a.url.hostHeader();
    if (a.url.scheme == UrlScheme::Https) {
      // The certificate is checked against the name in the URL, not the CNAME target (RFC 9110 4.3.4).
      co.tls = HttpTlsOptions{a.url.host, options_.caFile, true};
    }
    co.connectTimeout = options_.connectTimeout;
    co.requestTimeout = options_.requestTimeout;
    co.headerLimit = options_.headerLimit;
    co.bodyLimit = options_.bodyLimit;
    origin.connection = std::make_unique<HttpConnection>(http_, std::move(co));
  }
  a.origin = &origin;
  return true;
}

void NegotiateHttpClient::run(Attempt& a) {
  if (!prepare(a)) {
    return;
  }
  Origin& origin = *a.origin;
  auto first = send(a, std::nullopt);
  if (!first.ok()) {
    a.fail(a.method + " " + a.url.text() + ": " + first.error().message(), first.error());
    return;
  }
  if (first->status != 401) {
    if (origin.authenticatedSerial != 0 && origin.authenticatedSerial == first->connectionSerial) {
      finish(
          a, origin.authenticatedAs, *first,
          "the connection is already authenticated (" + std::string(toString(origin.authenticatedAs)) + ")");
    } else {
      finish(a, OutcomeKind::Anonymous, *first, "the server asked for no authentication");
    }
    return;
  }
  origin.authenticatedSerial = 0;

  const ServerChallenges offered = parseChallenges(first->headerValues("WWW-Authenticate"));
  if (!offered.any()) {
    const bool other = !offered.otherSchemes.empty();
    finish(a, other ? OutcomeKind::Prompt : OutcomeKind::Failed, *first,
           other ? "the server offers no Negotiate or NTLM (offers " + offered.describe() +
                       "): credential prompt"
                 : "401 without a Negotiate or NTLM challenge");
    return;
  }

  std::string why;
  if (profile_.tryKerberos && offered.negotiate) {
    auto token = kerberosToken(a.spn.spn, channelBindingsOf(*a.origin));
    if (token.ok()) {
      runKerberos(a, std::move(*token));
      return;
    }
    why = noTicketReason(token.error(), a.spn);
    a.out.error = token.error();
  } else if (!profile_.tryKerberos) {
    why = "profile " + profile_.name + " does not use Kerberos";
  } else {
    why = "the server offers no Negotiate (offers " + offered.describe() + ")";
  }

  if (!profile_.ntlmAllowed) {
    a.out.status = first->status;
    a.fail(why + "; profile " + profile_.name + " does not allow NTLM");
    return;
  }
  if (profile_.ntlmCarrier == NtlmCarrier::Negotiate && offered.negotiate) {
    runNtlm(a, true, why);
  } else if (offered.ntlm) {
    runNtlm(a, false, why);
  } else {
    a.out.status = first->status;
    a.fail(why + "; the server offers " + offered.describe() + " and profile " + profile_.name +
           " speaks NTLM only with the NTLM scheme");
  }
}

std::optional<ChannelBindings> NegotiateHttpClient::channelBindingsOf(const Origin& origin) const {
  if (!profile_.channelBindings || !origin.connection || origin.connection->tlsServerEndPoint().empty()) {
    return std::nullopt;
  }
  const auto& hash = origin.connection->tlsServerEndPoint();
  return core::acceptor::tlsServerEndPointBindings(core::BytesView(hash.data(), hash.size()));
}

core::Result<InitiatorToken> NegotiateHttpClient::kerberosToken(const std::string& spn,
                                                                std::optional<ChannelBindings> bindings) {
  InitiatorOptions initiator = options_.initiator;
  if (bindings) {
    initiator.channelBindings = std::move(bindings);
  }
  if (kerberos_ == nullptr) {
    return makeError(ErrorCategory::Io, "kdc_unreachable", "this workstation has no Kerberos client");
  }
  if (!profile_.kdcReachable) {
    return makeError(ErrorCategory::Io, "kdc_unreachable", "profile " + profile_.name + " reaches no KDC");
  }
  auto token = kerberos_->initiateContext(spn, initiator);
  if (!token.ok() && token.error().code == "no_tgt") {
    auto logon = kerberos_->getTgt(user_.user, user_.password);
    if (!logon.ok()) {
      core::Error e = std::move(logon).error();
      e.within("logon of " + user_.user);
      return e;
    }
    token = kerberos_->initiateContext(spn, initiator);
  }
  return token;
}

void NegotiateHttpClient::runKerberos(Attempt& a, InitiatorToken token) {
  auto r = send(a, formatAuthHeader(AuthScheme::Negotiate, core::BytesView(token.token)),
                "Negotiate: SPNEGO NegTokenInit with a Kerberos AP-REQ for " + a.spn.spn);
  if (!r.ok()) {
    a.fail("sending the Kerberos ticket for " + a.spn.spn + ": " + r.error().message(), r.error());
    return;
  }
  const ServerChallenges answer = parseChallenges(r->headerValues("WWW-Authenticate"));
  if (r->status == 401) {
    std::string why = "the server refused the Kerberos ticket for " + spnText(a.spn);
    if (answer.negotiateToken) {
      // A NegTokenResp { reject, KRB-ERROR token }: name the acceptor's complaint (KRB_AP_ERR_MODIFIED...).
      core::Bytes inner = *answer.negotiateToken;
      if (auto resp = core::spnego::decodeNegTokenResp(inner); resp.ok() && resp->responseToken) {
        inner = *resp->responseToken;
      }
      auto said = verifyAcceptorToken(token.context, inner);
      if (!said.ok()) {
        why += ": " + errorName(said.error());
        a.out.error = said.error();
      }
    }
    const bool prompt = profile_.promptOnKerberosFailure;
    finish(a, prompt ? OutcomeKind::Prompt : OutcomeKind::Failed, *r,
           why + (prompt ? ": credential prompt" : ": no prompt (profile " + profile_.name + ")"));
    return;
  }
  std::string note;
  if (answer.negotiateToken) {
    auto mutual = verifyAcceptorToken(token.context, *answer.negotiateToken);
    if (!mutual.ok()) {
      finish(a, OutcomeKind::Failed, *r, "mutual authentication failed: " + mutual.error().message());
      a.out.error = mutual.error();
      return;
    }
    note = "mutual authentication verified";
  } else if (token.context.mutual && options_.requireMutualAuth) {
    finish(a, OutcomeKind::Failed, *r, "mutual authentication failed: the response carries no AP-REP");
    return;
  } else {
    note = "no mutual-authentication token";
  }
  if (r->status != 200) {
    note += "; HTTP " + std::to_string(r->status);
  }
  finish(a, OutcomeKind::Kerberos, *r, "Kerberos ticket for " + spnText(a.spn) + " accepted; " + note);
  a.origin->authenticatedSerial = r->connectionSerial;
  a.origin->authenticatedAs = OutcomeKind::Kerberos;
}

}  // namespace kerbpool::client
