#pragma once

#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "client/ap_req_builder.hpp"
#include "client/as_exchange.hpp"
#include "client/credential.hpp"
#include "client/credential_cache.hpp"
#include "client/kdc_transport.hpp"
#include "client/tgs_exchange.hpp"
#include "core/common/clock.hpp"
#include "core/common/result.hpp"
#include "core/common/rng.hpp"

// One workstation user's Kerberos client: logon (AS), service tickets (TGS) through the ccache, and the
// SPNEGO token for HTTP Negotiate. KRB-ERRORs come back as typed errors (kdc_error.hpp: krbErrorCode),
// so a caller can decide to fall back to NTLM (S_PRINCIPAL_UNKNOWN, an unreachable KDC...).
namespace kerbpool::client {

struct KerberosClientConfig {
  std::string realm;  // the default realm for user and service names without one
  AsRequestOptions as;
  TgsRequestOptions tgs;
  CredentialCacheOptions cache;
};

struct KerberosClientStats {
  std::uint64_t asExchanges = 0;
  std::uint64_t tgsExchanges = 0;
  std::uint64_t renewals = 0;
  std::uint64_t kdcErrors = 0;  // KRB-ERROR replies that ended an exchange
};

class KerberosClient {
 public:
  // transport, clock and rng must outlive the client.
  KerberosClient(KdcTransport& transport, const core::Clock& clock, core::Rng& rng,
                 KerberosClientConfig config);

  // AS exchange for `user` ("alice" or "alice@REALM"); the TGT goes to the cache, the clock offset learned
  // from KRB_AP_ERR_SKEW is kept for every later timestamp.
  core::Result<AsResult> getTgt(std::string_view user, std::string_view password);
  // A service ticket from the cache or a TGS exchange with the cached TGT (renewed first when it is due).
  // Errors: NotFound no_tgt, KRB-ERROR codes (kdc_err_s_principal_unknown...), transport Io errors.
  core::Result<Credential> getServiceTicket(std::string_view spn);
  // Renews the cached TGT now (TGS-REQ with the renew option).
  core::Result<Credential> renewTgt();
  // The first Negotiate token for `spn` and the state to verify the acceptor's AP-REP with.
  core::Result<InitiatorToken> initiateContext(std::string_view spn, const InitiatorOptions& options = {});
  // verifyAcceptorToken with this client's context (for symmetry with initiateContext).
  core::Result<MutualAuthResult> verifyAcceptorToken(const InitiatorContext& context,
                                                     core::BytesView token) const;

  // KDC time minus local time (0 until a KRB_AP_ERR_SKEW taught otherwise).
  core::Micros clockOffset() const { return corrected_.offset(); }
  // The local clock corrected by clockOffset(): the time every request and ccache check uses.
  const core::Clock& kdcClock() const { return corrected_; }
  CredentialCache& cache() { return cache_; }
  KerberosClientStats stats() const;
  const std::string& realm() const { return config_.realm; }

 private:
  core::Result<Credential> tgsExchange(const TgsRequest& request, const Credential& tgt);
  core::Result<Credential> currentTgt();
  core::Result<core::Bytes> send(core::BytesView request);

  KdcTransport& transport_;
  core::OffsetClock corrected_;
  core::Rng& rng_;
  KerberosClientConfig config_;
  CredentialCache cache_;
  std::mutex renewMu_;  // one renewal at a time
  std::atomic<std::uint64_t> asExchanges_{0};
  std::atomic<std::uint64_t> tgsExchanges_{0};
  std::atomic<std::uint64_t> renewals_{0};
  std::atomic<std::uint64_t> kdcErrors_{0};
};

}  // namespace kerbpool::client
