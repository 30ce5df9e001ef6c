#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "client/negotiate_http_client.hpp"
#include "core/common/clock.hpp"
#include "scenarios/metrics.hpp"

// The run over time, for the HTML report's charts: fixed-width buckets (10 ms to start with; when a run
// outgrows `maxBuckets` neighbours merge and the width doubles, so a run of any length keeps at most that
// many), each with the clients' outcomes (overall, per node, per profile), a latency histogram, and what the
// servers' counters did in it (Netlogon pass-throughs, MaxConcurrentApi waiters and timeouts, KDC requests
// and errors by code). Aggregated: never one row per request.
namespace kerbpool::scenarios {

// Latency histogram bins: bin i holds latencies below latencyBinUpperMs(i), 8 bins per decade from 0.1 ms.
inline constexpr std::size_t kLatencyBins = 48;
double latencyBinUpperMs(std::size_t bin);
std::size_t latencyBin(std::chrono::nanoseconds latency);
// The latency below which `q` (0..1) of a histogram's requests fell (the bin's upper edge); 0 when empty.
double histogramQuantileMs(const std::array<std::uint32_t, kLatencyBins>& bins, double q);

// The servers' cumulative counters at one moment (waiters: right now).
struct ServerSample {
  std::uint64_t netlogonCalls = 0;
  std::uint64_t semaphoreTimeouts = 0;
  std::uint64_t netlogonWaiters = 0;
  std::map<std::string, std::uint64_t> kdcRequests;  // AS-REQ, TGS-REQ
  std::map<std::string, std::uint64_t> kdcErrors;    // RFC names
};
ServerSample sampleServers(PoolWorld& world);

struct TimeBucket {
  OutcomeCounts outcomes;
  std::array<std::uint32_t, kLatencyBins> latency{};
  std::map<std::string, OutcomeCounts> byNode;  // "" when no node answered
  std::map<std::string, OutcomeCounts> byProfile;
  std::uint64_t netlogonCalls = 0;      // pass-throughs the DCs answered in the bucket
  std::uint64_t semaphoreTimeouts = 0;  // pass-throughs that gave up waiting for a MaxConcurrentApi slot
  std::uint64_t maxWaiters = 0;         // the most pass-throughs seen waiting for a slot
  std::map<std::string, std::uint64_t> kdcRequests;
  std::map<std::string, std::uint64_t> kdcErrors;

  void merge(const TimeBucket& other);
};

struct TimeSeries {
  std::chrono::milliseconds width{100};
  std::vector<TimeBucket> buckets;   // bucket i covers [i * width, (i + 1) * width) from the start
  std::vector<double> phaseStartsS;  // phase i began this many seconds after the start (phase 0: 0)
};

// Thread-safe. The clock starts at construction.
class TimeSeriesRecorder {
 public:
  explicit TimeSeriesRecorder(std::chrono::milliseconds initialWidth = std::chrono::milliseconds(10),
                              std::size_t maxBuckets = 150);

  // The counters as the run starts: the first sample's changes are counted from them.
  void baseline(const ServerSample& sample);
  void recordRequest(const client::RequestOutcome& outcome, const std::string& profile);
  // The servers' counters now: what changed since the previous sample goes to the current bucket.
  void recordServers(const ServerSample& sample);
  void markPhase(std::size_t phase);
  // The same, at an explicit time since the start (tests).
  void recordRequestAt(std::chrono::nanoseconds at, const client::RequestOutcome& outcome,
                       const std::string& profile);
  void recordServersAt(std::chrono::nanoseconds at, const ServerSample& sample);

  TimeSeries result() const;
  std::chrono::milliseconds width() const;

 private:
  TimeBucket& bucketAt(std::chrono::nanoseconds at);  // under mu_

  const std::size_t maxBuckets_;
  core::Stopwatch watch_;
  mutable std::mutex mu_;
  TimeSeries series_;
  ServerSample last_;
};

}  // namespace kerbpool::scenarios
