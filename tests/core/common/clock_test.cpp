#include <catch2/catch.hpp>

#include "core/common/clock.hpp"

using namespace kerbpool::core;

TEST_CASE("SteppedClock runs at its base's speed and jumps forward, never back", "[core][clock]") {
  ManualClock wall(fromUnixSeconds(1'000'000));
  SteppedClock sim(wall, fromUnixSeconds(2'000'000));
  CHECK(sim.now() == fromUnixSeconds(2'000'000));
  wall.advance(std::chrono::seconds(3));  // within a round: wall speed
  CHECK(sim.now() == fromUnixSeconds(2'000'003));
  sim.jumpTo(fromUnixSeconds(2'000'900));  // the next round's start
  CHECK(sim.now() == fromUnixSeconds(2'000'900));
  wall.advance(std::chrono::seconds(2));
  CHECK(sim.now() == fromUnixSeconds(2'000'902));
  sim.jumpTo(fromUnixSeconds(2'000'901));  // already passed (a round longer than its step): no step back
  CHECK(sim.now() == fromUnixSeconds(2'000'902));
  CHECK(wall.now() == fromUnixSeconds(1'000'005));  // the base is only read
}
