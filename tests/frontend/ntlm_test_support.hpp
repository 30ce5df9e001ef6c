#pragma once

// The NTLM front-end lab: CONTOSO.TEST with alice (tests/kdc/pool_fixture.hpp), the DC's NetlogonService,
// a secure channel in this process (MaxConcurrentApi throttle, no hold time) and front-end nodes whose
// NTLM module passes through to it; plus kerbpool's NTLM client to build the messages a test sends.
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/common/base64.hpp"
#include "core/common/log.hpp"
#include "core/ntlm/ntlm_client.hpp"
#include "core/ntlm/ntlm_session.hpp"
#include "core/spnego/neg_token.hpp"
#include "core/spnego/oids.hpp"
#include "frontend/node.hpp"
#include "frontend/ntlm_handler.hpp"
#include "frontend/secure_channel.hpp"
#include "kdc/netlogon.hpp"
#include "tests/kdc/pool_fixture.hpp"

namespace kerbpool::test {

// The round trip takes no extra time.
class NoHoldDelay final : public frontend::RoundTripDelay {
 public:
  void hold(core::Micros) override {}
};

// Captures log lines as "component: message" while alive.
class NtlmLogCapture {
 public:
  NtlmLogCapture() {
    core::Logger::setSink([this](core::LogLevel, std::string_view component, std::string_view message) {
      std::lock_guard lock(mu_);
      lines_.push_back(std::string(component) + ": " + std::string(message));
    });
  }
  ~NtlmLogCapture() { core::Logger::setSink({}); }
  std::vector<std::string> lines() {
    std::lock_guard lock(mu_);
    return lines_;
  }
  bool contains(std::string_view needle) {
    for (const auto& l : lines()) {
      if (l.find(needle) != std::string::npos) {
        return true;
      }
    }
    return false;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> lines_;
};

struct NtlmNode {
  std::unique_ptr<frontend::NtlmPassThroughHandler> ntlm;
  std::unique_ptr<frontend::FrontendNode> node;
};

struct NtlmLab {
  NtlmLab() {
    frontend::ChannelConfig cc;
    cc.semaphore.maxConcurrentApi = 2;
    cc.latency.mean = core::Micros(0);
    auto created = frontend::ChannelThrottle::create(cc, pool.clock, &pool.events, delay);
    REQUIRE(created.ok());
    throttle = std::move(*created);
    channel = std::make_unique<frontend::InProcessSecureChannel>(netlogon, *throttle);
  }

  // A node "fe01"... whose NTLM module uses `secureChannel` (default: the lab's).
  NtlmNode& addNode(const std::string& name, frontend::SecureChannel* secureChannel = nullptr,
                    frontend::Persistence persistence = frontend::Persistence::PerRequest) {
    NtlmNode n;
    n.ntlm = frontend::makeNtlmHandler(frontend::ntlmConfigFor(name, "CONTOSO.TEST"),
                                       secureChannel != nullptr ? *secureChannel : *channel, pool.clock, rng);
    frontend::FrontendNodeConfig config;
    config.name = name;
    config.auth.persistence = persistence;
    config.auth.ntlm = n.ntlm.get();
    n.node = std::make_unique<frontend::FrontendNode>(
        config, frontend::NodeCredentials::fixed("no keys", core::acceptor::AcceptorKeys{}), pool.clock, rng);
    nodes[name] = std::move(n);
    return nodes[name];
  }

  core::ntlm::NtlmClient client(const std::string& user = "alice", const std::string& password = "Passw0rd!",
                                const std::string& domain = "CONTOSO") {
    auto creds = core::ntlm::credentialsFromPassword(user, domain, password);
    REQUIRE(creds.ok());
    core::ntlm::ClientOptions options;
    options.workstation = "WS01";
    options.targetSpn = "HTTP/pool.contoso.test";
    return core::ntlm::NtlmClient(options, *creds, pool.clock, clientRng);
  }

  kdc::pooltest::PoolFixture pool;
  kdc::NetlogonService netlogon{pool.dir, pool.events};
  NoHoldDelay delay;
  std::unique_ptr<frontend::ChannelThrottle> throttle;
  std::unique_ptr<frontend::InProcessSecureChannel> channel;
  core::SeededRng rng{41};
  core::SeededRng clientRng{42};
  std::map<std::string, NtlmNode> nodes;
};

// "NTLM <b64>" / "Negotiate <b64>".
inline std::string ntlmHeader(core::BytesView token) {
  return "NTLM " + core::base64Encode(token);
}
inline std::string negotiateHeader(core::BytesView token) {
  return "Negotiate " + core::base64Encode(token);
}

inline core::Bytes ntlmsspMech() {
  const auto oid = core::spnego::ntlmsspOid();
  return core::Bytes(oid.begin(), oid.end());
}

// The token of the first `WWW-Authenticate: <scheme> <b64>` field, or nullopt.
inline std::optional<core::Bytes> challengeToken(const net::HttpResponse& r, std::string_view scheme) {
  for (const auto& [name, value] : r.headers) {
    if (name != "WWW-Authenticate" || value.size() <= scheme.size() + 1 ||
        value.compare(0, scheme.size() + 1, std::string(scheme) + " ") != 0) {
      continue;
    }
    auto bytes = core::base64Decode(value.substr(scheme.size() + 1));
    if (bytes.ok()) {
      return *bytes;
    }
  }
  return std::nullopt;
}

inline std::vector<std::string> wwwAuthenticate(const net::HttpResponse& r) {
  std::vector<std::string> out;
  for (const auto& [name, value] : r.headers) {
    if (name == "WWW-Authenticate") {
      out.push_back(value);
    }
  }
  return out;
}

}  // namespace kerbpool::test
