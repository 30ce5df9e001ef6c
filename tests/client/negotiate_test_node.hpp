#pragma once

// A stand-in front-end for the workstation's tests: an HttpHandler that authenticates with core/acceptor
// (Kerberos, SPNEGO) and core/ntlm (the CHALLENGE, and validateNtlmv2 standing in for the DC's Netlogon),
// (header-only: the client suite builds *_test.cpp files only) answering as the real front-end is expected
// to: 401 + `WWW-Authenticate: Negotiate` (+ `NTLM`), 200 with
// {"node","user","groups","mechanism"} and `X-Kerbpool-Node`, the mutual-auth token on the 200.
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <variant>
#include "core/acceptor/acceptor_keys.hpp"
#include "core/acceptor/negotiate_acceptor.hpp"
#include "core/acceptor/replay_cache.hpp"
#include "core/common/clock.hpp"
#include "core/crypto/crypto_rng.hpp"
#include "core/ntlm/ntlm_challenge.hpp"
#include "net/http_message.hpp"
#include "kdc/directory.hpp"

#include "core/common/base64.hpp"
#include "core/ntlm/ntlm_session.hpp"
#include "core/ntlm/ntlmv2.hpp"
#include "core/spnego/neg_token.hpp"
#include "core/spnego/negotiate_header.hpp"
#include "core/spnego/oids.hpp"

namespace kerbpool::test {

struct NodeLeg {
  std::uint64_t connection = 0;
  std::string authorization;  // as received, "" for none
  unsigned status = 0;
};

class NegotiateTestNode : public net::HttpHandler {
 public:
  explicit NegotiateTestNode(std::string name);

  // The node's keys: what the directory gave this computer account (its own and the site's shared account).
  void useKeysOf(const kdc::Directory& directory, const std::string& node);
  void useKeys(core::acceptor::AcceptorKeys keys);
  // The DC's NT hash for an NTLM user.
  void addNtlmUser(const std::string& user, std::string_view password);

  // Knobs a test flips between requests (the server thread reads them).
  std::atomic<bool> ntlmEnabled{true};
  std::atomic<bool> persistAuth{true};   // a connection stays authenticated (IIS authPersistNonNTLM, NTLM)
  std::atomic<bool> tamperApRep{false};  // corrupt the mutual-authentication token
  std::atomic<bool> omitApRep{false};    // leave it out

  net::HttpResponse handle(const net::HttpRequest& request,
                                net::ConnectionContext& connection) override;

  // The JSON "node" differs from the X-Kerbpool-Node header (a proxy rewrote one of them).
  void setBodyNode(std::string name) {
    std::lock_guard lock(mu_);
    bodyNode_ = std::move(name);
  }

  std::vector<NodeLeg> legs();
  std::vector<std::string> refusals();  // acceptor error codes of refused tokens
  int clientMicsVerified();             // NTLM-in-SPNEGO mechListMICs from the client that verified

 private:
  struct ConnState;
  net::HttpResponse challenge() const;
  net::HttpResponse accepted(ConnState& st, const std::string& user, const std::string& mechanism,
                                  const std::optional<core::Bytes>& token);
  net::HttpResponse negotiate(ConnState& st, std::string_view authorization);
  net::HttpResponse finishNtlm(ConnState& st, std::string_view authorization);

