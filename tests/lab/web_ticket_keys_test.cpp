// The pool's web ticket key in a running lab: pool.web_services.pool_key_missing_on leaves a node without it,
// Set-CsCertificate -Type OAuthTokenIssuer -Computer gives it, -Roll moves the pool to a new version and the
// nodes that are down miss it.
#include <catch2/catch.hpp>

#include "lab/admin_command.hpp"
#include "scenarios/pool_world.hpp"
#include "scenarios/scenario_loader.hpp"

using namespace kerbpool;

namespace {

std::vector<std::uint32_t> versionsOf(const scenarios::PoolWorld& world, const std::string& node) {
  for (const auto& n : world.nodes()) {
    if (n.name == node) {
      return n.webTicketKeyVersions;
    }
  }
  return {};
}

}  // namespace

TEST_CASE("web ticket keys: a node left without the pool's key, given it, then a roll with a node down",
          "[scenarios][webticket]") {
  auto s = scenarios::parseScenario(R"({"name": "keys", "users": {"count": 2},
      "pool": {"web_services": {"pool_key_missing_on": ["FE03"], "external_fqdns": ["LyncWeb.contoso.com"]}}})");
  REQUIRE(s.ok());
  CHECK(s->pool.poolKeyMissingOn == std::vector<std::string>{"fe03"});
  CHECK(s->pool.externalWebFqdns == std::vector<std::string>{"lyncweb.contoso.com"});
  core::SystemClock clock;
  auto world = scenarios::PoolWorld::start(*s, {}, clock);
  REQUIRE(world.ok());
  scenarios::PoolWorld& w = **world;
  CHECK(versionsOf(w, "fe01") == std::vector<std::uint32_t>{1});
  CHECK(versionsOf(w, "fe03").empty());

  auto given =
      lab::runAdminCommand({"Set-CsCertificate", "-Type", "OAuthTokenIssuer", "-Computer", "FE03"}, w);
  REQUIRE(given.ok);
  CHECK(given.output.front().find("fe03 now holds the pool's web ticket key (version(s) 1)") !=
        std::string::npos);
  CHECK(versionsOf(w, "fe03") == std::vector<std::uint32_t>{1});

  REQUIRE(lab::runAdminCommand({"node-down", "fe02"}, w).ok);
  auto roll = lab::runAdminCommand({"Set-CsCertificate", "-Type", "OAuthTokenIssuer", "-Roll"}, w);
  REQUIRE(roll.ok);
  CHECK(versionsOf(w, "fe01") == std::vector<std::uint32_t>{1, 2});
  CHECK(versionsOf(w, "fe02") == std::vector<std::uint32_t>{1});  // down: missed it
  bool named = false;
  for (const auto& line : roll.output) {
    named = named || line.find("fe02 (down): NOT reached; it refuses tickets signed with version 2") == 0;
  }
  CHECK(named);

  CHECK_FALSE(lab::runAdminCommand({"Set-CsCertificate", "-Type", "WebServicesInternal", "-Roll"}, w).ok);
  CHECK_FALSE(lab::runAdminCommand({"Set-CsCertificate", "-Type", "OAuthTokenIssuer"}, w).ok);
  CHECK_FALSE(
      lab::runAdminCommand({"Set-CsCertificate", "-Type", "OAuthTokenIssuer", "-Computer", "fe09"}, w).ok);
  w.stop();
}

TEST_CASE("web ticket keys: the scenario's web_services is checked", "[scenarios][webticket]") {
  auto unknown = scenarios::parseScenario(
      R"({"name": "x", "pool": {"web_services": {"pool_key_missing_on": ["fe09"]}}})");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().detail.find(
            "pool.web_services.pool_key_missing_on[0]: 'fe09' is not a node of the pool") !=
        std::string::npos);
  auto exchange = scenarios::parseScenario(
      R"({"name": "x", "product": "exchange", "pool": {"web_services": {"external_fqdns": []}}})");
  REQUIRE_FALSE(exchange.ok());
  CHECK(exchange.error().detail.find("pool.web_services") == 0);
  CHECK_FALSE(scenarios::parseScenario(R"({"name": "x", "pool": {"web_services": {"lifetime": 1}}})").ok());
}
