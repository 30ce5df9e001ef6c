// Extended Protection for Authentication (IIS tokenChecking) on kerbpool's front-ends, with kerbpool's
// workstation binding Kerberos and NTLM to the TLS channel it sees, as Windows does: direct TLS, and behind
// the load balancer in each way it can carry TLS (passed through, terminated and re-encrypted with its own
// certificate or the nodes' one, terminated and forwarded as plain HTTP).
#include <catch2/catch.hpp>

#include "tests/loadbalancer/pool_fixture.hpp"

using namespace kerbpool;
using core::acceptor::ExtendedProtection;
using test::Pool;
using test::Workstation;

namespace {

// The pool's CA, the nodes' certificate, and a second certificate for pool.contoso.test from the same CA (the
// load balancer's own, as a real one has the public certificate and the nodes an internal one).
struct Certificates {
  explicit Certificates(const std::filesystem::path& dir) {
    auto bundle = core::crypto::generateTlsBundle({"pool.contoso.test"}, core::SystemClock().now());
    REQUIRE(bundle.ok());
    auto files = bundle->writePemFiles(dir / "nodes");
    REQUIRE(files.ok());
    nodes = *files;
    core::crypto::ServerCertSpec spec;
    spec.dnsNames = {"pool.contoso.test"};
    spec.notBefore = core::SystemClock().now();
    auto own = core::crypto::issueServerCertificate(bundle->ca, spec);
    REQUIRE(own.ok());
    auto lbFiles = core::crypto::TlsBundle{bundle->ca, *own}.writePemFiles(dir / "lb");
    REQUIRE(lbFiles.ok());
    lb = *lbFiles;
  }
  net::TlsFiles nodeTls() const {
    return {nodes.serverCertificate.string(), nodes.serverPrivateKey.string()};
  }
  core::crypto::PemFilePaths nodes;
  core::crypto::PemFilePaths lb;
};

std::uint64_t denied(const Pool& pool, const std::string& code) {
  std::uint64_t n = 0;
  for (const auto& node : pool.nodes) {
    n += node->stats().deniedFor(code);
  }
  return n;
}

client::ClientProfile withoutBindings(client::ClientProfile p) {
  p.channelBindings = false;
  return p;
}

}  // namespace

TEST_CASE("extended protection: over direct TLS, Kerberos and NTLM bound to the node's certificate pass",
          "[frontend][integration][epa]") {
  test::KdcFixture kdc;
  Certificates certs(kdc.dir());
  const auto mode = GENERATE(ExtendedProtection::Allow, ExtendedProtection::Require);
  Pool pool(kdc, certs.nodeTls(), mode);
  const std::string url = "https://pool.contoso.test:" + std::to_string(pool.servers[0]->port()) + "/x";
  const std::string ca = certs.nodes.caCertificate.string();
  INFO("extended protection " << core::acceptor::toString(mode));

  Workstation internal(kdc, "alice", "Passw0rd!", client::ClientProfile::internalPc(), ca);
  auto k = internal.http->get(url);
  INFO(k.reason);
  CHECK(k.kind == client::OutcomeKind::Kerberos);
  CHECK(k.status == 200);

  Workstation external(kdc, "alice", "Passw0rd!", client::ClientProfile::externalPc(), ca);
  auto n = external.http->get(url);
  INFO(n.reason);
  CHECK(n.kind == client::OutcomeKind::Ntlm);
  CHECK(n.status == 200);

  // A client that binds nothing (an old one, or one told not to): Allow lets it in, Require does not.
  Workstation legacy(kdc, "alice", "Passw0rd!", withoutBindings(client::ClientProfile::internalPc()), ca);
  auto l = legacy.http->get(url);
  INFO(l.reason);
  Workstation legacyNtlm(kdc, "alice", "Passw0rd!", withoutBindings(client::ClientProfile::externalPc()), ca);
  auto ln = legacyNtlm.http->get(url);
  INFO(ln.reason);
  if (mode == ExtendedProtection::Allow) {
    CHECK(l.status == 200);
    CHECK(ln.status == 200);
  } else {
    CHECK(l.status == 401);
    CHECK(ln.status == 401);
    CHECK(denied(pool, "channel_bindings_missing") == 2);
  }
}

