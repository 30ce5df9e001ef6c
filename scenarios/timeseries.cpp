#include "scenarios/timeseries.hpp"

#include <algorithm>
#include <cmath>

namespace kerbpool::scenarios {

namespace {

constexpr double kFirstEdgeMs = 0.1;
constexpr double kBinsPerDecade = 8;

template <typename K>
void addAll(std::map<K, std::uint64_t>& into, const std::map<K, std::uint64_t>& from) {
  for (const auto& [k, v] : from) {
    into[k] += v;
  }
}

// What grew from `before` to `after` (counters only grow; a smaller value counts as no change).
std::map<std::string, std::uint64_t> growth(const std::map<std::string, std::uint64_t>& after,
                                            const std::map<std::string, std::uint64_t>& before) {
  std::map<std::string, std::uint64_t> out;
  for (const auto& [k, v] : after) {
    const auto it = before.find(k);
    const std::uint64_t b = it == before.end() ? 0 : it->second;
    if (v > b) {
      out[k] = v - b;
    }
  }
  return out;
}

std::uint64_t grew(std::uint64_t after, std::uint64_t before) {
  return after > before ? after - before : 0;
}

}  // namespace

double latencyBinUpperMs(std::size_t bin) {
  return kFirstEdgeMs * std::pow(10.0, static_cast<double>(bin + 1) / kBinsPerDecade);
}

std::size_t latencyBin(std::chrono::nanoseconds latency) {
  const double ms = std::chrono::duration<double, std::milli>(latency).count();
  if (ms < latencyBinUpperMs(0)) {
    return 0;
  }
  const auto bin = static_cast<std::size_t>(std::floor(std::log10(ms / kFirstEdgeMs) * kBinsPerDecade));
  return std::min(bin, kLatencyBins - 1);
}

double histogramQuantileMs(const std::array<std::uint32_t, kLatencyBins>& bins, double q) {
  std::uint64_t total = 0;
  for (auto n : bins) {
    total += n;
  }
  if (total == 0) {
    return 0;
  }
  const auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(total)));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < bins.size(); ++i) {
    seen += bins[i];
    if (seen >= std::max<std::uint64_t>(rank, 1)) {
      return latencyBinUpperMs(i);
    }
  }
  return latencyBinUpperMs(bins.size() - 1);
}

ServerSample sampleServers(PoolWorld& world) {
  ServerSample s;
  for (const auto& dc : world.dcs()) {
    addAll(s.kdcRequests, dc.kdcRequests);
    addAll(s.kdcErrors, dc.kdcErrors);
    s.netlogonCalls += dc.netlogon.requests;
  }
  for (const auto& n : world.nodes()) {
    if (n.channel) {
      s.semaphoreTimeouts += n.channel->semaphoreTimeouts;
    }
  }
  s.netlogonWaiters = world.netlogonWaiters();
  return s;
}

void TimeBucket::merge(const TimeBucket& o) {
  outcomes.merge(o.outcomes);
  for (std::size_t i = 0; i < latency.size(); ++i) {
    latency[i] += o.latency[i];
  }
  for (const auto& [k, v] : o.byNode) {
    byNode[k].merge(v);
  }
  for (const auto& [k, v] : o.byProfile) {
    byProfile[k].merge(v);
  }
  netlogonCalls += o.netlogonCalls;
  semaphoreTimeouts += o.semaphoreTimeouts;
  maxWaiters = std::max(maxWaiters, o.maxWaiters);
  addAll(kdcRequests, o.kdcRequests);
  addAll(kdcErrors, o.kdcErrors);
}

TimeSeriesRecorder::TimeSeriesRecorder(std::chrono::milliseconds initialWidth, std::size_t maxBuckets)
    : maxBuckets_(std::max<std::size_t>(maxBuckets, 2)) {
  series_.width = std::max(initialWidth, std::chrono::milliseconds(1));
  series_.phaseStartsS.push_back(0);
}

TimeBucket& TimeSeriesRecorder::bucketAt(std::chrono::nanoseconds at) {
  auto index = static_cast<std::size_t>(std::max<std::int64_t>(0, at / series_.width));
  while (index >= maxBuckets_) {
    // Outgrown: merge neighbours, double the width.
    std::vector<TimeBucket> merged((series_.buckets.size() + 1) / 2);
    for (std::size_t i = 0; i < series_.buckets.size(); ++i) {
      merged[i / 2].merge(series_.buckets[i]);
    }
    series_.buckets = std::move(merged);
    series_.width *= 2;
    index = static_cast<std::size_t>(at / series_.width);
  }
  if (index >= series_.buckets.size()) {
    series_.buckets.resize(index + 1);
  }
  return series_.buckets[index];
}

void TimeSeriesRecorder::baseline(const ServerSample& sample) {
  std::lock_guard lock(mu_);
  last_ = sample;
}

void TimeSeriesRecorder::recordRequest(const client::RequestOutcome& outcome, const std::string& profile) {
  recordRequestAt(watch_.elapsed(), outcome, profile);
}

void TimeSeriesRecorder::recordRequestAt(std::chrono::nanoseconds at, const client::RequestOutcome& outcome,
                                         const std::string& profile) {
  std::lock_guard lock(mu_);
  TimeBucket& b = bucketAt(at);
  b.outcomes.add(outcome.kind);
  b.byNode[outcome.node].add(outcome.kind);
  b.byProfile[profile].add(outcome.kind);
  ++b.latency[latencyBin(outcome.latency)];
}

void TimeSeriesRecorder::recordServers(const ServerSample& sample) {
  recordServersAt(watch_.elapsed(), sample);
}

void TimeSeriesRecorder::recordServersAt(std::chrono::nanoseconds at, const ServerSample& sample) {
  std::lock_guard lock(mu_);
  TimeBucket& b = bucketAt(at);
  b.netlogonCalls += grew(sample.netlogonCalls, last_.netlogonCalls);
  b.semaphoreTimeouts += grew(sample.semaphoreTimeouts, last_.semaphoreTimeouts);
  b.maxWaiters = std::max(b.maxWaiters, sample.netlogonWaiters);
  addAll(b.kdcRequests, growth(sample.kdcRequests, last_.kdcRequests));
  addAll(b.kdcErrors, growth(sample.kdcErrors, last_.kdcErrors));
  last_ = sample;
}

void TimeSeriesRecorder::markPhase(std::size_t phase) {
  const double s = std::chrono::duration<double>(watch_.elapsed()).count();
  std::lock_guard lock(mu_);
  if (series_.phaseStartsS.size() <= phase) {
    series_.phaseStartsS.resize(phase + 1, s);
  }
  series_.phaseStartsS[phase] = s;
}

std::chrono::milliseconds TimeSeriesRecorder::width() const {
  std::lock_guard lock(mu_);
  return series_.width;
}

TimeSeries TimeSeriesRecorder::result() const {
  std::lock_guard lock(mu_);
  return series_;
}

}  // namespace kerbpool::scenarios
