// Lync's web tickets over a simulated working day (issue 17): what a sign-in costs the DC per user-hour
// against per-connection NTLM, a node without the pool's key, and the scenario file's simulated_time.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/scenarios/scenario_run_support.hpp"

using namespace kerbpool;
using client::OutcomeKind;
using kerbpool::test::checkExpectations;
using kerbpool::test::oneLine;

namespace {

scenarios::Scenario builtin(const std::string& name) {
  const auto* b = scenarios::findBuiltinScenario(name);
  REQUIRE(b != nullptr);
  auto s = scenarios::parseScenario(b->json);
  INFO((s.ok() ? std::string() : s.error().message()));
  REQUIRE(s.ok());
  return std::move(*s);
}

scenarios::RunReport run(const scenarios::Scenario& s) {
  auto report = scenarios::runScenario(s, {});
  INFO((report.ok() ? std::string() : report.error().message()));
  REQUIRE(report.ok());
  return std::move(*report);
}

std::string errorOf(const std::string& json) {
  auto s = scenarios::parseScenario(json);
  return s.ok() ? std::string() : s.error().detail;
}

}  // namespace

TEST_CASE(
    "webticket-tour: with per-node SPNs a Lync client costs one NTLM logon per 8-hour web ticket, a browser "
    "one per request",
    "[scenarios][webticket]") {
  auto s = builtin("webticket-tour");
  REQUIRE(s.simulatedHours == 10);
  for (auto& g : s.clients) {
    g.count = 6;  // 6 Lync clients and 6 browsers, 40 requests each over the day: the figures stay exact
    g.concurrency = 3;
  }
  const auto r = run(s);
  KP_INFO_REPORT(r);
  checkExpectations(r);
  const auto f = r.webTickets();
  CHECK(f.clients == 6);
  CHECK(f.requests == 240);
  CHECK(f.withTicket == 240);
  // A ticket lasts 8 hours: each client signs in at hour 0 and again at hour 8 (round 32 of 40), with NTLM,
  // as the KDC cannot choose among the three accounts holding HTTP/pool.contoso.test.
  CHECK(f.signIns.ntlm == 12);
  CHECK(f.signIns.kerberos == 0);
  CHECK(r.population.outcomes.signInsByPhase.at(0).ntlm == 12);
  // The browsers' connections were closed by IIS between requests 15 minutes apart: NTLM every time.
  CHECK(f.otherNtlm == 240);
  CHECK(r.servers.netlogonCalls == 12 + 240);
  CHECK(f.ntlmSignInsPerUserHour == Approx(12.0 / 60.0));
  CHECK(f.otherNtlmPerUserHour == Approx(240.0 / 60.0));
  CHECK(r.metric("ntlm_signins_per_user_hour").value_or(-1) == Approx(0.2));
  CHECK(r.metric("webticket_percent").value_or(-1) == Approx(50.0));
  CHECK(r.population.rounds == 40);
  CHECK(r.population.step == std::chrono::minutes(15));
  const std::string text = oneLine(scenarios::formatReport(r));
  CHECK(text.find("They signed in 12 times (POST /WebTicket/oauthtoken): 0 with Kerberos, 12 with NTLM") !=
        std::string::npos);
  CHECK(text.find("0.20 NTLM logons per user-hour over 10.0 hours") != std::string::npos);
  CHECK(text.find("4.00 per user-hour, 20.0 times as many") != std::string::npos);
  CHECK(text.find("Time was simulated: 10.0 hours in") != std::string::npos);
  CHECK(text.find("web ticket") != std::string::npos);
}

TEST_CASE(
    "webticket-pool-key-missing: fe03 refuses the other nodes' tickets until it gets the OAuth certificate",
    "[scenarios][webticket]") {
  auto s = builtin("webticket-pool-key-missing");
  for (auto& g : s.clients) {
    g.count = 9;
    g.concurrency = 3;
  }
  const auto r = run(s);
  KP_INFO_REPORT(r);
  checkExpectations(r);
  const auto& o = r.population.outcomes;
  REQUIRE(o.byPhase.size() == 2);
  REQUIRE(o.signInsByPhase.size() == 2);
  // Before: tickets from fe01/fe02 refused at fe03, and sign-ins landing on fe03 answered 503.
  CHECK(o.ticketRefusals.count("fe03: webticket_unknown_pool_key") == 1);
  CHECK(o.ticketRefusals.size() == 1);
  CHECK(o.signInsByPhase[0].failed > 0);
  CHECK(o.byPhase[0].webticket < o.byPhase[0].total());
  // After Set-CsCertificate -Type OAuthTokenIssuer -Computer fe03: every request carries an accepted ticket.
  CHECK(o.byPhase[1].webticket == o.byPhase[1].total());
  CHECK(o.signInsByPhase[1].failed == 0);
  CHECK(o.signIns.ntlm == 0);
  CHECK(r.servers.netlogonCalls == 0);
  REQUIRE(r.population.phases.size() == 2);
  REQUIRE(r.population.phases[1].steps.size() == 1);
  CHECK(r.population.phases[1].steps[0].command == "Set-CsCertificate -Type OAuthTokenIssuer -Computer fe03");
  // The event fired at hour 4: half of the 32 rounds ran before it.
  CHECK(o.byPhase[0].total() == 9 * 16);
  const std::string text = oneLine(scenarios::formatReport(r));
  CHECK(text.find("Fix: Set-CsCertificate -Type OAuthTokenIssuer -Computer fe03") != std::string::npos);
  CHECK(text.find("fe03 holds no key of the pool's web services certificate") != std::string::npos);
}

