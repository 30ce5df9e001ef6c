#pragma once

#include <string>
#include <variant>

#include "core/common/bytes.hpp"
#include "core/common/clock.hpp"
#include "core/common/rng.hpp"
#include "kdc/directory.hpp"
#include "kdc/event_log.hpp"
#include "kdc/kdc_config.hpp"
#include "kdc/kdc_failure.hpp"
#include "kdc/kdc_stats.hpp"

namespace kerbpool::kdc {

// Everything an exchange needs, injected (STYLE-ANCHORS habit 4): policy, directory, event log, counters,
// clock and randomness (session keys, confounders).
struct KdcContext {
  const KdcConfig& config;
  const Directory& directory;
  EventLog& events;
  KdcStats& stats;
  const core::Clock& clock;
  core::Rng& rng;
};

// A reply to send (AS-REP / TGS-REP) or a failure to turn into a KRB-ERROR.
using ExchangeResult = std::variant<core::Bytes, KdcFailure>;

// "0x12" style hex, as Windows prints Status and TicketEncryptionType in 4768/4769.
std::string windowsHex(std::int64_t value);

// The first enctype of the request's list (the client's preference order) that this KDC issues and for which
// `holder` has a key; 0 when there is none. Used for session keys and for the AS reply key.
// System event 26 (AS) or 27 (TGS), source Microsoft-Windows-Kerberos-Key-Distribution-Center: the target
// account has no key of an etype the request allows; `detail` is the directory's wording from "the account"
// ("the account POOLKERB$ did not have a suitable key ... (the missing key has an ID of 23). The requested
// etypes were 23. ...").
void logNoSuitableKey(const KdcContext& ctx, bool tgs, const std::string& target, const std::string& client,
                      const std::string& detail);
// Events 14 (AS) / 16 (TGS): the account lacks the key of an enctype it supports (directory_error::
// kMissingKey; `detail` is the directory's wording from "the account ...").
void logMissingKey(const KdcContext& ctx, bool tgs, const std::string& target, const std::string& client,
                   const std::string& detail);

std::int32_t firstCommonEnctype(const std::vector<std::int32_t>& requested, const KdcConfig& config,
                                const Resolution& holder);

}  // namespace kerbpool::kdc
