#pragma once

#include <functional>
#include <memory>

#include "core/common/clock.hpp"
#include "core/common/result.hpp"
#include "netlogon/dc_latency_model.hpp"
#include "netlogon/event_sink.hpp"
#include "netlogon/netlogon_semaphore.hpp"
#include "netlogon/pass_through.hpp"

// A front-end's Netlogon secure channel to its domain controller: where NTLM pass-through goes. Every call
// first takes a slot of the channel's MaxConcurrentApi semaphore (waiting FIFO, failing with
// STATUS_NO_LOGON_SERVERS after the wait timeout, as Windows does), then makes the DC round trip and keeps
// the slot for the latency model's hold time. Two round trips exist: a DC in this process behind the
// netlogon::PassThroughValidator interface (InProcessSecureChannel, below) and a `kerbpool kdc` over TCP
// (NetworkSecureChannel, secure_channel_client.hpp). The front-end knows only netlogon/, never kdc/.
namespace kerbpool::frontend {

using netlogon::PassThroughRequest;
using netlogon::PassThroughResponse;

class SecureChannel {
 public:
  virtual ~SecureChannel() = default;
  // Every NTSTATUS is a response, STATUS_NO_LOGON_SERVERS after a semaphore timeout included (detail
  // "semaphore_timeout"). An error means the DC could not be asked or answered unreadably (Io / Decoding);
  // Windows would report that as STATUS_NO_LOGON_SERVERS too.
  virtual core::Result<PassThroughResponse> validate(const PassThroughRequest& request) = 0;
};

// How a channel spends the DC round trip's hold time while it keeps its slot.
class RoundTripDelay {
 public:
  virtual ~RoundTripDelay() = default;
  virtual void hold(core::Micros duration) = 0;
};

// The thread really waits (running servers and single-process scenarios).
class RealTimeDelay final : public RoundTripDelay {
 public:
  void hold(core::Micros duration) override;
};

struct ChannelConfig {
  netlogon::NetlogonSemaphoreConfig semaphore;  // MaxConcurrentApi, wait timeout, event names and thresholds
  netlogon::DcLatencyConfig latency;            // the DC round trip's hold time h
};

// The part both channels share: the semaphore, the latency model and the delay. Thread-safe.
class ChannelThrottle {
 public:
  using RoundTrip = std::function<core::Result<PassThroughResponse>(const PassThroughRequest&)>;

  // Config errors from validateSemaphoreConfig / validateLatencyConfig. events may be null; clock, events
  // and delay must outlive the throttle.
  static core::Result<std::unique_ptr<ChannelThrottle>> create(const ChannelConfig& config,
                                                               const core::Clock& clock,
                                                               netlogon::EventSink* events,
                                                               RoundTripDelay& delay);

  // Acquire a slot (or STATUS_NO_LOGON_SERVERS), run the round trip, hold the slot until the sampled hold
  // time has passed since the slot was granted, release. A request with an empty channel is stamped with the
  // semaphore's channel name.
  core::Result<PassThroughResponse> call(const PassThroughRequest& request, const RoundTrip& roundTrip);

  netlogon::NetlogonSemaphore& semaphore() { return *semaphore_; }
  const netlogon::NetlogonSemaphore& semaphore() const { return *semaphore_; }
  netlogon::DcLatencyModel& latency() { return latency_; }

 private:
  ChannelThrottle(std::unique_ptr<netlogon::NetlogonSemaphore> semaphore,
                  const netlogon::DcLatencyConfig& latency, RoundTripDelay& delay);

  std::unique_ptr<netlogon::NetlogonSemaphore> semaphore_;
  netlogon::DcLatencyModel latency_;
  RoundTripDelay& delay_;
};

// The DC in this process: scenarios that run the whole pool in one process.
class InProcessSecureChannel final : public SecureChannel {
 public:
  // The DC's validator (kdc::NetlogonService) and the throttle must outlive the channel.
  InProcessSecureChannel(netlogon::PassThroughValidator& dc, ChannelThrottle& throttle)
      : dc_(dc), throttle_(throttle) {}

  core::Result<PassThroughResponse> validate(const PassThroughRequest& request) override;

 private:
  netlogon::PassThroughValidator& dc_;
  ChannelThrottle& throttle_;
};

}  // namespace kerbpool::frontend
