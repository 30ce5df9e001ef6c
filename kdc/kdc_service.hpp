#pragma once

#include <optional>

#include "core/common/clock.hpp"
#include "core/common/log.hpp"
#include "core/common/rng.hpp"
#include "kdc/directory.hpp"
#include "kdc/event_log.hpp"
#include "kdc/kdc_config.hpp"
#include "kdc/kdc_failure.hpp"
#include "kdc/kdc_server.hpp"
#include "kdc/kdc_stats.hpp"

namespace kerbpool::kdc {

// The KDC behind the sockets (after MIT's dispatch.c): sniff AS-REQ or TGS-REQ, decode, run the exchange,
// turn any failure into a KRB-ERROR (here and nowhere else), and replace a UDP reply that is too big with
// KRB_ERR_RESPONSE_TOO_BIG so the client retries over TCP. Bytes that are not a Kerberos message at all are
// dropped; other Kerberos messages get KRB_AP_ERR_MSG_TYPE. Thread-safe.
class KdcService final : public KdcDispatcher {
 public:
  KdcService(KdcConfig config, const Directory& directory, EventLog& events, const core::Clock& clock,
             core::Rng& rng);

  std::optional<core::Bytes> dispatch(core::BytesView request, const RequestContext& ctx) override;
  core::Bytes fieldTooLong() override;

  const KdcStats& stats() const { return stats_; }
  const KdcConfig& config() const { return config_; }

 private:
  // `noisy`: a malformed request or a wrong message type, logged through noise_ (a flood of junk datagrams
  // must not flood the log).
  core::Bytes errorReply(const KdcFailure& failure, const std::string& kind, const RequestContext& ctx,
                         bool noisy = false);

  KdcConfig config_;
  const Directory& directory_;
  EventLog& events_;
  const core::Clock& clock_;
  core::LogRateLimiter noise_{10, 10'000'000};  // 10 lines per 10 s
  core::Rng& rng_;
  KdcStats stats_;
};

}  // namespace kerbpool::kdc
