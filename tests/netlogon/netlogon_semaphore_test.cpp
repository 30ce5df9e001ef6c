// NetlogonSemaphore with real threads: limits, FIFO, timeouts as STATUS_NO_LOGON_SERVERS, events and
// counters. Time is a ManualClock moved by the test (TimeoutMode::External); threads are lined up with
// awaitWaitersForTest, never with sleeps.
#include <catch2/catch.hpp>

#include <mutex>
#include <thread>
#include <vector>

#include "kdc/event_log.hpp"  // the sink the semaphore writes its events to in production
#include "netlogon/netlogon_semaphore.hpp"

using namespace kerbpool;
using namespace kerbpool::netlogon;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

constexpr milliseconds kLimit{10000};  // only reached when the code under test is broken

struct Fixture {
  core::ManualClock clock{core::fromUnixSeconds(1700000000)};
  kdc::EventLog events{clock, 256};
  std::unique_ptr<NetlogonSemaphore> sem;

  explicit Fixture(unsigned m, core::Micros warning = core::Micros(0)) {
    NetlogonSemaphoreConfig c;
    c.maxConcurrentApi = m;
    c.timeouts = TimeoutMode::External;
    c.events.warningEventThreshold = warning;
    auto s = NetlogonSemaphore::create(c, clock, &events);
    REQUIRE(s.ok());
    sem = std::move(s).value();
  }
};

CallInfo alice() {
  return CallInfo{"alice", "CONTOSO"};
}

}  // namespace

TEST_CASE("netlogon semaphore: MaxConcurrentApi must be 1..150 and presets are valid",
          "[netlogon][semaphore]") {
  core::ManualClock clock(core::fromUnixSeconds(0));
  for (unsigned m : {0u, 151u}) {
    NetlogonSemaphoreConfig c;
    c.maxConcurrentApi = m;
    auto s = NetlogonSemaphore::create(c, clock, nullptr);
    REQUIRE(!s.ok());
    CHECK(s.error().code == "max_concurrent_api_out_of_range");
  }
  NetlogonSemaphoreConfig c;
  c.waitTimeout = core::Micros(0);
  CHECK(validateSemaphoreConfig(c).error().code == "bad_wait_timeout");
  c = {};
  c.events.warningEventThreshold = seconds(46);
  CHECK(validateSemaphoreConfig(c).error().code == "bad_warning_threshold");
  for (unsigned m : {max_concurrent_api::kMin, max_concurrent_api::kWindows2008R2,
                     max_concurrent_api::kWindows2012, max_concurrent_api::kMax}) {
    NetlogonSemaphoreConfig ok;
    ok.maxConcurrentApi = m;
    CHECK(validateSemaphoreConfig(ok).ok());
  }
  CHECK(NetlogonSemaphoreConfig{}.maxConcurrentApi == 10);
  CHECK(NetlogonSemaphoreConfig{}.waitTimeout == seconds(45));
}

TEST_CASE("netlogon semaphore: the third call waits for one of two slots", "[netlogon][semaphore]") {
  Fixture f(2);
  Acquisition a = f.sem->acquire(alice());
  Acquisition b = f.sem->acquire(alice());
  REQUIRE(a.granted());
  REQUIRE(b.granted());
  CHECK(f.sem->holders() == 2);

  Acquisition c;
  std::thread t([&] { c = f.sem->acquire(alice()); });
  REQUIRE(f.sem->awaitWaitersForTest(1, kLimit));
  CHECK(f.sem->counters().semaphoreWaiters == 1);
  CHECK(f.sem->counters().semaphoreHolders == 2);
  f.clock.advance(seconds(3));
  a.permit.release();
  t.join();
  REQUIRE(c.granted());
  CHECK(c.waited == seconds(3));
  CHECK(f.sem->holders() == 2);
  CHECK(f.sem->waiters() == 0);
  b.permit.release();
  c.permit.release();
  SemaphoreCounters k = f.sem->counters();
  CHECK(k.semaphoreAcquires == 3);
  CHECK(k.semaphoreHolders == 0);
  CHECK(k.semaphoreTimeouts == 0);
  CHECK(k.maxWaiters == 1);
  // Holds: a 3 s, b 3 s, c 0 s.
  CHECK(k.averageSemaphoreHoldTime == Approx(2.0));
}

