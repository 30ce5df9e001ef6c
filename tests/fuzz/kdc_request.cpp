// Fuzz target: the KDC's whole request path (after MIT's fuzz_kdc): KdcService::dispatch with the realm of
// examples/contoso.realm.json, as the UDP or the TCP listener hands a request over. Deterministic: a
// ManualClock at the time of the MIT capture in ../shared/reference (so its AS-REQ with PA-ENC-TIMESTAMP
// passes pre-authentication) and a seeded rng per input.
//
// First octet: bit 0 TCP (else UDP); bit 1 clear: the rest is the request. Bit 1 set: a minted TGS-REQ,
// since a mutated one never passes the TGT's integrity check: kerbpool's client builds it with alice's TGT
// from this KDC, steered by the rest: [0-3] KDC options (big-endian), [4] bit 0 subkey, bit 1 renewal of
// the TGT, bits 2-3 etype list, then the service principal's text ("HTTP/pool.contoso.test").
//
// Checks: every answer is an AS-REP, a TGS-REP or a KRB-ERROR, a UDP answer fits maxUdpReply, and kerbpool's
// client accepts every TGS-REP the KDC gives to a minted request.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "client/kerberos_client.hpp"
#include "client/principal.hpp"
#include "client/tgs_exchange.hpp"
#include "core/common/clock.hpp"
#include "core/common/rng.hpp"
#include "core/messages/kdc_rep.hpp"
#include "core/messages/krb_error.hpp"
#include "kdc/event_log.hpp"
#include "kdc/kdc_service.hpp"
#include "kdc/realm_file.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace kerbpool;
namespace messages = core::messages;

namespace {

const core::TimePoint kCaptureTime = core::fromUnixSeconds(1795392623);  // 2026-11-23 00:10:23 UTC

struct Kdc : client::KdcTransport {
  Kdc() : clock(kCaptureTime), events(clock, 256) {
    fuzz::quietLogs();
    auto loaded = kdc::loadRealmFile(fuzz::sourceFile("examples/contoso.realm.json"), events);
    fuzz::check(loaded.ok(), "kdc_request: cannot load the example realm: " +
                                 (loaded.ok() ? std::string() : loaded.error().message()));
    realm = std::move(*loaded);
    config.realm = realm.settings.realm;
    config.ticketLifetime = realm.settings.ticketLifetime;
    config.renewLifetime = realm.settings.renewLifetime;
    // alice's TGT, for minted TGS-REQs.
    core::SeededRng rng(1);
    client::KerberosClientConfig clientConfig;
    clientConfig.realm = config.realm;
    client::KerberosClient alice(*this, clock, rng, clientConfig);
    auto got = alice.getTgt("alice", "Passw0rd!");
    fuzz::check(got.ok(), "kdc_request: alice gets no TGT");
    tgt = got->credential;
  }

  core::Result<core::Bytes> exchange(core::BytesView request) override {
    core::SeededRng rng(2);
    kdc::KdcService service(config, *realm.directory, events, clock, rng);
    auto reply = service.dispatch(request, kdc::RequestContext{kdc::Transport::Tcp, "192.0.2.7:49152"});
    if (!reply) {
      return core::makeError(core::ErrorCategory::Io, "dropped", "the KDC dropped the request");
    }
    return *reply;
  }

  core::ManualClock clock;
  kdc::EventLog events;
  kdc::Realm realm;
  kdc::KdcConfig config;
  client::Credential tgt;
};

std::optional<client::TgsRequest> mintTgsRequest(const Kdc& kdc, core::BytesView p, core::Rng& rng) {
  if (p.size() < 5) {
    return std::nullopt;
  }
  static const std::array<std::vector<std::int32_t>, 4> etypes{
      std::vector<std::int32_t>{18, 17}, std::vector<std::int32_t>{23}, std::vector<std::int32_t>{17, 18, 23},
      std::vector<std::int32_t>{}};
  client::TgsRequestOptions options;
  options.kdcOptions = static_cast<std::uint32_t>(p[0]) << 24 | static_cast<std::uint32_t>(p[1]) << 16 |
                       static_cast<std::uint32_t>(p[2]) << 8 | p[3];
  options.useSubkey = (p[4] & 0x01) != 0;
  options.etypes = etypes[(p[4] >> 2) & 0x03];
  core::Result<client::TgsRequest> request = core::makeError(core::ErrorCategory::Internal, "unset", "");
  if ((p[4] & 0x02) != 0) {
    request = client::buildRenewalRequest(kdc.tgt, kdc.clock, rng, options);
  } else {
    auto server = client::parseServicePrincipal(fuzz::textOf(p.data() + 5, p.size() - 5), kdc.config.realm);
    if (!server.ok()) {
      return std::nullopt;
    }
    request = client::buildTgsRequest(kdc.tgt, *server, kdc.clock, rng, options);
  }
  if (!request.ok()) {
    return std::nullopt;
  }
  return std::move(*request);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Kdc kdc;
  if (size == 0) {
    return 0;
  }
  kdc.clock.set(kCaptureTime);
  core::SeededRng rng(size);
  const bool tcp = (data[0] & 0x01) != 0;
  const core::BytesView rest = fuzz::bytesOf(data + 1, size - 1);
  std::optional<client::TgsRequest> minted;
  if ((data[0] & 0x02) != 0) {
    minted = mintTgsRequest(kdc, rest, rng);
    if (!minted) {
      return 0;
    }
  }
  kdc::KdcService service(kdc.config, *kdc.realm.directory, kdc.events, kdc.clock, rng);
  const kdc::RequestContext context{tcp ? kdc::Transport::Tcp : kdc::Transport::Udp, "192.0.2.7:49152"};
  const auto reply = service.dispatch(minted ? core::BytesView(minted->bytes) : rest, context);
  if (!reply) {
    fuzz::check(!minted, "kdc_request: a minted TGS-REQ was dropped");
    return 0;
  }
  const bool tgsRep = messages::decode<messages::TgsRep>(*reply).ok();
  if (auto error = messages::decode<messages::KrbError>(*reply); error.ok()) {
    fuzz::debug("KRB-ERROR " + std::to_string(static_cast<int>(error->errorCode)) + " " +
                error->eText.value_or(""));
  } else {
    fuzz::debug(tgsRep ? "TGS-REP" : "AS-REP");
  }
  fuzz::check(tgsRep || messages::decode<messages::AsRep>(*reply).ok() ||
                  messages::decode<messages::KrbError>(*reply).ok(),
              "kdc_request: a reply that is not AS-REP, TGS-REP or KRB-ERROR");
  fuzz::check(tcp || reply->size() <= kdc.config.maxUdpReply, "kdc_request: a UDP reply over maxUdpReply");
  if (minted && tgsRep) {
    auto accepted = client::processTgsReply(*minted, kdc.tgt, *reply);
    fuzz::check(accepted.ok(), "kdc_request: the client refuses the KDC's TGS-REP: " +
                                   (accepted.ok() ? std::string() : accepted.error().message()));
  }
  return 0;
}
