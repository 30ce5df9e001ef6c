#include "frontend/secure_channel.hpp"

#include <thread>
#include <utility>

namespace kerbpool::frontend {

void RealTimeDelay::hold(core::Micros duration) {
  if (duration > core::Micros(0)) {
    std::this_thread::sleep_for(duration);
  }
}

core::Result<std::unique_ptr<ChannelThrottle>> ChannelThrottle::create(const ChannelConfig& config,
                                                                       const core::Clock& clock,
                                                                       netlogon::EventSink* events,
                                                                       RoundTripDelay& delay) {
  KP_CHECK(netlogon::validateLatencyConfig(config.latency));
  KP_TRY(auto semaphore, netlogon::NetlogonSemaphore::create(config.semaphore, clock, events));
  return std::unique_ptr<ChannelThrottle>(new ChannelThrottle(std::move(semaphore), config.latency, delay));
}

ChannelThrottle::ChannelThrottle(std::unique_ptr<netlogon::NetlogonSemaphore> semaphore,
                                 const netlogon::DcLatencyConfig& latency, RoundTripDelay& delay)
    : semaphore_(std::move(semaphore)), latency_(latency), delay_(delay) {}

core::Result<PassThroughResponse> ChannelThrottle::call(const PassThroughRequest& request,
                                                        const RoundTrip& roundTrip) {
  netlogon::Acquisition slot = semaphore_->acquire(netlogon::CallInfo{request.user, request.domain});
  if (!slot.granted()) {
    PassThroughResponse timedOut;
    timedOut.status = slot.status;
    timedOut.detail = "semaphore_timeout";
    return timedOut;
  }
  core::Stopwatch held;
  core::Result<PassThroughResponse> response = [&] {
    if (!request.channel.empty()) {
      return roundTrip(request);
    }
    PassThroughRequest stamped = request;
    stamped.channel = semaphore_->config().events.channel;
    return roundTrip(stamped);
  }();
  const core::Micros hold = latency_.sample();
  const auto elapsed = std::chrono::duration_cast<core::Micros>(held.elapsed());
  if (hold > elapsed) {
    delay_.hold(hold - elapsed);
  }
  slot.permit.release();
  return response;
}

core::Result<PassThroughResponse> InProcessSecureChannel::validate(const PassThroughRequest& request) {
  return throttle_.call(request, [this](const PassThroughRequest& r) -> core::Result<PassThroughResponse> {
    return dc_.validate(r);
  });
}

}  // namespace kerbpool::frontend
