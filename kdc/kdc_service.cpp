#include "kdc/kdc_service.hpp"

#include <algorithm>
#include <charconv>

#include "core/common/log.hpp"
#include "core/iana/etype.hpp"
#include "core/iana/msg_type.hpp"
#include "core/messages/codec.hpp"
#include "core/messages/kdc_req.hpp"
#include "kdc/as_exchange.hpp"
#include "kdc/kdc_context.hpp"
#include "kdc/tgs_exchange.hpp"

namespace kerbpool::kdc {

namespace iana = core::iana;
namespace messages = core::messages;

std::string windowsHex(std::int64_t value) {
  // std::to_chars, not snprintf: this runs for every event the KDC logs (snprintf cost ~700 instructions).
  char buf[2 + 8] = {'0', 'x'};
  const auto end = std::to_chars(buf + 2, buf + sizeof buf, static_cast<std::uint32_t>(value), 16).ptr;
  return std::string(buf, end);
}

namespace {

// Events 14/16/26/27 share their opening; the directory's detail carries the rest of AD's wording.
void logKeyEvent(const KdcContext& ctx, int id, bool tgs, const std::string& target,
                 const std::string& client, const std::string& detail) {
  ctx.events.append(id, event_source::kKdc2008,
                    {{"TargetName", target}, {"ClientName", client}, {"Detail", detail}},
                    std::string("While processing ") + (tgs ? "a TGS" : "an AS") +
                        " request for the target " + (tgs ? "server " : "") + target + ", " + detail);
}

}  // namespace

void logNoSuitableKey(const KdcContext& ctx, bool tgs, const std::string& target, const std::string& client,
                      const std::string& detail) {
  logKeyEvent(ctx, tgs ? event_id::kNoSuitableKeyTgs : event_id::kNoSuitableKeyAs, tgs, target, client,
              detail);
}

void logMissingKey(const KdcContext& ctx, bool tgs, const std::string& target, const std::string& client,
                   const std::string& detail) {
  logKeyEvent(ctx, tgs ? event_id::kMissingKeyTgs : event_id::kMissingKeyAs, tgs, target, client, detail);
}

std::int32_t firstCommonEnctype(const std::vector<std::int32_t>& requested, const KdcConfig& config,
                                const Resolution& holder) {
  for (std::int32_t e : requested) {
    // An account whose mask carries the AES-session-key bit (DDSET 0x27) gets AES session keys with its
    // RC4 tickets when the client asks for them.
    const bool aes = e == static_cast<std::int32_t>(core::iana::EType::Aes256CtsHmacSha196) ||
                     e == static_cast<std::int32_t>(core::iana::EType::Aes128CtsHmacSha196);
    if (std::find(config.enctypes.begin(), config.enctypes.end(), e) != config.enctypes.end() &&
        (holder.keyFor(e) != nullptr || (aes && holder.aesSessionKeys))) {
      return e;
    }
  }
  return 0;
}

KdcService::KdcService(KdcConfig config, const Directory& directory, EventLog& events,
                       const core::Clock& clock, core::Rng& rng)
    : config_(std::move(config)), directory_(directory), events_(events), clock_(clock), rng_(rng) {}

core::Bytes KdcService::errorReply(const KdcFailure& failure, const std::string& kind,
                                   const RequestContext& ctx, bool noisy) {
  const std::string name(iana::rfcName(failure.code));
  stats_.countError(name);
  std::uint64_t suppressed = 0;
  if (noisy && !noise_.allow(clock_.now().time_since_epoch().count(), suppressed)) {
    core::logDebug("kdc", kind + " from " + ctx.peer + " -> " + name + ": " + failure.status);
  } else if (failure.code != iana::ErrorCode::KDC_ERR_PREAUTH_REQUIRED) {
    core::logInfo("kdc", kind + " from " + ctx.peer + " -> " + name + ": " + failure.status +
                             (suppressed == 0 ? std::string()
                                              : " (" + std::to_string(suppressed) +
                                                    " more malformed requests were not logged)"));
  }
  return buildKrbError(failure, config_.realm, clock_.now());
}

std::optional<core::Bytes> KdcService::dispatch(core::BytesView request, const RequestContext& ctx) {
  const KdcContext kctx{config_, directory_, events_, stats_, clock_, rng_};
  const auto type = messages::peekMsgType(request);
  std::string kind;
  bool malformed = false;
  ExchangeResult result = core::Bytes{};
  if (type == iana::MsgType::KRB_AS_REQ) {
    kind = "AS-REQ";
    stats_.countRequest(kind);
    auto req = messages::decode<messages::AsReq>(request);
    if (!req.ok()) {
      stats_.countRequest("malformed");
      malformed = true;
      result = makeFailure(iana::ErrorCode::KRB_ERR_GENERIC, "malformed AS-REQ: " + req.error().detail);
    } else {
      result = processAsReq(*req, kctx, ctx.peer);
    }
  } else if (type == iana::MsgType::KRB_TGS_REQ) {
    kind = "TGS-REQ";
    stats_.countRequest(kind);
    auto req = messages::decode<messages::TgsReq>(request);
    if (!req.ok()) {
      stats_.countRequest("malformed");
      malformed = true;
      result = makeFailure(iana::ErrorCode::KRB_ERR_GENERIC, "malformed TGS-REQ: " + req.error().detail);
    } else {
      result = processTgsReq(*req, kctx, ctx.peer);
    }
  } else if (type) {
    kind = "other";
    stats_.countRequest("wrong message type");
    malformed = true;
    result = makeFailure(iana::ErrorCode::KRB_AP_ERR_MSG_TYPE, "a KDC only answers AS-REQ and TGS-REQ");
  } else {
    stats_.countRequest("dropped");
    core::logDebug("kdc", "dropped " + std::to_string(request.size()) + " octets from " + ctx.peer +
                              ": not a Kerberos message");
    return std::nullopt;
  }

  core::Bytes reply;
  if (auto* failure = std::get_if<KdcFailure>(&result)) {
    reply = errorReply(*failure, kind, ctx, malformed);
  } else {
    reply = std::move(std::get<core::Bytes>(result));
  }
  if (ctx.transport == Transport::Udp && reply.size() > config_.maxUdpReply) {
    return errorReply(
        makeFailure(iana::ErrorCode::KRB_ERR_RESPONSE_TOO_BIG,
                    "reply of " + std::to_string(reply.size()) + " octets exceeds the UDP limit of " +
                        std::to_string(config_.maxUdpReply) + ": the client should use TCP"),
        kind, ctx);
  }
  return reply;
}

core::Bytes KdcService::fieldTooLong() {
  stats_.countError(std::string(iana::rfcName(iana::ErrorCode::KRB_ERR_FIELD_TOOLONG)));
  return buildKrbError(makeFailure(iana::ErrorCode::KRB_ERR_FIELD_TOOLONG, "TCP frame too long"),
                       config_.realm, clock_.now());
}

}  // namespace kerbpool::kdc