TEST_CASE("netlogon semaphore: waiters get the slot in arrival order", "[netlogon][semaphore]") {
  Fixture f(1);
  Acquisition first = f.sem->acquire(alice());
  REQUIRE(first.granted());
  std::mutex mu;
  std::vector<int> order;
  std::vector<std::thread> threads;
  for (int i = 0; i < 5; ++i) {
    threads.emplace_back([&, i] {
      Acquisition a = f.sem->acquire(CallInfo{"user" + std::to_string(i), "CONTOSO"});
      std::lock_guard lock(mu);  // Catch2 assertions stay on the main thread
      order.push_back(a.granted() ? i : -1);
    });  // the permit is released when `a` goes out of scope
    REQUIRE(f.sem->awaitWaitersForTest(static_cast<std::size_t>(i + 1), kLimit));
  }
  first.permit.release();
  for (auto& t : threads) {
    t.join();
  }
  CHECK(order == std::vector<int>{0, 1, 2, 3, 4});
  CHECK(f.sem->counters().semaphoreAcquires == 6);
}

TEST_CASE("netlogon semaphore: a 45 s wait fails with STATUS_NO_LOGON_SERVERS and event 5816",
          "[netlogon][semaphore]") {
  Fixture f(1);
  Acquisition holder = f.sem->acquire(alice());
  Acquisition late;
  std::thread t([&] { late = f.sem->acquire(CallInfo{"bob", "CONTOSO"}); });
  REQUIRE(f.sem->awaitWaitersForTest(1, kLimit));

  f.clock.advance(seconds(44));
  CHECK(f.sem->checkTimeouts() == 0);
  CHECK(f.sem->waiters() == 1);
  f.clock.advance(seconds(1));
  CHECK(f.sem->checkTimeouts() == 1);
  t.join();
  CHECK(late.status == NtStatus::STATUS_NO_LOGON_SERVERS);
  CHECK(!late.permit.held());
  CHECK(late.waited == seconds(45));
  CHECK(f.sem->counters().semaphoreTimeouts == 1);
  auto e5816 = f.events.query(event_id::kNetlogonRequestTimedOut);
  REQUIRE(e5816.size() == 1);
  CHECK(e5816[0].source == event_source::kNetlogon);
  CHECK(e5816[0].fields.at("AccountName") == "bob");
  CHECK(e5816[0].fields.at("DomainController") == "DC01");

  // Two more timeouts in the same period: no new 5816; one 5817 with the count when the period ends.
  for (int i = 0; i < 2; ++i) {
    Acquisition more;
    std::thread u([&] { more = f.sem->acquire(alice()); });
    REQUIRE(f.sem->awaitWaitersForTest(1, kLimit));
    f.clock.advance(seconds(45));
    CHECK(f.sem->checkTimeouts() == 1);
    u.join();
    CHECK(more.status == NtStatus::STATUS_NO_LOGON_SERVERS);
  }
  CHECK(f.events.count(event_id::kNetlogonRequestTimedOut) == 1);
  CHECK(f.events.count(event_id::kNetlogonRequestsTimedOut) == 0);
  f.clock.advance(seconds(1800));
  f.sem->checkTimeouts();
  auto e5817 = f.events.query(event_id::kNetlogonRequestsTimedOut);
  REQUIRE(e5817.size() == 1);
  CHECK(e5817[0].fields.at("Count") == "2");
  CHECK(e5817[0].fields.at("PeriodMinutes") == "30");
  CHECK(f.sem->counters().semaphoreTimeouts == 3);
  CHECK(f.sem->counters().semaphoreAcquires == 1);
  holder.permit.release();
}

