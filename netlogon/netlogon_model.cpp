#include "netlogon/netlogon_model.hpp"

#include <algorithm>
#include <cmath>
#include <queue>
#include <tuple>

#include "netlogon/netlogon_queue.hpp"
#include "netlogon/netlogon_semaphore.hpp"

namespace kerbpool::netlogon {

namespace {

enum class EventKind { Arrival, Completion, TimeoutCheck };

struct Event {
  core::Micros at;
  std::uint64_t seq;
  EventKind kind;
  CallId id;

  bool operator>(const Event& o) const { return std::tie(at, seq) > std::tie(o.at, o.seq); }
};

core::Micros percentile(const std::vector<core::Micros>& sorted, double p) {
  if (sorted.empty()) {
    return core::Micros(0);
  }
  // Nearest rank.
  auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

class Simulation {
 public:
  explicit Simulation(const NetlogonModelConfig& c)
      : config_(c),
        queue_(c.maxConcurrentApi, c.waitTimeout),
        hold_(c.hold),
        // Poisson arrivals are exponential gaps of mean 1/lambda: the same transform as an exponential hold.
        gaps_(DcLatencyConfig{HoldDistribution::Exponential, meanGap(c), 0.5, c.arrivalSeed}) {}

  NetlogonModelReport run() {
    schedule(core::Micros(0), EventKind::Arrival, 0);
    while (!events_.empty() && events_.top().at < config_.duration) {
      const Event e = events_.top();
      events_.pop();
      sampleUntil(e.at);
      switch (e.kind) {
        case EventKind::Arrival:
          onArrival(e.at);
          break;
        case EventKind::Completion:
          onCompletion(e.at, e.id);
          break;
        case EventKind::TimeoutCheck:
          onExpiries(queue_.expireDue(at(e.at)), e.at);
          break;
      }
    }
    sampleUntil(config_.duration);
    return finish();
  }

 private:
  static core::Micros meanGap(const NetlogonModelConfig& c) {
    return core::Micros(static_cast<std::int64_t>(std::llround(1e6 / c.arrivalsPerSecond)));
  }
  static core::TimePoint at(core::Micros t) { return core::TimePoint(t); }

  void schedule(core::Micros t, EventKind kind, CallId id) { events_.push(Event{t, nextSeq_++, kind, id}); }

  void sampleUntil(core::Micros t) {
    while (nextSample_ <= t && nextSample_ <= config_.duration) {
      report_.waiterSeries.push_back(queue_.waiters());
      nextSample_ += config_.sampleEvery;
    }
  }

  void onArrival(core::Micros t) {
    const CallId id = nextId_++;
    ++report_.offered;
    arrivals_.push_back(t);
    if (queue_.arrive(id, at(t)) == ArrivalOutcome::Granted) {
      onGrant(id, t);
    } else {
      schedule(t + config_.waitTimeout, EventKind::TimeoutCheck, id);
    }
    const core::Micros gap =
        config_.arrivals == ArrivalProcess::FixedInterval ? meanGap(config_) : gaps_.sample();
    schedule(t + std::max(gap, core::Micros(1)), EventKind::Arrival, 0);
  }

  void onGrant(CallId id, core::Micros t) {
    if (id < lastGranted_) {
      report_.grantedInArrivalOrder = false;
    }
    lastGranted_ = id;
    schedule(t + hold_.sample(), EventKind::Completion, id);
  }

  void onCompletion(core::Micros t, CallId id) {
    ++report_.completed;
    latencies_.push_back(t - arrivals_[id - 1]);
    ReleaseOutcome out = queue_.release(id, at(t));
    onExpiries(out.expired, t);
    if (out.granted) {
      onGrant(out.granted->id, t);
    }
  }

  void onExpiries(const std::vector<Expiry>& expired, core::Micros t) {
    if (!expired.empty() && !report_.firstTimeoutAt) {
      report_.firstTimeoutAt = t;
    }
    report_.timedOut += expired.size();
  }

  NetlogonModelReport finish() {
    NetlogonModelReport& r = report_;
    const double seconds = std::chrono::duration<double>(config_.duration).count();
    r.waitingAtEnd = queue_.waiters();
    r.holdingAtEnd = queue_.holders();
    r.offeredPerSecond = static_cast<double>(r.offered) / seconds;
    r.throughputPerSecond = static_cast<double>(r.completed) / seconds;
    const double meanHold = std::chrono::duration<double>(hold_.mean()).count();
    r.capacityPerSecond = meanHold > 0 ? config_.maxConcurrentApi / meanHold : 0.0;
    const QueueTotals& t = queue_.totals();
    r.maxWaiters = t.maxWaiters;
    r.maxHolders = t.maxHolders;
    if (t.acquires > 0) {
      r.meanWait = t.totalWait / static_cast<std::int64_t>(t.acquires);
    }
    std::sort(latencies_.begin(), latencies_.end());
    if (!latencies_.empty()) {
      core::Micros sum{0};
      for (auto l : latencies_) {
        sum += l;
      }
      r.meanLatency = sum / static_cast<std::int64_t>(latencies_.size());
      r.p50Latency = percentile(latencies_, 0.50);
      r.p95Latency = percentile(latencies_, 0.95);
      r.p99Latency = percentile(latencies_, 0.99);
      r.maxLatency = latencies_.back();
    }
    return r;
  }

  const NetlogonModelConfig& config_;
  SemaphoreQueue queue_;
  DcLatencyModel hold_;
  DcLatencyModel gaps_;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
  std::uint64_t nextSeq_ = 0;
  CallId nextId_ = 1;
  CallId lastGranted_ = 0;
  std::vector<core::Micros> arrivals_;  // by id - 1
  std::vector<core::Micros> latencies_;
  core::Micros nextSample_ = config_.sampleEvery;
  NetlogonModelReport report_;
};

}  // namespace

std::string_view toString(ArrivalProcess a) {
  return a == ArrivalProcess::Poisson ? "poisson" : "fixed-interval";
}

core::Result<NetlogonModelReport> runNetlogonModel(const NetlogonModelConfig& config) {
  if (!(config.arrivalsPerSecond > 0.0) || config.arrivalsPerSecond > 1e6) {
    return core::makeError(core::ErrorCategory::Config, "bad_arrival_rate",
                           "the arrival rate must be in (0, 1e6] per second");
  }
  if (config.duration <= core::Micros(0) || config.sampleEvery <= core::Micros(0)) {
    return core::makeError(core::ErrorCategory::Config, "bad_duration",
                           "the duration and the sampling period must be positive");
  }
  NetlogonSemaphoreConfig semaphore;
  semaphore.maxConcurrentApi = config.maxConcurrentApi;
  semaphore.waitTimeout = config.waitTimeout;
  KP_CHECK(validateSemaphoreConfig(semaphore));
  KP_CHECK(validateLatencyConfig(config.hold));
  Simulation sim(config);
  return sim.run();
}

}  // namespace kerbpool::netlogon