TEST_CASE("simulated_time and web-ticket profiles are checked by the loader", "[scenarios][webticket]") {
  const std::string head = R"({"name": "t", "users": {"count": 2}, )";
  CHECK(errorOf(head +
                R"("simulated_time": {"hours": 8}, "timeline": [{"at_percent": 50, "event": "iisreset"}]})")
            .find("timeline[0].at_percent: this scenario runs on simulated time") != std::string::npos);
  CHECK(errorOf(head + R"("timeline": [{"at_hour": 2, "event": "iisreset"}]})")
            .find("timeline[0].at_hour: at_hour needs simulated_time") != std::string::npos);
  CHECK(
      errorOf(head + R"("simulated_time": {"hours": 8}, "timeline": [{"at_hour": 9, "event": "iisreset"}]})")
          .find("timeline[0].at_hour") != std::string::npos);
  CHECK(errorOf(head + R"("simulated_time": {"hours": 0}})").find("simulated_time.hours") !=
        std::string::npos);
  CHECK(errorOf(head + R"("simulated_time": {"hours": 8, "speed": 2}})").find("simulated_time.speed") !=
        std::string::npos);
  CHECK(
      errorOf(
          head +
          R"("simulated_time": {"hours": 8}, "timeline": [{"at_hour": 2, "event": "set_oauth_certificate"}]})")
          .find("timeline[0].node") != std::string::npos);
  CHECK(errorOf(R"({"name": "x", "product": "exchange", "clients": [{"profile": "lync-desktop"}]})")
            .find("clients[0].profile: 'lync-desktop' signs in to Lync's web services") != std::string::npos);
  auto ok = scenarios::parseScenario(
      head + R"("simulated_time": {"hours": 8}, "clients": [{"profile": "lync-mobile", "count": 1}],
      "timeline": [{"at_hour": 2, "event": "set_oauth_certificate", "node": "fe02"}, {"at_hour": 1, "event": "roll_oauth_certificate"}]})");
  INFO((ok.ok() ? std::string() : ok.error().message()));
  REQUIRE(ok.ok());
  CHECK(ok->timeline[0].kind == scenarios::TimelineEvent::Kind::RollOAuthCertificate);
  CHECK(ok->timeline[1].atHour == 2.0);
  CHECK(ok->timeline[1].atPercent == Approx(25.0));
}

TEST_CASE(
    "webticket-external: external users sign in with NTLM every 15 minutes, internal ones once with Kerberos",
    "[scenarios][webticket]") {
  auto s = builtin("webticket-external");
  REQUIRE(s.simulatedHours == 4);
  s.clients.at(0).count = 3;  // lync-desktop
  s.clients.at(0).concurrency = 3;
  s.clients.at(1).count = 6;  // lync-external, through lyncweb.contoso.test
  s.clients.at(1).concurrency = 6;
  const auto r = run(s);
  KP_INFO_REPORT(r);
  CHECK(r.violations == 0);
  const auto& by = r.population.outcomes.signInsByProfile;
  REQUIRE(by.count("lync-desktop") == 1);
  REQUIRE(by.count("lync-external") == 1);
  // 48 requests 5 minutes apart: an 8-hour ticket once; a 15-minute one at every third request.
  CHECK(by.at("lync-desktop").kerberos == 3);
  CHECK(by.at("lync-desktop").total() == 3);
  CHECK(by.at("lync-external").ntlm == 6 * 16);
  CHECK(by.at("lync-external").total() == 6 * 16);
  CHECK(r.servers.netlogonCalls == 6 * 16);
  CHECK(r.population.outcomes.overall.webticket == 9 * 48);
  const std::string text = oneLine(scenarios::formatReport(r));
  CHECK(
      text.find("lync-external (6 clients): 96 sign-ins, 0 with Kerberos, 96 with NTLM, 0 refused or failed: "
                "4.00 NTLM logons per user-hour") != std::string::npos);
  CHECK(text.find("Through the external web services (lyncweb.contoso.test) a web ticket lasts 15 minutes") !=
        std::string::npos);
}