TEST_CASE(
    "extended protection behind the balancer: passthrough and a shared certificate work, its own "
    "certificate or offloading to plain HTTP fails",
    "[loadbalancer][integration][epa]") {
  test::KdcFixture kdc;
  Certificates certs(kdc.dir());
  const std::string ca = certs.nodes.caCertificate.string();
  // Kerberos and NTLM through the balancer; returns their HTTP statuses.
  auto logons = [&](loadbalancer::LbServer& lb) {
    const std::string url = "https://pool.contoso.test:" + std::to_string(lb.port()) + "/x";
    Workstation internal(kdc, "alice", "Passw0rd!", client::ClientProfile::internalPc(), ca);
    Workstation external(kdc, "alice", "Passw0rd!", client::ClientProfile::externalPc(), ca);
    auto k = internal.http->get(url);
    auto n = external.http->get(url);
    INFO(k.reason);
    INFO(n.reason);
    return std::pair{k.status, n.status};
  };
  auto start = [&](const Pool& pool, loadbalancer::LbMode mode, const core::crypto::PemFilePaths* terminate,
                   bool reencrypt) {
    auto config = pool.lbConfig(mode);
    config.affinity = loadbalancer::AffinityMode::SourceHash;  // NTLM's legs on one node
    if (terminate != nullptr) {
      config.tls = loadbalancer::LbTlsFiles{terminate->serverCertificate.string(),
                                            terminate->serverPrivateKey.string()};
    }
    config.backendTls = reencrypt;
    config.health.tls = mode == loadbalancer::LbMode::Tcp;
    if (reencrypt) {
      config.backendCaFile = ca;
      config.backendTlsName = "pool.contoso.test";
    }
    core::SeededRng lbRng(12);
    auto lb = loadbalancer::LbServer::start(config, lbRng);
    REQUIRE(lb.ok());
    return std::move(*lb);
  };
  SECTION("tcp mode passes TLS through: the client's channel is the node's") {
    Pool pool(kdc, certs.nodeTls(), ExtendedProtection::Require);
    auto lb = start(pool, loadbalancer::LbMode::Tcp, nullptr, false);
    CHECK(logons(*lb) == std::pair{200u, 200u});
  }
  SECTION("http mode re-encrypting with the nodes' own certificate (SSL bridging, same certificate)") {
    Pool pool(kdc, certs.nodeTls(), ExtendedProtection::Require);
    auto lb = start(pool, loadbalancer::LbMode::Http, &certs.nodes, true);
    CHECK(logons(*lb) == std::pair{200u, 200u});
  }
  SECTION(
      "http mode terminating with its own certificate and re-encrypting: both bound to the wrong channel") {
    Pool pool(kdc, certs.nodeTls(), ExtendedProtection::Allow);
    auto lb = start(pool, loadbalancer::LbMode::Http, &certs.lb, true);
    CHECK(logons(*lb) == std::pair{401u, 401u});
    CHECK(denied(pool, "channel_bindings_mismatch") == 2);
    // Refused before the pass-through: the DC saw no NTLM logon.
    std::uint64_t passThroughs = 0;
    for (const auto& h : pool.ntlm) {
      passThroughs += h->stats().passThroughs;
    }
    CHECK(passThroughs == 0);
  }
  SECTION("http mode offloading TLS to plain HTTP nodes: the nodes have no channel to match") {
    Pool pool(kdc, std::nullopt, ExtendedProtection::Require);
    auto lb = start(pool, loadbalancer::LbMode::Http, &certs.lb, false);
    CHECK(logons(*lb) == std::pair{401u, 401u});
    CHECK(denied(pool, "channel_bindings_mismatch") == 2);
  }
  SECTION("the same offloading with Extended Protection off works") {
    Pool pool(kdc, std::nullopt, ExtendedProtection::Off);
    auto lb = start(pool, loadbalancer::LbMode::Http, &certs.lb, false);
    CHECK(logons(*lb) == std::pair{200u, 200u});
  }
}
