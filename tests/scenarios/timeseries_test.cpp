// The HTML report's time series: buckets, the width doubling that bounds their number, the servers' counters
// as per-bucket changes, and percentiles read off the latency histogram.
#include <catch2/catch.hpp>

#include "scenarios/timeseries.hpp"

using namespace kerbpool;
using namespace std::chrono_literals;
using scenarios::ServerSample;
using scenarios::TimeSeriesRecorder;

namespace {

client::RequestOutcome outcome(client::OutcomeKind kind, std::chrono::nanoseconds latency, std::string node) {
  client::RequestOutcome o;
  o.kind = kind;
  o.latency = latency;
  o.node = std::move(node);
  return o;
}

}  // namespace

TEST_CASE("time series: a request lands in the bucket of its time, by outcome, node and profile",
          "[scenarios][timeseries]") {
  TimeSeriesRecorder recorder(10ms, 100);
  recorder.recordRequestAt(5ms, outcome(client::OutcomeKind::Ntlm, 2ms, "fe01"), "internal-pc");
  recorder.recordRequestAt(25ms, outcome(client::OutcomeKind::Kerberos, 3ms, "fe02"), "internal-pc");
  recorder.recordRequestAt(29ms, outcome(client::OutcomeKind::Kerberos, 40ms, "fe02"), "vpn");
  const auto ts = recorder.result();
  REQUIRE(ts.width == 10ms);
  REQUIRE(ts.buckets.size() == 3);
  CHECK(ts.buckets[0].outcomes.ntlm == 1);
  CHECK(ts.buckets[1].outcomes.total() == 0);
  CHECK(ts.buckets[2].outcomes.kerberos == 2);
  CHECK(ts.buckets[2].byNode.at("fe02").kerberos == 2);
  CHECK(ts.buckets[2].byProfile.at("vpn").kerberos == 1);
  CHECK(ts.buckets[0].byNode.at("fe01").ntlm == 1);
  CHECK(scenarios::histogramQuantileMs(ts.buckets[2].latency, 0.5) < 5.0);
  CHECK(scenarios::histogramQuantileMs(ts.buckets[2].latency, 0.99) >= 40.0);
}

TEST_CASE("time series: a run longer than maxBuckets merges neighbours and doubles the width",
          "[scenarios][timeseries]") {
  TimeSeriesRecorder recorder(10ms, 4);
  for (int i = 0; i < 4; ++i) {
    recorder.recordRequestAt(std::chrono::milliseconds(10 * i + 1),
                             outcome(client::OutcomeKind::Kerberos, 1ms, "fe01"), "p");
  }
  REQUIRE(recorder.result().buckets.size() == 4);
  recorder.recordRequestAt(45ms, outcome(client::OutcomeKind::Ntlm, 1ms, "fe01"), "p");
  auto ts = recorder.result();
  CHECK(ts.width == 20ms);
  REQUIRE(ts.buckets.size() == 3);
  CHECK(ts.buckets[0].outcomes.kerberos == 2);
  CHECK(ts.buckets[1].outcomes.kerberos == 2);
  CHECK(ts.buckets[2].outcomes.ntlm == 1);
  // Far later: the width keeps doubling until the time fits, nothing is lost.
  recorder.recordRequestAt(1000ms, outcome(client::OutcomeKind::Failed, 1ms, ""), "p");
  ts = recorder.result();
  CHECK(ts.buckets.size() <= 4);
  CHECK(ts.width == 320ms);
  std::uint64_t total = 0;
  for (const auto& b : ts.buckets) {
    total += b.outcomes.total();
  }
  CHECK(total == 6);
  CHECK(ts.buckets.back().outcomes.failed == 1);
}

TEST_CASE("time series: the servers' cumulative counters become what changed in each bucket",
          "[scenarios][timeseries]") {
  TimeSeriesRecorder recorder(10ms, 100);
  ServerSample start;
  start.netlogonCalls = 100;  // before the clients started: not counted
  start.kdcRequests["AS-REQ"] = 7;
  recorder.baseline(start);
  ServerSample s1 = start;
  s1.netlogonCalls = 130;
  s1.netlogonWaiters = 4;
  s1.kdcRequests["AS-REQ"] = 9;
  s1.kdcErrors["KDC_ERR_S_PRINCIPAL_UNKNOWN"] = 3;
  recorder.recordServersAt(12ms, s1);
  ServerSample s2 = s1;
  s2.netlogonWaiters = 1;
  s2.semaphoreTimeouts = 2;
  s2.kdcErrors["KDC_ERR_S_PRINCIPAL_UNKNOWN"] = 5;
  recorder.recordServersAt(18ms, s2);
  const auto ts = recorder.result();
  REQUIRE(ts.buckets.size() == 2);
  const auto& b = ts.buckets[1];
  CHECK(b.netlogonCalls == 30);
  CHECK(b.maxWaiters == 4);  // the most seen in the bucket, not the last
  CHECK(b.semaphoreTimeouts == 2);
  CHECK(b.kdcRequests.at("AS-REQ") == 2);
  CHECK(b.kdcErrors.at("KDC_ERR_S_PRINCIPAL_UNKNOWN") == 5);
  CHECK(ts.buckets[0].netlogonCalls == 0);
}

TEST_CASE("time series: latency bins are 8 per decade from 0.1 ms and quantiles read their upper edge",
          "[scenarios][timeseries]") {
  CHECK(scenarios::latencyBin(50us) == 0);
  CHECK(scenarios::latencyBin(1500us) ==
        9);  // bin 9: 0.1 ms * 10^(9/8) = 1.33 ms to 0.1 ms * 10^(10/8) = 1.78 ms
  CHECK(scenarios::latencyBin(std::chrono::seconds(1000)) == scenarios::kLatencyBins - 1);
  std::array<std::uint32_t, scenarios::kLatencyBins> bins{};
  CHECK(scenarios::histogramQuantileMs(bins, 0.5) == 0.0);
  bins[scenarios::latencyBin(2ms)] = 99;
  bins[scenarios::latencyBin(200ms)] = 1;
  CHECK(scenarios::histogramQuantileMs(bins, 0.5) ==
        Approx(scenarios::latencyBinUpperMs(scenarios::latencyBin(2ms))));
  CHECK(scenarios::histogramQuantileMs(bins, 1.0) > 200.0);
  CHECK(scenarios::histogramQuantileMs(bins, 1.0) <= 200.0 * 1.34);
}
