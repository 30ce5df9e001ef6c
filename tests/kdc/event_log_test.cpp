#include <catch2/catch.hpp>

#include "core/common/clock.hpp"
#include "kdc/event_log.hpp"
#include "kdc/kdc_context.hpp"

using namespace kerbpool;
using namespace kerbpool::kdc;

TEST_CASE("event log: records are stamped with the injected clock and numbered", "[kdc][events]") {
  core::ManualClock clock(core::fromUnixSeconds(1700000000));
  EventLog log(clock, 8);
  auto first = log.append(event_id::kTgtRequested, event_source::kSecurityAuditing,
                          {{"TargetUserName", "alice"}, {"Status", "0x0"}},
                          "A Kerberos authentication ticket (TGT) was requested.");
  clock.advance(std::chrono::seconds(5));
  auto second = log.append(event_id::kServiceTicketRequested, event_source::kSecurityAuditing,
                           {{"ServiceName", "HTTP/pool.contoso.test"}, {"Status", "0x7"}},
                           "A Kerberos service ticket was requested.");
  CHECK(first == 1);
  CHECK(second == 2);
  auto tgt = log.query(event_id::kTgtRequested);
  REQUIRE(tgt.size() == 1);
  CHECK(tgt[0].time == core::fromUnixSeconds(1700000000));
  CHECK(tgt[0].source == "Microsoft-Windows-Security-Auditing");
  CHECK(tgt[0].fields.at("TargetUserName") == "alice");
  auto st = log.query(event_id::kServiceTicketRequested);
  REQUIRE(st.size() == 1);
  CHECK(st[0].time == core::fromUnixSeconds(1700000005));
  CHECK(log.query(event_id::kPreAuthFailed).empty());
  CHECK(log.querySince(event_id::kServiceTicketRequested, 2).empty());
  CHECK(log.querySince(event_id::kServiceTicketRequested, 1).size() == 1);
}

TEST_CASE("event log: the ring keeps the newest records, counters count them all", "[kdc][events]") {
  core::ManualClock clock(core::fromUnixSeconds(0));
  EventLog log(clock, 4);
  for (int i = 0; i < 6; ++i) {
    log.append(event_id::kNtlmCredentialValidation, event_source::kSecurityAuditing,
               {{"n", std::to_string(i)}}, "");
  }
  log.append(event_id::kDuplicateName, event_source::kKdc, {}, "");
  CHECK(log.size() == 4);
  CHECK(log.capacity() == 4);
  CHECK(log.evicted() == 3);
  CHECK(log.count(event_id::kNtlmCredentialValidation) == 6);
  CHECK(log.count(event_id::kDuplicateName) == 1);
  CHECK(log.count(netlogon::event_id::kNetlogonRequestTimedOut) == 0);
  CHECK(log.counters() == std::map<int, std::uint64_t>{{4776, 6}, {11, 1}});
  auto all = log.all();
  REQUIRE(all.size() == 4);
  CHECK(all.front().fields.at("n") == "3");
  CHECK(all.front().recordNumber == 4);
  CHECK(all.back().id == 11);
  CHECK(all.back().recordNumber == 7);
}