TEST_CASE(
    "webticket-disabled-account: a disabled account's client certificate buys web tickets with no DC "
    "until Revoke-CsClientCertificate",
    "[scenarios][webticket][certificate]") {
  auto s = builtin("webticket-disabled-account");
  REQUIRE(s.simulatedHours == 48);
  s.clients.at(0).count = 3;
  s.clients.at(0).concurrency = 3;
  const auto r = run(s);
  KP_INFO_REPORT(r);
  checkExpectations(r);
  CHECK(r.violations == 0);
  const auto& o = r.population.outcomes;
  // One certificate per client, bought with its Kerberos sign-in at hour 0; its web tickets every 8 hours
  // after that (a request every 0.48 h: at rounds 17, 34, 51, 68 and 85) come from the certificate.
  CHECK(o.certificatesIssued == 3);
  CHECK(o.signIns.kerberos == 3);
  CHECK(o.signIns.ntlm == 0);
  const auto accounts = r.disabledAccounts();
  REQUIRE(accounts.size() == 1);
  const auto& d = accounts.front();
  CHECK(d.user == "user001");
  CHECK(d.disabledAt == 2.0);
  REQUIRE(d.revokedAt.has_value());
  CHECK(*d.revokedAt == 30.0);
  // Disabled at hour 2, served until hour 30 (rounds 5..62): its certificate bought 3 tickets (8, 16, 24 h).
  CHECK(d.certificateSignIns == 3);
  CHECK(d.windowsSignIns == 0);
  CHECK(d.served == 58);
  // Revoked at hour 30 (round 63 on): its ticket, its certificate and its Windows sign-in are refused.
  CHECK(d.requestsAfterRevoke == 37);
  CHECK(d.servedAfterRevoke == 0);
  CHECK(d.refusedSignIns >= d.requestsAfterRevoke);
  CHECK(o.certificateSignIns == 2 * 5 + 3);
  CHECK(o.certificateRefusals.at("client_certificate_revoked") >= 1);
  CHECK(r.servers.netlogonCalls > 0);  // only user001's refused NTLM fallback reaches the DC
  const std::string text = oneLine(scenarios::formatReport(r));
  CHECK(text.find("user001 was disabled at hour 2.0 (Disable-ADAccount). From then it made 95 requests, 58 "
                  "served with a web ticket; it bought 3 web tickets with its client certificate and 0 with "
                  "Windows") != std::string::npos);
  CHECK(text.find("After Revoke-CsClientCertificate at hour 30.0: 37 requests, 0 served.") !=
        std::string::npos);
  CHECK(text.find("Fix: Revoke-CsClientCertificate -Identity sip:user001@contoso.test") != std::string::npos);
  CHECK(text.find("DefaultValidityPeriodHours = 4320 hours (180 days)") != std::string::npos);
  // The same figures for tools.
  const auto j = nlohmann::json::parse(scenarios::formatReportJson(r));
  CHECK(j.at("web_tickets").at("certificates").at("issued") == 3);
  CHECK(j.at("web_tickets").at("certificates").at("default_validity_period_hours") == 4320);
  CHECK(j.at("disabled_accounts").at(0).at("user") == "user001");
  CHECK(j.at("disabled_accounts").at(0).at("served") == 58);
  CHECK(j.at("disabled_accounts").at(0).at("served_after_revoke") == 0);
}

TEST_CASE(
    "webticket-disabled-account-short-certs: 8-hour certificates cut a disabled account off once its "
    "certificate and its Kerberos tickets have run out",
    "[scenarios][webticket][certificate]") {
  auto s = builtin("webticket-disabled-account-short-certs");
  REQUIRE(s.pool.defaultValidityPeriodHours == 8);
  s.clients.at(0).count = 3;
  s.clients.at(0).concurrency = 3;
  const auto r = run(s);
  KP_INFO_REPORT(r);
  checkExpectations(r);
  const auto accounts = r.disabledAccounts();
  REQUIRE(accounts.size() == 1);
  const auto& d = accounts.front();
  // Hour 0: Kerberos (its TGT and service ticket last 10 h), certificate to hour 8. Hour 8.16: the
  // certificate has expired, the cached service ticket still buys a web ticket (and a certificate to
  // hour 16.16) with no DC. Hour 16.32: both expired; the DC refuses the disabled account.
  CHECK(d.certificateSignIns == 0);
  CHECK(d.kerberosSignIns == 1);
  CHECK(d.served == 29);  // rounds 5..33
  CHECK(d.lastServed.has_value());
  CHECK(*d.lastServed < 16.0);
  CHECK(d.requests == 95);
  const std::string text = oneLine(scenarios::formatReport(r));
  CHECK(
      text.find("used Kerberos with tickets the client already held from before the account was disabled") !=
      std::string::npos);
  CHECK(
      text.find("Why it was cut off: with DefaultValidityPeriodHours = 8 hours its client certificate bought "
                "no web ticket after the account was disabled") != std::string::npos);
  CHECK(text.find("KDC_ERR_CLIENT_REVOKED") != std::string::npos);
}

