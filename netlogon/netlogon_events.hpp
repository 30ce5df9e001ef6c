#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/common/clock.hpp"
#include "netlogon/event_sink.hpp"

// Netlogon's semaphore events (System log, source NETLOGON), throttled as Windows does after KB2871774:
//   5816  the first request of a period whose wait for a secure-channel slot timed out (account named)
//   5817  at the end of each period (EventLogPeriodicity, default 30 min) in which more requests timed out
//   5818  the first request of a period that waited longer than WarningEventThreshold (0 = off, max 45 s)
//   5819  at the end of each period with more such slow requests
// A period with nothing more to report closes; the next failure opens a new one with a 5816/5818.
// Pure logic: every call takes the time it happens at.
namespace kerbpool::netlogon {

struct NetlogonEventConfig {
  core::Micros warningEventThreshold{0};                          // WarningEventThreshold; 0: no 5818/5819
  core::Micros eventLogPeriodicity = std::chrono::seconds(1800);  // EventLogPeriodicity
  std::string channel = "FE01$";  // the secure channel's owner (the front-end's machine account)
  std::string domainController = "DC01";
  std::string domain = "CONTOSO";  // the domain the channel is bound to
};

// Who a call is for, as the events name it.
struct CallInfo {
  std::string account;
  std::string accountDomain;
};

class NetlogonEventReporter {
 public:
  // log may be null: nothing is recorded.
  NetlogonEventReporter(EventSink* log, NetlogonEventConfig config);

  void timedOut(core::TimePoint now, const CallInfo& call, core::Micros waited);
  // Reports a wait over the warning threshold; shorter waits (or a threshold of 0) are ignored.
  void waited(core::TimePoint now, const CallInfo& call, core::Micros waited);
  // Writes the 5817/5819 summaries of periods that have ended by `now`.
  void flush(core::TimePoint now);

  const NetlogonEventConfig& config() const { return config_; }

 private:
  struct Period {
    std::optional<core::TimePoint> start;
    std::uint64_t more = 0;  // events after the first one, not yet summarised
  };
  // True when this event opens a period (write the detailed event).
  bool note(Period& p, core::TimePoint now);
  void flushPeriod(Period& p, core::TimePoint now, int summaryId);
  void writeSummary(int id, std::uint64_t count);

  EventSink* log_;
  NetlogonEventConfig config_;
  Period timeouts_;
  Period slow_;
};

}  // namespace kerbpool::netlogon
