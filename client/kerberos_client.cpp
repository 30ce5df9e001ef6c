#include "client/kerberos_client.hpp"

#include "client/kdc_error.hpp"

namespace kerbpool::client {

KerberosClient::KerberosClient(KdcTransport& transport, const core::Clock& clock, core::Rng& rng,
                               KerberosClientConfig config)
    : transport_(transport),
      corrected_(clock, core::Micros(0)),
      rng_(rng),
      config_(std::move(config)),
      cache_(corrected_, config_.cache) {}

KerberosClientStats KerberosClient::stats() const {
  return KerberosClientStats{asExchanges_.load(), tgsExchanges_.load(), renewals_.load(), kdcErrors_.load()};
}

core::Result<core::Bytes> KerberosClient::send(core::BytesView request) {
  return transport_.exchange(request);
}

core::Result<AsResult> KerberosClient::getTgt(std::string_view user, std::string_view password) {
  KP_TRY(Principal client, parseUserPrincipal(user, config_.realm));
  ++asExchanges_;
  // The exchange starts from the local clock; it learns the offset itself when the KDC complains.
  const core::Micros known = corrected_.offset();
  AsExchange exchange(client, password, corrected_, rng_, config_.as);
  KP_TRY(core::Bytes request, exchange.firstRequest());
  for (;;) {
    KP_TRY(core::Bytes reply, send(request));
    auto step = exchange.handleReply(reply);
    if (!step.ok()) {
      if (krbErrorCode(step.error())) {
        ++kdcErrors_;
      }
      return std::move(step).error();
    }
    if (step->result) {
      AsResult result = std::move(*step->result);
      result.clockOffset += known;
      corrected_.setOffset(result.clockOffset);
      cache_.clear();  // a new logon: tickets of an earlier one are not this TGT's
      cache_.storeTgt(result.credential);
      return result;
    }
    request = std::move(*step->nextRequest);
  }
}

core::Result<Credential> KerberosClient::tgsExchange(const TgsRequest& request, const Credential& tgt) {
  ++tgsExchanges_;
  KP_TRY(core::Bytes reply, send(request.bytes));
  auto cred = processTgsReply(request, tgt, reply);
  if (!cred.ok() && krbErrorCode(cred.error())) {
    ++kdcErrors_;
  }
  return cred;
}

core::Result<Credential> KerberosClient::renewTgt() {
  std::lock_guard lock(renewMu_);
  auto entry = cache_.tgt();
  if (!entry) {
    return core::makeError(core::ErrorCategory::NotFound, "no_tgt", "no usable TGT to renew in the cache");
  }
  KP_TRY(TgsRequest request, buildRenewalRequest(entry->credential, corrected_, rng_, config_.tgs));
  KP_TRY(Credential renewed, tgsExchange(request, entry->credential));
  ++renewals_;
  cache_.storeTgt(renewed);
  return renewed;
}

core::Result<Credential> KerberosClient::currentTgt() {
  auto entry = cache_.tgt();
  if (!entry) {
    return core::makeError(core::ErrorCategory::NotFound, "no_tgt",
                           "no usable TGT in the cache (log on with getTgt first)");
  }
  if (entry->needsRenewal) {
    auto renewed = renewTgt();
    if (renewed.ok()) {
      return renewed;
    }
    // Renewal failed but the TGT is still valid: keep using it until it expires.
  }
  return entry->credential;
}

core::Result<Credential> KerberosClient::getServiceTicket(std::string_view spn) {
  KP_TRY(Principal server, parseServicePrincipal(spn, config_.realm));
  if (auto cached = cache_.find(server); cached && !cached->needsRenewal) {
    return cached->credential;
  }
  KP_TRY(Credential tgt, currentTgt());
  KP_TRY(TgsRequest request, buildTgsRequest(tgt, server, corrected_, rng_, config_.tgs));
  KP_TRY(Credential ticket, tgsExchange(request, tgt));
  cache_.store(ticket);
  return ticket;
}

core::Result<InitiatorToken> KerberosClient::initiateContext(std::string_view spn,
                                                             const InitiatorOptions& options) {
  KP_TRY(Credential ticket, getServiceTicket(spn));
  return buildInitiatorToken(ticket, corrected_, rng_, options);
}

core::Result<MutualAuthResult> KerberosClient::verifyAcceptorToken(const InitiatorContext& context,
                                                                   core::BytesView token) const {
  return client::verifyAcceptorToken(context, token);
}

}  // namespace kerbpool::client
