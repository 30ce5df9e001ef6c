#include "netlogon/dc_latency_model.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace kerbpool::netlogon {

std::string_view toString(HoldDistribution d) {
  switch (d) {
    case HoldDistribution::Fixed:
      return "fixed";
    case HoldDistribution::Exponential:
      return "exponential";
    case HoldDistribution::LogNormal:
      return "lognormal";
  }
  return "?";
}

core::Result<HoldDistribution> parseHoldDistribution(std::string_view name) {
  for (auto d : {HoldDistribution::Fixed, HoldDistribution::Exponential, HoldDistribution::LogNormal}) {
    if (name == toString(d)) {
      return d;
    }
  }
  return core::makeError(
      core::ErrorCategory::Config, "unknown_hold_distribution",
      "hold-time distribution '" + std::string(name) + "' is not one of fixed, exponential, lognormal");
}

core::Status validateLatencyConfig(const DcLatencyConfig& config) {
  if (config.mean < core::Micros(0)) {
    return core::makeError(core::ErrorCategory::Config, "bad_hold_time", "the mean hold time is negative");
  }
  if (config.distribution == HoldDistribution::LogNormal && !(config.sigma > 0.0 && config.sigma <= 4.0)) {
    return core::makeError(core::ErrorCategory::Config, "bad_sigma", "lognormal sigma must be in (0, 4]");
  }
  return core::okStatus();
}

DcLatencyModel::DcLatencyModel(DcLatencyConfig config) : config_(config), rng_(config.seed) {
  config_.mean = std::max(config_.mean, core::Micros(0));
}

double DcLatencyModel::uniformOpen() {
  // 53 random bits, shifted half a step off zero: strictly inside (0, 1).
  const std::uint64_t bits = rng_.next64() >> 11;
  return (static_cast<double>(bits) + 0.5) / 9007199254740992.0;
}

core::Micros DcLatencyModel::sample() {
  const double mean = static_cast<double>(config_.mean.count());
  double us = mean;
  switch (config_.distribution) {
    case HoldDistribution::Fixed:
      return config_.mean;
    case HoldDistribution::Exponential: {
      std::lock_guard lock(mu_);
      us = -mean * std::log(uniformOpen());
      break;
    }
    case HoldDistribution::LogNormal: {
      // ln X ~ N(mu, sigma^2) with E[X] = exp(mu + sigma^2 / 2) = mean; z by Box-Muller.
      std::lock_guard lock(mu_);
      const double u1 = uniformOpen();
      const double u2 = uniformOpen();
      const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
      const double sigma = config_.sigma;
      us = mean <= 0.0 ? 0.0 : std::exp(std::log(mean) - sigma * sigma / 2.0 + sigma * z);
      break;
    }
  }
  return core::Micros(static_cast<std::int64_t>(std::llround(us)));
}

}  // namespace kerbpool::netlogon