  std::string name_;
  core::SystemClock clock_;
  core::crypto::CryptoRng rng_;
  core::acceptor::ReplayCache replay_{clock_};
  std::mutex mu_;
  std::shared_ptr<const core::acceptor::AcceptorKeys> keys_;
  std::map<std::string, core::Bytes> ntHashes_;  // lower-case user -> NT hash
  std::string bodyNode_;
  std::vector<NodeLeg> legs_;
  std::vector<std::string> refusals_;
  int micsVerified_ = 0;
};

using core::Bytes;
namespace acceptor = core::acceptor;
namespace ntlm = core::ntlm;
namespace spnego = core::spnego;

struct NegotiateTestNode::ConnState {
  std::optional<ntlm::PendingChallenge> ntlm;
  bool ntlmSpnego = false;
  spnego::AuthScheme ntlmScheme = spnego::AuthScheme::Negotiate;
  Bytes mechTypesDer;
  std::string user;  // non-empty: the connection is authenticated
  std::string mechanism;
};

inline NegotiateTestNode::NegotiateTestNode(std::string name) : name_(std::move(name)) {}

inline void NegotiateTestNode::useKeysOf(const kdc::Directory& directory, const std::string& node) {
  auto held = directory.keysHeldBy(node);
  REQUIRE(held.ok());
  acceptor::AcceptorKeys keys;
  for (const auto& k : *held) {
    keys.add(acceptor::AcceptorKey{k.principalNames, directory.realm(), k.kvno, k.key});
  }
  useKeys(std::move(keys));
}

inline void NegotiateTestNode::useKeys(acceptor::AcceptorKeys keys) {
  std::lock_guard lock(mu_);
  keys_ = std::make_shared<const acceptor::AcceptorKeys>(std::move(keys));
}

inline void NegotiateTestNode::addNtlmUser(const std::string& user, std::string_view password) {
  auto hash = ntlm::ntHash(password);
  REQUIRE(hash.ok());
  std::string key = user;
  for (auto& c : key) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  std::lock_guard lock(mu_);
  ntHashes_[key] = *hash;
}

inline std::vector<NodeLeg> NegotiateTestNode::legs() {
  std::lock_guard lock(mu_);
  return legs_;
}

inline std::vector<std::string> NegotiateTestNode::refusals() {
  std::lock_guard lock(mu_);
  return refusals_;
}

inline int NegotiateTestNode::clientMicsVerified() {
  std::lock_guard lock(mu_);
  return micsVerified_;
}

inline net::HttpResponse NegotiateTestNode::challenge() const {
  net::HttpResponse r;
  r.status = 401;
  r.add("WWW-Authenticate", "Negotiate");
  if (ntlmEnabled) {
    r.add("WWW-Authenticate", "NTLM");
  }
  r.add("X-Kerbpool-Node", name_);
  return r;
}

inline net::HttpResponse NegotiateTestNode::accepted(ConnState& st, const std::string& user,
                                                          const std::string& mechanism,
                                                          const std::optional<Bytes>& token) {
  if (persistAuth) {
    st.user = user;
    st.mechanism = mechanism;
  }
  net::HttpResponse r;
  r.add("Content-Type", "application/json");
  r.add("X-Kerbpool-Node", name_);
  if (token) {
    r.add("WWW-Authenticate",
          spnego::formatAuthHeader(spnego::AuthScheme::Negotiate, core::BytesView(*token)));
  }
  std::string jsonUser;
  for (char c : user) {
    if (c == '\\' || c == '"') {
      jsonUser.push_back('\\');
    }
    jsonUser.push_back(c);
  }
  std::string bodyNode;
  {
    std::lock_guard lock(mu_);
    bodyNode = bodyNode_.empty() ? name_ : bodyNode_;
  }
  r.body = R"({"node":")" + bodyNode + R"(","user":")" + jsonUser +
           R"(","groups":["Domain Users"],"mechanism":")" + mechanism + R"("})";
  return r;
}

inline net::HttpResponse NegotiateTestNode::handle(const net::HttpRequest& request,
                                                        net::ConnectionContext& connection) {
  if (!connection.authState) {
    connection.authState = std::make_shared<ConnState>();
  }
  auto& st = *std::static_pointer_cast<ConnState>(connection.authState);
  const std::string authorization(request.header("Authorization").value_or(""));
  net::HttpResponse r;
  if (request.target == "/public") {
    r.body = R"({"node":")" + name_ + R"("})";
  } else if (authorization.empty()) {
    r = st.user.empty() ? challenge() : accepted(st, st.user, st.mechanism, std::nullopt);
  } else if (st.ntlm) {
    r = finishNtlm(st, authorization);
  } else {
    r = negotiate(st, authorization);
  }
  std::lock_guard lock(mu_);
  legs_.push_back(NodeLeg{connection.id, authorization, r.status});
  return r;
}

