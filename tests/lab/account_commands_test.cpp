// The lab's account commands: Disable-ADAccount / Enable-ADAccount on the directory the KDC and Netlogon
// read, and Lync's Revoke-CsClientCertificate on the pool's certificate provisioning; all replayed on a
// restart (changesDirectory).
#include <catch2/catch.hpp>

#include "lab/admin_command.hpp"
#include "scenarios/pool_world.hpp"
#include "scenarios/scenario_loader.hpp"

using namespace kerbpool;

TEST_CASE("lab: Disable-ADAccount, Enable-ADAccount and Revoke-CsClientCertificate", "[lab][certificate]") {
  auto s = scenarios::parseScenario(R"({"name": "accounts", "users": {"count": 3}})");
  REQUIRE(s.ok());
  core::SystemClock clock;
  auto world = scenarios::PoolWorld::start(*s, {}, clock);
  REQUIRE(world.ok());
  scenarios::PoolWorld& w = **world;
  const auto enabled = [&](const std::string& user) { return w.lab().directory().account(user)->enabled; };

  const auto off = lab::runAdminCommand({"Disable-ADAccount", "-Identity", "CONTOSO\\User002"}, w);
  REQUIRE(off.ok);
  CHECK(off.changesDirectory);
  CHECK_FALSE(enabled("user002"));
  CHECK(off.output.front() == "PS> Disable-ADAccount -Identity user002");
  REQUIRE(lab::runAdminCommand({"Enable-ADAccount", "user002"}, w).ok);
  CHECK(enabled("user002"));

  REQUIRE(w.clientCertificates() != nullptr);
  CHECK_FALSE(w.clientCertificates()->revokedAt("user003@CONTOSO.TEST", clock.now()).has_value());
  const auto revoke =
      lab::runAdminCommand({"Revoke-CsClientCertificate", "-Identity", "sip:user003@contoso.test"}, w);
  REQUIRE(revoke.ok);
  CHECK(revoke.changesDirectory);
  CHECK(revoke.output.front() == "PS> Revoke-CsClientCertificate -Identity sip:user003@contoso.test");
  CHECK(w.clientCertificates()->revokedAt("user003@CONTOSO.TEST", clock.now() - std::chrono::seconds(1)));

  const auto unknown = lab::runAdminCommand({"Disable-ADAccount", "-Identity", "nobody"}, w);
  CHECK_FALSE(unknown.ok);
  CHECK(unknown.output.front() == "Disable-ADAccount: Cannot find an object with identity: 'nobody'");
  CHECK(lab::changesDirectory({"Revoke-CsClientCertificate", "-Identity", "sip:user003@contoso.test"}));
}
