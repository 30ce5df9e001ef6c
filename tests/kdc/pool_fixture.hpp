#pragma once

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/common/clock.hpp"
#include "kdc/directory.hpp"
#include "kdc/event_log.hpp"

namespace kerbpool::kdc::pooltest {

// CONTOSO.TEST with alice, three front-ends FE01$..FE03$ in Site1 (HOST SPNs), and the shared account
// POOLKERB$ (a computer object) assigned to Site1 but holding no SPN yet: each test decides who holds
// HTTP/pool.contoso.test.
struct PoolFixture {
  core::ManualClock clock{core::fromUnixSeconds(1700000000)};
  EventLog events{clock, 64};
  Directory dir{"contoso.test", events};

  static void ok(const core::Status& s) {
    INFO((s.ok() ? std::string() : s.error().message()));
    REQUIRE(s.ok());
  }
  template <typename T>
  static T take(core::Result<T> r) {
    INFO((r.ok() ? std::string() : r.error().message()));
    REQUIRE(r.ok());
    return std::move(r).value();
  }

  void addComputer(const std::string& sam, const std::string& host) {
    AccountSpec spec;
    spec.samAccountName = sam;
    spec.kind = AccountKind::Computer;
    spec.dnsHostName = host + ".contoso.test";
    spec.site = "Site1";
    ok(dir.addAccount(spec));
    take(dir.setPassword(sam, sam + "-machine-password"));
    take(dir.addSpn(sam, "HOST/" + host + ".contoso.test"));
    take(dir.addSpn(sam, "HOST/" + host));
  }

  PoolFixture() {
    take(dir.setKrbtgtPassword("krbtgt-secret"));
    ok(dir.addSite("Site1"));
    AccountSpec alice;
    alice.samAccountName = "alice";
    alice.userPrincipalName = "alice@contoso.test";
    alice.memberOf = {"Domain Users", "Pool Users"};
    ok(dir.addAccount(alice));
    take(dir.setPassword("alice", "Passw0rd!"));
    addComputer("FE01$", "fe01");
    addComputer("FE02$", "fe02");
    addComputer("FE03$", "fe03");
    AccountSpec svc;
    svc.samAccountName = "POOLKERB$";
    svc.kind = AccountKind::ServiceAccount;
    svc.serviceObjectClass = ObjectClass::Computer;
    ok(dir.addAccount(svc));
    take(dir.setPassword("POOLKERB$", "pool-shared-password-1"));
    ok(dir.assignKerberosAccount("Site1", "POOLKERB$"));
  }
};

inline std::vector<std::string> names(const std::string& spn) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    std::size_t slash = spn.find('/', start);
    out.push_back(spn.substr(start, slash == std::string::npos ? slash : slash - start));
    if (slash == std::string::npos) {
      return out;
    }
    start = slash + 1;
  }
}

}  // namespace kerbpool::kdc::pooltest
