// Fuzz target: the front-end's NTLM pass-through (frontend/ntlm_handler.hpp) behind a node, over the
// requests of http_auth_input.hpp: NEGOTIATE -> CHALLENGE kept on the connection, AUTHENTICATE -> Netlogon
// validation by the DC of examples/contoso.realm.json over an in-process secure channel (MaxConcurrentApi 2,
// no hold time), raw NTLM, NTLMSSP under Negotiate and inside SPNEGO. Deterministic: ManualClock, seeded
// rngs.
//
// Random bytes never produce a valid NTLMv2 response, so a record whose kind has bit 4 set is minted: the
// AUTHENTICATE kerbpool's NTLM client computes for the last NEGOTIATE sent and CHALLENGE received on the
// connection, steered by the payload: [0] bit 0 wrong password, bit 1 bob instead of alice, bit 2 no
// Version, bit 3 channel bindings, bit 4 sent as "Negotiate" (else "NTLM"), [1-2] offset and [3] xor
// mask of one corrupted octet.
//
// Checks: every answer is a 200 or a 401, and the handler's counters stay consistent.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/common/base64.hpp"
#include "core/common/clock.hpp"
#include "core/common/rng.hpp"
#include "core/ntlm/ntlm_client.hpp"
#include "frontend/node.hpp"
#include "frontend/node_credentials.hpp"
#include "frontend/ntlm_handler.hpp"
#include "frontend/secure_channel.hpp"
#include "kdc/event_log.hpp"
#include "kdc/netlogon.hpp"
#include "kdc/realm_file.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/fuzz/http_auth_input.hpp"

using namespace kerbpool;