inline net::HttpResponse NegotiateTestNode::negotiate(ConnState& st, std::string_view authorization) {
  std::shared_ptr<const acceptor::AcceptorKeys> keys;
  {
    std::lock_guard lock(mu_);
    keys = keys_;
  }
  auto outcome = acceptor::acceptNegotiateHeader(authorization, *keys, replay_, clock_, rng_);
  if (auto* ok = std::get_if<acceptor::NegotiateAccepted>(&outcome)) {
    std::optional<Bytes> token = ok->responseToken;
    if (omitApRep) {
      token.reset();
    }
    if (tamperApRep && token) {
      token->back() ^= 0x01;
    }
    return accepted(st, ok->context.clientPrincipal, "kerberos", token);
  }
  if (auto* no = std::get_if<acceptor::NegotiateRejected>(&outcome)) {
    {
      std::lock_guard lock(mu_);
      refusals_.push_back(no->error.code);
    }
    net::HttpResponse r = challenge();
    if (no->responseToken) {
      r.headers[0].second =
          spnego::formatAuthHeader(spnego::AuthScheme::Negotiate, core::BytesView(*no->responseToken));
    }
    return r;
  }
  auto* hand = std::get_if<acceptor::NegotiateNtlm>(&outcome);
  if (hand == nullptr || !ntlmEnabled || hand->ntlmMessage.empty()) {
    return challenge();
  }
  ntlm::ChallengeOptions names;
  names.nbDomainName = "CONTOSO";
  names.nbComputerName = "FE01";
  names.dnsDomainName = "contoso.test";
  names.dnsComputerName = "fe01.contoso.test";
  auto pending = ntlm::buildChallenge(hand->ntlmMessage, names, rng_, clock_);
  REQUIRE(pending.ok());
  st.ntlm = *pending;
  st.ntlmSpnego = hand->wrappedInSpnego;
  st.ntlmScheme = hand->scheme;
  st.mechTypesDer = hand->mechTypesDer;
  Bytes token = pending->challenge;
  if (st.ntlmSpnego) {
    spnego::NegTokenResp resp;
    resp.negState = spnego::NegState::AcceptIncomplete;
    const auto oid = spnego::ntlmsspOid();
    resp.supportedMech = Bytes(oid.begin(), oid.end());
    resp.responseToken = pending->challenge;
    token = spnego::encodeNegTokenResp(resp);
  }
  net::HttpResponse r;
  r.status = 401;
  r.add("WWW-Authenticate", spnego::formatAuthHeader(st.ntlmScheme, core::BytesView(token)));
  r.add("X-Kerbpool-Node", name_);
  return r;
}

inline net::HttpResponse NegotiateTestNode::finishNtlm(ConnState& st, std::string_view authorization) {
  const ntlm::PendingChallenge pending = *st.ntlm;
  st.ntlm.reset();
  auto header = spnego::parseAuthorization(authorization);
  if (!header.ok()) {
    return challenge();
  }
  Bytes authenticate = *header->token;
  std::optional<Bytes> clientMic;
  if (st.ntlmSpnego) {
    auto resp = spnego::decodeNegTokenResp(authenticate);
    if (!resp.ok() || !resp->responseToken) {
      return challenge();
    }
    authenticate = *resp->responseToken;
    clientMic = resp->mechListMic;
  }
  auto request = ntlm::readAuthenticate(authenticate);
  if (!request.ok()) {
    return challenge();
  }
  std::string user = request->message.userName;
  for (auto& c : user) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  Bytes hash;
  {
    std::lock_guard lock(mu_);
    auto it = ntHashes_.find(user);
    if (it == ntHashes_.end()) {
      refusals_.push_back("ntlm_unknown_user");
      return challenge();
    }
    hash = it->second;
  }
  // The DC's part (Netlogon pass-through): the front-end never sees the password or the hash.
  auto sessionBaseKey = ntlm::validateNtlmv2(hash, request->message.userName, request->message.domainName,
                                             pending.serverChallenge, request->message.ntChallengeResponse);
  if (!sessionBaseKey.ok()) {
    std::lock_guard lock(mu_);
    refusals_.push_back(sessionBaseKey.error().code);
    return challenge();
  }
  auto context = ntlm::completeAuthenticate(pending, authenticate, *sessionBaseKey);
  if (!context.ok()) {
    std::lock_guard lock(mu_);
    refusals_.push_back(context.error().code);
    return challenge();
  }
  std::optional<Bytes> token;
  if (st.ntlmSpnego) {
    auto session = ntlm::NtlmSession::create(context->exportedSessionKey, context->negotiateFlags,
                                             ntlm::NtlmSession::Role::Server);
    REQUIRE(session.ok());
    if (clientMic) {
      if (!session->verify(st.mechTypesDer, *clientMic).ok()) {
        std::lock_guard lock(mu_);
        refusals_.push_back("bad_client_mech_list_mic");
        return challenge();
      }
      std::lock_guard lock(mu_);
      ++micsVerified_;
    }
    spnego::NegTokenResp resp;
    resp.negState = spnego::NegState::AcceptCompleted;
    auto mic = session->sign(st.mechTypesDer);
    REQUIRE(mic.ok());
    resp.mechListMic = *mic;
    token = spnego::encodeNegTokenResp(resp);
  }
  return accepted(st, context->domain + "\\" + context->user, "ntlm", token);
}

}  // namespace kerbpool::test
