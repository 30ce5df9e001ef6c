// SemaphoreQueue: the MaxConcurrentApi rules with explicit times.
#include <catch2/catch.hpp>

#include "netlogon/netlogon_queue.hpp"

using namespace kerbpool;
using namespace kerbpool::netlogon;
using std::chrono::seconds;

namespace {
core::TimePoint at(std::int64_t s) {
  return core::fromUnixSeconds(1700000000 + s);
}
}  // namespace

TEST_CASE("netlogon queue: at most m holders and FIFO grants", "[netlogon][queue]") {
  SemaphoreQueue q(2, seconds(45));
  CHECK(q.arrive(1, at(0)) == ArrivalOutcome::Granted);
  CHECK(q.arrive(2, at(0)) == ArrivalOutcome::Granted);
  CHECK(q.arrive(3, at(1)) == ArrivalOutcome::Queued);
  CHECK(q.arrive(4, at(2)) == ArrivalOutcome::Queued);
  CHECK(q.arrive(5, at(3)) == ArrivalOutcome::Queued);
  CHECK(q.holders() == 2);
  CHECK(q.waiters() == 3);

  auto r = q.release(2, at(5));
  REQUIRE(r.granted);
  CHECK(r.granted->id == 3);
  CHECK(r.granted->waited == seconds(4));
  CHECK(q.holders() == 2);
  r = q.release(1, at(6));
  REQUIRE(r.granted);
  CHECK(r.granted->id == 4);
  r = q.release(3, at(7));
  REQUIRE(r.granted);
  CHECK(r.granted->id == 5);
  CHECK(q.waiters() == 0);
  // A new arrival while slots are full waits even though it is "later": no overtaking.
  CHECK(q.arrive(6, at(8)) == ArrivalOutcome::Queued);
  CHECK(q.release(42, at(8)).granted == std::nullopt);  // not a holder: nothing changes
  CHECK(q.holders() == 2);
  CHECK(q.totals().acquires == 5);
  CHECK(q.totals().maxWaiters == 3);
  CHECK(q.totals().maxHolders == 2);
  CHECK(q.totals().releases == 3);
  CHECK(q.totals().totalHold == seconds(5 + 6 + 2));
}

TEST_CASE("netlogon queue: a wait that reaches the timeout fails even if a slot frees then",
          "[netlogon][queue]") {
  SemaphoreQueue q(1, seconds(45));
  CHECK(q.arrive(1, at(0)) == ArrivalOutcome::Granted);
  CHECK(q.arrive(2, at(10)) == ArrivalOutcome::Queued);
  CHECK(q.arrive(3, at(20)) == ArrivalOutcome::Queued);
  REQUIRE(q.nextDeadline());
  CHECK(*q.nextDeadline() == at(55));
  CHECK(q.expireDue(at(54)).empty());
  CHECK(q.isWaiting(2));

  // The holder finishes exactly when call 2 reaches 45 s: 2 has timed out, 3 gets the slot.
  auto r = q.release(1, at(55));
  REQUIRE(r.expired.size() == 1);
  CHECK(r.expired[0].id == 2);
  CHECK(r.expired[0].waited == seconds(45));
  REQUIRE(r.granted);
  CHECK(r.granted->id == 3);
  CHECK(!q.isWaiting(2));
  CHECK(q.isHolding(3));
  CHECK(q.totals().timeouts == 1);
  CHECK(q.nextDeadline() == std::nullopt);
}

TEST_CASE("netlogon queue: expiry removes the oldest waiters first", "[netlogon][queue]") {
  SemaphoreQueue q(1, seconds(45));
  CHECK(q.arrive(1, at(0)) == ArrivalOutcome::Granted);
  for (CallId id = 2; id <= 6; ++id) {
    CHECK(q.arrive(id, at(static_cast<std::int64_t>(id))) == ArrivalOutcome::Queued);
  }
  auto expired = q.expireDue(at(49));  // 2, 3, 4 have waited 47, 46, 45 s
  REQUIRE(expired.size() == 3);
  CHECK(expired[0].id == 2);
  CHECK(expired[2].id == 4);
  CHECK(q.waiters() == 2);
  auto r = q.release(1, at(49));
  REQUIRE(r.granted);
  CHECK(r.granted->id == 5);
}

TEST_CASE(
    "netlogon queue: raising MaxConcurrentApi lets the oldest waiters in at once, and lowering it "
    "takes no slot away",
    "[netlogon][queue]") {
  SemaphoreQueue q(2, seconds(45));
  CHECK(q.arrive(1, at(0)) == ArrivalOutcome::Granted);
  CHECK(q.arrive(2, at(0)) == ArrivalOutcome::Granted);
  for (CallId id = 3; id <= 6; ++id) {
    CHECK(q.arrive(id, at(static_cast<std::int64_t>(id))) == ArrivalOutcome::Queued);
  }
  // 3 has waited 45 s by then: it times out; 4 and 5 take the two new slots, 6 still waits.
  auto raised = q.setMaxConcurrent(4, at(48));
  REQUIRE(raised.expired.size() == 1);
  CHECK(raised.expired[0].id == 3);
  REQUIRE(raised.granted.size() == 2);
  CHECK(raised.granted[0].id == 4);
  CHECK(raised.granted[0].waited == seconds(44));
  CHECK(raised.granted[1].id == 5);
  CHECK(q.holders() == 4);
  CHECK(q.waiters() == 1);
  CHECK(q.maxConcurrent() == 4);

  // Down to 1 with 4 holders: nobody loses a slot, nobody new gets one until fewer than 1 hold it.
  auto lowered = q.setMaxConcurrent(1, at(48));
  CHECK(lowered.granted.empty());
  CHECK(q.holders() == 4);
  CHECK_FALSE(q.release(1, at(49)).granted);
  CHECK_FALSE(q.release(2, at(49)).granted);
  CHECK_FALSE(q.release(4, at(49)).granted);
  auto last = q.release(5, at(50));  // 6 has waited 44 s
  REQUIRE(last.granted);
  CHECK(last.granted->id == 6);
  CHECK(q.holders() == 1);
  CHECK(q.arrive(7, at(50)) == ArrivalOutcome::Queued);
}