namespace {

const core::TimePoint kNow = core::fromUnixSeconds(1795392623);

class NoHoldDelay final : public frontend::RoundTripDelay {
 public:
  void hold(core::Micros) override {}
};

// The DC side, built once: loading the realm derives every account's keys.
struct Dc {
  Dc() : clock(kNow), events(clock, 256) {
    fuzz::quietLogs();
    auto loaded = kdc::loadRealmFile(fuzz::sourceFile("examples/contoso.realm.json"), events);
    fuzz::check(loaded.ok(), "ntlm_handler: cannot load the example realm");
    realm = std::move(*loaded);
    netlogon = std::make_unique<kdc::NetlogonService>(*realm.directory, events);
  }
  core::ManualClock clock;
  kdc::EventLog events;
  kdc::Realm realm;
  std::unique_ptr<kdc::NetlogonService> netlogon;
};

// What the connection carried last: the client's NEGOTIATE and the node's CHALLENGE.
struct Handshake {
  core::Bytes negotiate;
  core::Bytes challenge;
};

std::optional<core::Bytes> ntlmToken(std::string_view value) {
  for (std::string_view scheme : {"NTLM ", "Negotiate "}) {
    if (value.substr(0, scheme.size()) == scheme) {
      auto bytes = core::base64Decode(value.substr(scheme.size()));
      if (bytes.ok() && bytes->size() >= 12 && std::equal(bytes->begin(), bytes->begin() + 8, "NTLMSSP")) {
        return *bytes;
      }
    }
  }
  return std::nullopt;
}

std::optional<std::string> mintedAuthenticate(const Handshake& h, core::BytesView p,
                                              const core::Clock& clock) {
  if (h.negotiate.empty() || h.challenge.empty()) {
    return std::nullopt;
  }
  std::array<std::uint8_t, 4> b{};
  std::copy_n(p.begin(), std::min(p.size(), b.size()), b.begin());
  const bool bob = (b[0] & 0x02) != 0;
  std::string password = bob ? "B0bPassw0rd!" : "Passw0rd!";
  if ((b[0] & 0x01) != 0) {
    password += "x";
  }
  auto credentials = core::ntlm::credentialsFromPassword(bob ? "bob" : "alice", "CONTOSO", password);
  fuzz::check(credentials.ok(), "ntlm_handler: no NT hash");
  core::ntlm::ClientOptions options;
  options.workstation = "WS01";
  options.targetSpn = "HTTP/pool.contoso.test";
  if ((b[0] & 0x04) != 0) {
    options.version.reset();
    options.negotiateFlags &= ~core::ntlm::NTLMSSP_NEGOTIATE_VERSION;
  }
  if ((b[0] & 0x08) != 0) {
    options.channelBindings = std::array<std::uint8_t, core::ntlm::kChannelBindingsBytes>{1, 2, 3};
  }
  const std::array<std::uint8_t, 8> clientChallenge{0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00, 0x11};
  const std::array<std::uint8_t, 16> randomSessionKey{0x55};
  auto authenticate = core::ntlm::buildAuthenticate(options, *credentials, h.negotiate, h.challenge,
                                                    clock.now(), clientChallenge, randomSessionKey);
  if (!authenticate.ok()) {
    return std::nullopt;  // a CHALLENGE the client refuses (the fuzzer may have sent its own NEGOTIATE)
  }
  core::Bytes message = authenticate->message;
  if (b[3] != 0) {
    message[static_cast<std::size_t>(b[1] << 8 | b[2]) % message.size()] ^= b[3];
  }
  return ((b[0] & 0x10) != 0 ? "Negotiate " : "NTLM ") + core::base64Encode(message);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Dc dc;
  dc.clock.set(kNow);
  NoHoldDelay delay;
  frontend::ChannelConfig channelConfig;
  channelConfig.semaphore.maxConcurrentApi = 2;
  channelConfig.latency.mean = core::Micros(0);
  auto throttle = frontend::ChannelThrottle::create(channelConfig, dc.clock, &dc.events, delay);
  fuzz::check(throttle.ok(), "ntlm_handler: cannot create the channel throttle");
  frontend::InProcessSecureChannel channel(*dc.netlogon, **throttle);
  core::SeededRng rng(1);
  auto ntlm =
      frontend::makeNtlmHandler(frontend::ntlmConfigFor("fe01", "CONTOSO.TEST"), channel, dc.clock, rng);
  frontend::FrontendNodeConfig config;
  config.name = "fe01";
  config.auth.ntlm = ntlm.get();
  frontend::FrontendNode node(config, frontend::NodeCredentials::fixed("no keys", {}), dc.clock, rng);

  auto connection = std::make_unique<frontend::ConnectionContext>();
  connection->id = 1;
  std::optional<std::string> previous;
  Handshake handshake;
  for (auto& r : fuzz::authRequests(fuzz::bytesOf(data, size))) {
    if (r.newConnection) {
      node.connectionClosed(*connection);
      const std::uint64_t id = connection->id + 1;
      connection = std::make_unique<frontend::ConnectionContext>();
      connection->id = id;
      handshake = {};
    }
    if (r.minted) {
      r.authorization = mintedAuthenticate(handshake, r.payload, dc.clock);
    }
    if (r.repeat) {
      r.authorization = previous;
    }
    previous = r.authorization;
    if (auto token = r.authorization ? ntlmToken(*r.authorization) : std::nullopt;
        token && (*token)[8] == 1) {
      handshake.negotiate = *token;
    }
    frontend::HttpRequest request;
    request.method = "GET";
    request.target = "/WebTicket/WebTicketService.svc";
    request.peer = "192.0.2.7:49152";
    for (int i = 0; r.authorization && i < (r.twice ? 2 : 1); ++i) {
      request.headers.emplace_back("Authorization", *r.authorization);
    }
    ++connection->requestsOnConnection;
    (void)node.mayBlock(request);
    const auto response = node.handle(request, *connection);
    fuzz::debug("connection " + std::to_string(connection->id) + ": " + std::to_string(response.status) +
                " " + response.body);
    fuzz::check(response.status == 200 || response.status == 401, "ntlm_handler: neither 200 nor 401");
    for (const auto& [name, value] : response.headers) {
      if (auto token = name == "WWW-Authenticate" ? ntlmToken(value) : std::nullopt;
          token && (*token)[8] == 2) {
        handshake.challenge = *token;
      }
    }
    dc.clock.advance(std::chrono::seconds(1));
  }
  node.connectionClosed(*connection);
  const auto stats = ntlm->stats();
  fuzz::check(stats.passThroughs <= stats.authenticates && stats.authenticated <= stats.authenticates,
              "ntlm_handler: counters out of step");
  return 0;
}
