#pragma once

#include <functional>
#include <memory>

#include "core/common/clock.hpp"
#include "core/common/result.hpp"
#include "kdc/dc_latency_model.hpp"
#include "kdc/event_log.hpp"
#include "kdc/netlogon.hpp"
#include "kdc/netlogon_semaphore.hpp"

// A front-end's Netlogon secure channel to its domain controller: where NTLM pass-through goes. Every call
// first takes a slot of the channel's MaxConcurrentApi semaphore (waiting FIFO, failing with
// STATUS_NO_LOGON_SERVERS after the wait timeout, as Windows does), then makes the DC round trip and keeps
// the slot for the latency model's hold time. Two round trips exist: the NetlogonService in this process
// (InProcessSecureChannel, below) and a `kerbpool kdc` over TCP (NetworkSecureChannel,
// secure_channel_client.hpp).
namespace kerbpool::frontend {

using kdc::PassThroughRequest;
using kdc::PassThroughResponse;

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
  kdc::NetlogonSemaphoreConfig semaphore;  // MaxConcurrentApi, wait timeout, event names and thresholds
  kdc::DcLatencyConfig latency;            // the DC round trip's hold time h
};

// The part both channels share: the semaphore, the latency model and the delay. Thread-safe.
class ChannelThrottle {
 public:
  using RoundTrip = std::function<core::Result<PassThroughResponse>(const PassThroughRequest&)>;

  // Config errors from validateSemaphoreConfig / validateLatencyConfig. events may be null; clock, events
  // and delay must outlive the throttle.
  static core::Result<std::unique_ptr<ChannelThrottle>> create(const ChannelConfig& config,
                                                               const core::Clock& clock,
                                                               kdc::EventLog* events, RoundTripDelay& delay);

  // Acquire a slot (or STATUS_NO_LOGON_SERVERS), run the round trip, hold the slot until the sampled hold
  // time has passed since the slot was granted, release. A request with an empty channel is stamped with the
  // semaphore's channel name.
  core::Result<PassThroughResponse> call(const PassThroughRequest& request, const RoundTrip& roundTrip);

  kdc::NetlogonSemaphore& semaphore() { return *semaphore_; }
  const kdc::NetlogonSemaphore& semaphore() const { return *semaphore_; }
  kdc::DcLatencyModel& latency() { return latency_; }

 private:
  ChannelThrottle(std::unique_ptr<kdc::NetlogonSemaphore> semaphore, const kdc::DcLatencyConfig& latency,
                  RoundTripDelay& delay);

  std::unique_ptr<kdc::NetlogonSemaphore> semaphore_;
  kdc::DcLatencyModel latency_;
  RoundTripDelay& delay_;
};

// The DC in this process: scenarios that run the whole pool in one process.
class InProcessSecureChannel final : public SecureChannel {
 public:
  // Both must outlive the channel.
  InProcessSecureChannel(kdc::NetlogonService& service, ChannelThrottle& throttle)
      : service_(service), throttle_(throttle) {}

  core::Result<PassThroughResponse> validate(const PassThroughRequest& request) override;

 private:
  kdc::NetlogonService& service_;
  ChannelThrottle& throttle_;
};

}  // namespace kerbpool::frontend