TEST_CASE("netlogon semaphore: waits over WarningEventThreshold write 5818 then 5819",
          "[netlogon][semaphore]") {
  Fixture f(1, seconds(10));
  Acquisition holder = f.sem->acquire(alice());
  auto waitThenRelease = [&](core::Micros wait) {
    Acquisition next;
    std::thread t([&] { next = f.sem->acquire(CallInfo{"carol", "CONTOSO"}); });
    REQUIRE(f.sem->awaitWaitersForTest(1, kLimit));
    f.clock.advance(wait);
    holder.permit.release();
    t.join();
    REQUIRE(next.granted());
    holder = std::move(next);
  };
  waitThenRelease(seconds(5));  // under the threshold
  CHECK(f.events.count(event_id::kNetlogonSlowRequest) == 0);
  waitThenRelease(seconds(12));
  auto e5818 = f.events.query(event_id::kNetlogonSlowRequest);
  REQUIRE(e5818.size() == 1);
  CHECK(e5818[0].fields.at("AccountName") == "carol");
  CHECK(e5818[0].fields.at("ThresholdSeconds") == "10");
  waitThenRelease(seconds(20));
  waitThenRelease(seconds(20));
  CHECK(f.events.count(event_id::kNetlogonSlowRequest) == 1);
  f.clock.advance(seconds(1800));
  f.sem->checkTimeouts();
  auto e5819 = f.events.query(event_id::kNetlogonSlowRequests);
  REQUIRE(e5819.size() == 1);
  CHECK(e5819[0].fields.at("Count") == "2");
  holder.permit.release();
}

TEST_CASE("netlogon semaphore: in real time a waiter times out by itself", "[netlogon][semaphore]") {
  core::SystemClock clock;
  NetlogonSemaphoreConfig c;
  c.maxConcurrentApi = 1;
  c.waitTimeout = milliseconds(30);
  auto sem = NetlogonSemaphore::create(c, clock, nullptr);
  REQUIRE(sem.ok());
  Acquisition holder = (*sem)->acquire(alice());
  Acquisition late = (*sem)->acquire(alice());  // blocks until its own deadline: nobody releases
  CHECK(late.status == NtStatus::STATUS_NO_LOGON_SERVERS);
  CHECK(late.waited >= milliseconds(30));
  CHECK((*sem)->counters().semaphoreTimeouts == 1);
  holder.permit.release();
  CHECK((*sem)->acquire(alice()).granted());
}

TEST_CASE("netlogon semaphore: perf counters print under Windows' names", "[netlogon][semaphore]") {
  SemaphoreCounters k;
  k.semaphoreWaiters = 3;
  k.semaphoreHolders = 2;
  k.semaphoreAcquires = 10;
  k.semaphoreTimeouts = 1;
  k.averageSemaphoreHoldTime = 0.05;
  const std::string text = formatPerfCounters(k, "FE01$");
  CHECK(text.find("\\Netlogon(FE01$)\\Semaphore Waiters  3\n") != std::string::npos);
  CHECK(text.find("Semaphore Holders  2") != std::string::npos);
  CHECK(text.find("Semaphore Acquires  10") != std::string::npos);
  CHECK(text.find("Semaphore Timeouts  1") != std::string::npos);
  CHECK(text.find("Average Semaphore Hold Time  0.050") != std::string::npos);
}

TEST_CASE("netlogon semaphore: a new MaxConcurrentApi is in force at once and wakes the waiters it admits",
          "[netlogon][semaphore]") {
  Fixture f(1);
  Acquisition a = f.sem->acquire(alice());
  REQUIRE(a.granted());
  Acquisition b;
  std::thread t([&] { b = f.sem->acquire(CallInfo{"bob", "CONTOSO"}); });
  REQUIRE(f.sem->awaitWaitersForTest(1, kLimit));
  f.clock.advance(seconds(2));

  CHECK(f.sem->setMaxConcurrentApi(151).error().code == "max_concurrent_api_out_of_range");
  CHECK(f.sem->setMaxConcurrentApi(0).error().code == "max_concurrent_api_out_of_range");
  CHECK(f.sem->maxConcurrentApi() == 1);
  CHECK(f.sem->waiters() == 1);

  REQUIRE(f.sem->setMaxConcurrentApi(2).ok());
  t.join();  // woken by the change, not by a release: a still holds its slot
  REQUIRE(b.granted());
  CHECK(b.waited == seconds(2));
  CHECK(f.sem->maxConcurrentApi() == 2);
  CHECK(f.sem->holders() == 2);
  CHECK(f.sem->config().maxConcurrentApi == 1);  // the configuration it was created with
}
