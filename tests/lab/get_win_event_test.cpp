// `kerbpool lab Get-WinEvent`: its parameters and its table.
#include <catch2/catch.hpp>

#include "lab/get_win_event.hpp"

using namespace kerbpool;

TEST_CASE("Get-WinEvent: -ComputerName, -Id (or -FilterHashtable @{Id=N}) and -MaxEvents", "[lab]") {
  auto q = lab::parseGetWinEvent({"Get-WinEvent", "-computername", "DC01", "-Id", "4769", "-MaxEvents", "5"});
  REQUIRE(q.ok());
  CHECK(q->computer == "DC01");
  CHECK(q->id == 4769);
  CHECK(q->maxEvents == 5);
  auto h = lab::parseGetWinEvent({"Get-WinEvent", "-FilterHashtable", "@{LogName='Security'; Id=4776}"});
  REQUIRE(h.ok());
  CHECK(h->id == 4776);
  CHECK(h->maxEvents == 20);  // the lab's default page

  for (const std::vector<std::string>& bad : {std::vector<std::string>{"Get-WinEvent", "-MaxEvents", "0"},
                                              {"Get-WinEvent", "-MaxEvents", "ten"},
                                              {"Get-WinEvent", "-Id", "70000"},
                                              {"Get-WinEvent", "-Id"},
                                              {"Get-WinEvent", "-LogName", "Security"},
                                              {"Get-WinEvent", "-FilterHashtable", "@{LogName='System'}"}}) {
    auto r = lab::parseGetWinEvent(bad);
    INFO(bad.back());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "bad_get_winevent");
  }
}

TEST_CASE("Get-WinEvent: PowerShell's columns, the run, the message's first line", "[lab]") {
  CHECK(lab::formatWinEvents({}) ==
        std::vector<std::string>{
            "Get-WinEvent : No events were found that match the specified selection criteria."});
  lab::StoredEvent e;
  e.run = 3;
  e.computer = "DC01";
  e.record.id = 4769;
  e.record.time = core::fromUnixSeconds(1796398200);  // 2026-12-04 15:30:00 UTC
  e.record.source = "Microsoft-Windows-Security-Auditing";
  e.record.message = "A Kerberos service ticket was requested.\n\nAccount Information: ...";
  const auto lines = lab::formatWinEvents({e});
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].rfind("TimeCreated", 0) == 0);
  CHECK(
      lines[2] ==
      "12/4/2026 3:30:00 PM   4769  DC01        Microsoft-Windows-Security-Auditing  3   A Kerberos service "
      "ticket was requested.");
}