TEST_CASE("event log: fields named like secrets are redacted", "[kdc][events]") {
  core::ManualClock clock(core::fromUnixSeconds(0));
  EventLog log(clock);
  log.append(event_id::kPreAuthFailed, event_source::kSecurityAuditing,
             {{"Password", "Passw0rd!"},
              {"SessionKey", "00112233"},
              {"key", "aa"},
              {"ClientSecret", "s"},
              {"OLD_PASSWORD_HASH", "h"},
              {"AesKEYS", "k"},
              {"AFieldNameLongerThanSixtyFourCharactersThatStillEndsInAServicePassword", "p"},
              {"KeyVersionNumber", "2"},
              {"TicketEncryptionType", "0x12"},
              {"TargetUserName", "alice"}},
             "Kerberos pre-authentication failed.");
  auto r = log.query(event_id::kPreAuthFailed).at(0);
  CHECK(r.fields.at("Password") == "<redacted>");
  CHECK(r.fields.at("SessionKey") == "<redacted>");
  CHECK(r.fields.at("key") == "<redacted>");
  CHECK(r.fields.at("ClientSecret") == "<redacted>");
  CHECK(r.fields.at("OLD_PASSWORD_HASH") == "<redacted>");  // any case, anywhere in the name
  CHECK(r.fields.at("AesKEYS") == "<redacted>");
  CHECK(r.fields.at("AFieldNameLongerThanSixtyFourCharactersThatStillEndsInAServicePassword") ==
        "<redacted>");
  CHECK(r.fields.at("KeyVersionNumber") == "2");
  CHECK(r.fields.at("TicketEncryptionType") == "0x12");
  CHECK(r.fields.at("TargetUserName") == "alice");
}

TEST_CASE("event log: as a secure channel's event sink, write() appends the record", "[kdc][events]") {
  core::ManualClock clock(core::fromUnixSeconds(1700000000));
  EventLog log(clock, 8);
  netlogon::EventSink& sink = log;
  sink.write(netlogon::event_id::kNetlogonRequestTimedOut, netlogon::event_source::kNetlogon,
             {{"AccountName", "alice"}}, "timed out");
  auto records = log.query(5816);
  REQUIRE(records.size() == 1);
  CHECK(records[0].source == "NETLOGON");
  CHECK(records[0].fields.at("AccountName") == "alice");
  CHECK(records[0].time == clock.now());
  CHECK(records[0].recordNumber == 1);
}

TEST_CASE("event log: counts by Status and by text survive the ring's evictions", "[kdc][events]") {
  core::ManualClock clock(core::fromUnixSeconds(0));
  EventLog log(clock, 2);
  for (int i = 0; i < 5; ++i) {
    log.append(event_id::kServiceTicketRequested, event_source::kSecurityAuditing,
               {{"Status", i < 3 ? "0x7" : "0x0"}}, "A Kerberos service ticket request failed.");
  }
  for (int i = 0; i < 3; ++i) {
    log.append(event_id::kDuplicateName, event_source::kKdc, {}, "duplicate HTTP/pool.contoso.test");
  }
  log.append(event_id::kDuplicateName, event_source::kKdc, {}, "duplicate HTTP/web.contoso.test");
  CHECK(log.size() == 2);
  CHECK(log.countsByStatus(event_id::kServiceTicketRequested) ==
        std::map<std::string, std::uint64_t>{{"0x0", 2}, {"0x7", 3}});
  CHECK(log.countsByStatus(event_id::kDuplicateName).empty());  // event 11 has no Status
  CHECK(log.countsByMessage(event_id::kDuplicateName) ==
        std::map<std::string, std::uint64_t>{{"duplicate HTTP/pool.contoso.test", 3},
                                             {"duplicate HTTP/web.contoso.test", 1}});

  // Distinct texts are bounded: past the limit they are counted together under "".
  for (std::size_t i = 0; i < EventLog::kMaxMessagesPerId + 5; ++i) {
    log.append(event_id::kNoSuitableKeyTgs, event_source::kKdc, {}, "text " + std::to_string(i));
  }
  const auto texts = log.countsByMessage(event_id::kNoSuitableKeyTgs);
  CHECK(texts.size() == EventLog::kMaxMessagesPerId + 1);
  CHECK(texts.at("") == 5);
}

TEST_CASE("event log: status and enctype fields are hex as Windows writes them", "[kdc][events]") {
  CHECK(kdc::windowsHex(0) == "0x0");
  CHECK(kdc::windowsHex(0x12) == "0x12");
  CHECK(kdc::windowsHex(0x19) == "0x19");
  CHECK(kdc::windowsHex(0x7fffffff) == "0x7fffffff");
  CHECK(kdc::windowsHex(-1) == "0xffffffff");  // a 32-bit value: "no enctype" in event 4768
}
