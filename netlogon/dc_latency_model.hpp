#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "core/common/clock.hpp"
#include "core/common/result.hpp"
#include "core/common/rng.hpp"

// How long one Netlogon pass-through round trip to the domain controller holds a secure-channel slot (the
// semaphore hold time h): fixed, or drawn from a distribution with a given mean. Draws come from
// core::SeededRng through kerbpool's own transforms (not <random>'s distributions, whose output differs
// between standard libraries), so a seed gives the same sequence everywhere.
namespace kerbpool::netlogon {

enum class HoldDistribution {
  Fixed,        // always `mean`
  Exponential,  // memoryless, mean `mean`
  LogNormal,    // mean `mean`, shape sigma (the log's standard deviation): a long right tail
};

std::string_view toString(HoldDistribution d);
// "fixed", "exponential", "lognormal"; Config "unknown_hold_distribution" otherwise.
core::Result<HoldDistribution> parseHoldDistribution(std::string_view name);

struct DcLatencyConfig {
  HoldDistribution distribution = HoldDistribution::Fixed;
  core::Micros mean = std::chrono::milliseconds(50);
  double sigma = 0.5;  // LogNormal only
  std::uint64_t seed = 1;
};

// Config "bad_hold_time" (negative mean) or "bad_sigma" (LogNormal with sigma <= 0 or > 4).
core::Status validateLatencyConfig(const DcLatencyConfig& config);

// Thread-safe: the channel's threads draw from one sequence.
class DcLatencyModel {
 public:
  // The config must have passed validateLatencyConfig (a negative mean is treated as 0).
  explicit DcLatencyModel(DcLatencyConfig config);

  core::Micros sample();
  core::Micros mean() const { return config_.mean; }
  const DcLatencyConfig& config() const { return config_; }

 private:
  double uniformOpen();  // in (0, 1)

  DcLatencyConfig config_;
  std::mutex mu_;
  core::SeededRng rng_;
};

}  // namespace kerbpool::netlogon