TEST_CASE("the scenario file: client certificates, their validity and the account events are checked",
          "[scenarios][webticket][certificate]") {
  const std::string base = R"({"name":"x","users":{"count":5},)";
  CHECK(errorOf(base + R"("pool":{"web_services":{"default_validity_period_hours":4}}})") ==
        "pool.web_services.default_validity_period_hours: expected an integer from 8 to 8760");
  CHECK(errorOf(base + R"("profiles":[{"name":"c","client_certificate":true}]})") ==
        "profiles[0].client_certificate: a client certificate is bought with a web ticket: set web_ticket");
  CHECK(errorOf(base + R"("timeline":[{"at_percent":10,"event":"disable_account","user":"user006"}]})") ==
        "timeline[0].user: 'user006' is not one of the scenario's users (user001..user005)");
  CHECK(errorOf(base + R"("timeline":[{"at_percent":10,"event":"disable_account","node":"fe01"}]})") ==
        "timeline[0].node: a disable_account event takes no node");
  CHECK(errorOf(base +
                R"("product":"exchange","timeline":[{"at_percent":10,"event":"revoke_client_certificate",)"
                R"("user":"user001"}]})") ==
        "timeline[0].event: Lync's client certificates (CertProv); this is an Exchange scenario");
  CHECK(errorOf(base + R"("timeline":[{"at_percent":10,"event":"disable_account","user":"USER002"}]})")
            .empty());
}

TEST_CASE(
    "lync-web-app: the forms sign-in (grant_type=password) is an NTLM logon the node passes through to "
    "the DC, refused once the account is disabled",
    "[scenarios][webticket]") {
  auto s = scenarios::parseScenario(R"({"name": "webapp", "seed": 5, "simulated_time": {"hours": 2},
      "users": {"count": 6},
      "pool": {"tls": true, "web_services": {"external_fqdns": ["lyncweb.contoso.test"]}},
      "dns": [{"name": "lyncweb.contoso.test", "type": "A", "target": "lb"}],
      "operations": [{"op": "create_kerberos_account", "account": "POOLKERB$"},
                     {"op": "assign_kerberos_account", "account": "POOLKERB$", "site": "Site1"},
                     {"op": "set_kerberos_account_password", "site": "Site1"}],
      "clients": [{"profile": "lync-web-app", "count": 6, "requests": 24, "concurrency": 6,
                   "host": "lyncweb.contoso.test"}],
      "timeline": [{"at_hour": 1, "event": "disable_account", "user": "user002"}]})");
  INFO((s.ok() ? std::string() : s.error().message()));
  REQUIRE(s.ok());
  const auto r = run(*s);
  KP_INFO_REPORT(r);
  CHECK(r.violations == 0);
  // 24 requests 5 minutes apart, 15-minute tickets: a sign-in every third request, 8 per user; user002 is
  // disabled at hour 1 (round 12) after 4, and then every one of its 12 requests is refused.
  const auto& by = r.population.outcomes.signInsByProfile.at("lync-web-app");
  CHECK(by.ntlm == 5 * 8 + 4);
  CHECK(by.kerberos == 0);
  CHECK(by.prompt == 12);
  CHECK(r.servers.netlogonCalls == 5 * 8 + 4 + 12);
  const auto d = r.disabledAccounts().at(0);
  CHECK(d.served == 0);
  CHECK(d.refusedSignIns == 12);
  const std::string text = oneLine(scenarios::formatReport(r));
  CHECK(text.find("password sign-in refused by fe0") != std::string::npos);
  CHECK(text.find("ntlm_logon_failure: the user name or password was not accepted") != std::string::npos);
  CHECK(text.find("pass-throughs: 56 (STATUS_ACCOUNT_DISABLED 12, STATUS_SUCCESS 44)") != std::string::npos);
  CHECK(text.find("Why it was cut off: its client holds no client certificate") != std::string::npos);
}
