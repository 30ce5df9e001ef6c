// The discrete-event model of one secure channel, qualitatively, with fixed seeds.
#include <catch2/catch.hpp>

#include "netlogon/dc_latency_model.hpp"
#include "netlogon/netlogon_model.hpp"

using namespace kerbpool;
using namespace kerbpool::netlogon;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

NetlogonModelConfig channel(unsigned m, double load, core::Micros duration = seconds(120)) {
  NetlogonModelConfig c;
  c.maxConcurrentApi = m;
  c.hold.mean = milliseconds(50);
  c.arrivalsPerSecond = load * m / 0.050;
  c.arrivalSeed = 11;
  c.duration = duration;
  return c;
}

NetlogonModelReport run(const NetlogonModelConfig& c) {
  auto r = runNetlogonModel(c);
  INFO((r.ok() ? std::string() : r.error().message()));
  REQUIRE(r.ok());
  return *r;
}

}  // namespace

TEST_CASE("netlogon model: throughput never exceeds m/h", "[netlogon][model]") {
  for (unsigned m : {1u, 2u, 10u, 150u}) {
    for (double load : {0.5, 1.0, 3.0}) {
      INFO("m=" << m << " load=" << load);
      auto r = run(channel(m, load, seconds(60)));
      CHECK(r.capacityPerSecond == Approx(m / 0.050));
      // Each slot completes at most one call per h.
      CHECK(r.completed <= static_cast<std::uint64_t>(m) * 60 * 20);
      CHECK(r.maxHolders <= m);
      CHECK(r.grantedInArrivalOrder);
    }
  }
}

TEST_CASE("netlogon model: below saturation no call times out and latency is about h", "[netlogon][model]") {
  for (unsigned m : {2u, 10u, 150u}) {
    INFO("m=" << m);
    auto r = run(channel(m, 0.5));
    CHECK(r.timedOut == 0);
    CHECK(r.p50Latency == milliseconds(50));
    CHECK(r.meanLatency < milliseconds(75));
    CHECK(r.throughputPerSecond == Approx(r.offeredPerSecond).epsilon(0.02));
  }
  // With many slots, most calls do not wait even at 90 % load.
  auto r = run(channel(150, 0.9));
  CHECK(r.timedOut == 0);
  CHECK(r.p50Latency == milliseconds(50));
  CHECK(r.meanLatency < milliseconds(60));
}

TEST_CASE("netlogon model: above saturation the queue grows and throughput pins at m/h",
          "[netlogon][model]") {
  for (unsigned m : {2u, 10u, 150u}) {
    INFO("m=" << m);
    auto r = run(channel(m, 1.5, seconds(60)));
    CHECK(r.throughputPerSecond == Approx(r.capacityPerSecond).epsilon(0.02));
    REQUIRE(r.waiterSeries.size() == 60);
    CHECK(r.waiterSeries[9] < r.waiterSeries[19]);
    CHECK(r.waiterSeries[19] < r.waiterSeries[39]);
    CHECK(r.waiterSeries[39] < r.waiterSeries[59]);
    CHECK(r.meanWait > seconds(1));
  }
}

TEST_CASE("netlogon model: timeouts appear once waits reach the timeout", "[netlogon][model]") {
  // 2x overload: the call arriving at t waits about t, so the first to wait 45 s arrives near t = 45 s
  // and fails near t = 90 s.
  auto r = run(channel(2, 2.0));
  CHECK(r.timedOut > 0);
  REQUIRE(r.firstTimeoutAt);
  CHECK(*r.firstTimeoutAt > seconds(80));
  CHECK(*r.firstTimeoutAt < seconds(100));
  CHECK(r.maxLatency <= seconds(45) + milliseconds(50));
  // A shorter run at the same load ends before any wait reaches 45 s.
  auto early = run(channel(2, 2.0, seconds(80)));
  CHECK(early.timedOut == 0);
  CHECK(early.waitingAtEnd > 0);
}

TEST_CASE("netlogon model: a seed gives one report and arrivals follow their config", "[netlogon][model]") {
  auto c = channel(10, 1.2, seconds(30));
  c.hold.distribution = HoldDistribution::Exponential;
  auto a = run(c);
  auto b = run(c);
  CHECK(a.offered == b.offered);
  CHECK(a.completed == b.completed);
  CHECK(a.p99Latency == b.p99Latency);
  CHECK(a.waiterSeries == b.waiterSeries);
  c.arrivalSeed = 12;
  auto other = run(c);
  CHECK(other.offered != a.offered);

  auto fixed = channel(10, 1.0, seconds(10));
  fixed.arrivals = ArrivalProcess::FixedInterval;
  CHECK(run(fixed).offered == 2000);
}

TEST_CASE("netlogon model: bad configurations are typed errors", "[netlogon][model]") {
  auto c = channel(10, 1.0);
  c.arrivalsPerSecond = 0;
  CHECK(runNetlogonModel(c).error().code == "bad_arrival_rate");
  c = channel(10, 1.0);
  c.maxConcurrentApi = 151;
  CHECK(runNetlogonModel(c).error().code == "max_concurrent_api_out_of_range");
  c = channel(10, 1.0);
  c.duration = core::Micros(0);
  CHECK(runNetlogonModel(c).error().code == "bad_duration");
  c = channel(10, 1.0);
  c.hold.distribution = HoldDistribution::LogNormal;
  c.hold.sigma = 0;
  CHECK(runNetlogonModel(c).error().code == "bad_sigma");
}

TEST_CASE("dc latency model: fixed and exponential and lognormal hold times keep their means",
          "[netlogon][latency]") {
  DcLatencyModel fixed({HoldDistribution::Fixed, milliseconds(50), 0.5, 1});
  for (int i = 0; i < 10; ++i) {
    CHECK(fixed.sample() == milliseconds(50));
  }
  for (auto d : {HoldDistribution::Exponential, HoldDistribution::LogNormal}) {
    INFO(toString(d));
    DcLatencyModel m({d, milliseconds(50), 0.8, 42});
    DcLatencyModel same({d, milliseconds(50), 0.8, 42});
    double sum = 0;
    bool varies = false;
    core::Micros first = m.sample();
    CHECK(same.sample() == first);
    const int n = 40000;
    int mismatches = 0;
    int negatives = 0;
    for (int i = 0; i < n; ++i) {
      core::Micros s = m.sample();
      mismatches += s != same.sample() ? 1 : 0;
      negatives += s < core::Micros(0) ? 1 : 0;
      varies = varies || s != first;
      sum += static_cast<double>(s.count());
    }
    CHECK(mismatches == 0);
    CHECK(negatives == 0);
    CHECK(varies);
    CHECK(sum / n == Approx(50000.0).epsilon(0.03));
  }
  CHECK(parseHoldDistribution("lognormal").value() == HoldDistribution::LogNormal);
  CHECK(parseHoldDistribution("gamma").error().code == "unknown_hold_distribution");
  CHECK(validateLatencyConfig({HoldDistribution::Fixed, core::Micros(-1), 0.5, 1}).error().code ==
        "bad_hold_time");
}
