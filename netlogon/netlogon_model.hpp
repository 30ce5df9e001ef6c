#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/common/clock.hpp"
#include "core/common/result.hpp"
#include "netlogon/dc_latency_model.hpp"

// A deterministic discrete-event model of NTLM pass-through load on one secure channel, in virtual time (no
// sleeping, no threads): calls arrive at rate lambda (Poisson from a seed, or at a fixed interval), queue on
// the channel's MaxConcurrentApi semaphore (SemaphoreQueue, the same rules as the real semaphore), hold a
// slot for the DC round trip (DcLatencyModel), and time out when their wait reaches the timeout. Events at
// the same instant run in the order they were scheduled (ties broken by a sequence number), so one config
// always gives one report.
namespace kerbpool::netlogon {

enum class ArrivalProcess { Poisson, FixedInterval };
std::string_view toString(ArrivalProcess a);

struct NetlogonModelConfig {
  double arrivalsPerSecond = 100.0;  // lambda, offered load of the front-end on this channel (> 0)
  ArrivalProcess arrivals = ArrivalProcess::Poisson;
  std::uint64_t arrivalSeed = 1;
  unsigned maxConcurrentApi = 10;  // m, 1..150
  core::Micros waitTimeout = std::chrono::seconds(45);
  DcLatencyConfig hold;  // h
  core::Micros duration = std::chrono::seconds(120);
  core::Micros sampleEvery = std::chrono::seconds(1);  // period of the waiter series
};

struct NetlogonModelReport {
  std::uint64_t offered = 0;    // arrivals in [0, duration)
  std::uint64_t completed = 0;  // calls whose round trip finished by `duration`
  std::uint64_t timedOut = 0;   // STATUS_NO_LOGON_SERVERS
  std::uint64_t waitingAtEnd = 0;
  std::uint64_t holdingAtEnd = 0;
  double offeredPerSecond = 0;
  double throughputPerSecond = 0;  // completed / duration
  double capacityPerSecond = 0;    // m / mean h
  // Arrival to completion, over completed calls.
  core::Micros meanLatency{0}, p50Latency{0}, p95Latency{0}, p99Latency{0}, maxLatency{0};
  core::Micros meanWait{0};  // over calls that got a slot
  std::size_t maxWaiters = 0;
  std::size_t maxHolders = 0;
  std::optional<core::Micros> firstTimeoutAt;  // since the start
  std::vector<std::size_t> waiterSeries;       // Semaphore Waiters at sampleEvery, 2*sampleEvery, ...
  bool grantedInArrivalOrder = true;           // FIFO held throughout
};

// Config errors: "bad_arrival_rate", "bad_duration", plus the semaphore's and latency model's checks.
core::Result<NetlogonModelReport> runNetlogonModel(const NetlogonModelConfig& config);

}  // namespace kerbpool::netlogon
