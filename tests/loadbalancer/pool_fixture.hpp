#pragma once

// The pool as users meet it, for the load balancer's integration tests: kerbpool's KDC (test::KdcFixture),
// kerbpool front-ends fe01..fe03 holding the keys the directory gave their computer accounts, NTLM
// pass-through to an in-process Netlogon, and workstations with kerbpool's client.
#include <catch2/catch.hpp>

#include "client/dns.hpp"
#include "client/kdc_network.hpp"
#include "client/kerberos_client.hpp"
#include "client/negotiate_http_client.hpp"
#include "core/crypto/crypto_rng.hpp"
#include "core/crypto/x509.hpp"
#include "frontend/node.hpp"
#include "frontend/node_credentials.hpp"
#include "frontend/ntlm_handler.hpp"
#include "frontend/secure_channel.hpp"
#include "kdc/netlogon.hpp"
#include "loadbalancer/lb_server.hpp"
#include "net/http_server.hpp"
#include "scenarios/directory_key_source.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/kdc_fixture.hpp"
#include "tests/support/tools.hpp"

namespace kerbpool::test {

// fe01..fe03 with the keys the directory delivered to FE01$..FE03$ (the example realm gives every node the
// shared account POOLKERB$'s key for HTTP/pool.contoso.test).
class NoHold final : public frontend::RoundTripDelay {
 public:
  void hold(core::Micros) override {}
};

struct Pool {
  explicit Pool(
      test::KdcFixture& kdc, std::optional<net::TlsFiles> tls = std::nullopt,
      core::acceptor::ExtendedProtection extendedProtection = core::acceptor::ExtendedProtection::Off)
      : netlogon(kdc.directory(), kdc.events()) {
    frontend::ChannelConfig cc;
    cc.latency.mean = core::Micros(0);
    auto throttle = frontend::ChannelThrottle::create(cc, clock, &kdc.events(), noHold);
    REQUIRE(throttle.ok());
    channelThrottle = std::move(*throttle);
    channel = std::make_unique<frontend::InProcessSecureChannel>(netlogon, *channelThrottle);
    for (const char* n : {"fe01", "fe02", "fe03"}) {
      std::string sam = n;
      for (auto& c : sam) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      }
      auto creds = scenarios::nodeCredentialsFromDirectory(kdc.directory(), sam + "$");
      REQUIRE(creds.ok());
      auto ntlmConfig = frontend::ntlmConfigFor(n, "CONTOSO.TEST");
      ntlmConfig.extendedProtection = extendedProtection;
      ntlm.push_back(frontend::makeNtlmHandler(ntlmConfig, *channel, clock, rng));
      frontend::FrontendNodeConfig nc;
      nc.name = n;
      nc.auth.verify.extendedProtection = extendedProtection;
      nc.auth.ntlm = ntlm.back().get();
      nodes.push_back(std::make_unique<frontend::FrontendNode>(nc, std::move(*creds), clock, rng));
      net::HttpServerConfig sc;
      sc.tls = tls;
      sc.headerLimit = 64 * 1024;
      auto server = net::HttpServer::start(sc, *nodes.back());
      REQUIRE(server.ok());
      servers.push_back(std::move(*server));
    }
  }
  loadbalancer::LbConfig lbConfig(loadbalancer::LbMode mode) const {
    loadbalancer::LbConfig c;
    c.mode = mode;
    c.health.interval = std::chrono::milliseconds(50);
    c.health.timeout = std::chrono::milliseconds(200);
    c.health.fall = 2;
    c.health.rise = 2;
    const char* names[] = {"fe01", "fe02", "fe03"};
    for (std::size_t i = 0; i < servers.size(); ++i) {
      c.backends.push_back({names[i], "127.0.0.1", servers[i]->port()});
    }
    return c;
  }
  core::SystemClock clock;
  core::crypto::CryptoRng rng;
  kdc::NetlogonService netlogon;
  NoHold noHold;
  std::unique_ptr<frontend::ChannelThrottle> channelThrottle;
  std::unique_ptr<frontend::InProcessSecureChannel> channel;
  std::vector<std::unique_ptr<frontend::NtlmPassThroughHandler>> ntlm;
  std::vector<std::unique_ptr<frontend::FrontendNode>> nodes;
  std::vector<std::unique_ptr<net::HttpServer>> servers;
};

struct Workstation {
  // `caFile`: the trust anchor for https URLs.
  Workstation(test::KdcFixture& kdc, const std::string& user, const std::string& password,
              client::ClientProfile profile = client::ClientProfile::internalPc(), std::string caFile = "")
      : network(options(kdc)), kerberos(network, clock, rng, config()) {
    REQUIRE(dns.addA("pool.contoso.test", "127.0.0.1").ok());
    client::NegotiateHttpOptions o;
    o.caFile = std::move(caFile);
    http = std::make_unique<client::NegotiateHttpClient>(
        profile, client::WorkstationUser{user, "CONTOSO", password}, dns, runtime, &kerberos, clock, rng, o);
  }
  static client::KdcNetworkOptions options(test::KdcFixture& kdc) {
    client::KdcNetworkOptions o;
    o.kdcs.push_back(client::KdcAddress{"127.0.0.1", kdc.port()});
    return o;
  }
  static client::KerberosClientConfig config() {
    client::KerberosClientConfig c;
    c.realm = "CONTOSO.TEST";
    return c;
  }
  core::SystemClock clock;
  core::SeededRng rng{17};
  client::KdcNetwork network;
  client::KerberosClient kerberos;
  client::DnsZone dns;
  client::HttpClientRuntime runtime;
  std::unique_ptr<client::NegotiateHttpClient> http;
};

}  // namespace kerbpool::test
