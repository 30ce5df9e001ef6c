#include "netlogon/netlogon_events.hpp"

#include <utility>

namespace kerbpool::netlogon {

namespace {

std::string seconds(core::Micros d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count());
}

std::string millis(core::Micros d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

}  // namespace

NetlogonEventReporter::NetlogonEventReporter(EventSink* log, NetlogonEventConfig config)
    : log_(log), config_(std::move(config)) {
  if (config_.eventLogPeriodicity <= core::Micros(0)) {
    config_.eventLogPeriodicity = std::chrono::seconds(1800);
  }
}

bool NetlogonEventReporter::note(Period& p, core::TimePoint now) {
  if (!p.start) {
    p.start = now;
    p.more = 0;
    return true;
  }
  ++p.more;
  return false;
}

void NetlogonEventReporter::flushPeriod(Period& p, core::TimePoint now, int summaryId) {
  while (p.start && now >= *p.start + config_.eventLogPeriodicity) {
    if (p.more == 0) {
      p.start.reset();
      return;
    }
    writeSummary(summaryId, p.more);
    p.more = 0;
    *p.start += config_.eventLogPeriodicity;
  }
}

void NetlogonEventReporter::flush(core::TimePoint now) {
  flushPeriod(timeouts_, now, event_id::kNetlogonRequestsTimedOut);
  flushPeriod(slow_, now, event_id::kNetlogonSlowRequests);
}

void NetlogonEventReporter::timedOut(core::TimePoint now, const CallInfo& call, core::Micros waited) {
  flush(now);
  if (!note(timeouts_, now) || log_ == nullptr) {
    return;
  }
  log_->write(event_id::kNetlogonRequestTimedOut, event_source::kNetlogon,
              {{"AccountName", call.account},
               {"AccountDomain", call.accountDomain},
               {"DomainController", config_.domainController},
               {"Domain", config_.domain},
               {"Channel", config_.channel},
               {"WaitedMs", millis(waited)}},
              "Netlogon has failed an authentication request of account " + call.account + " in domain " +
                  call.accountDomain +
                  ". The request timed out before it could be sent to domain controller " +
                  config_.domainController + " in domain " + config_.domain + ".");
}

void NetlogonEventReporter::waited(core::TimePoint now, const CallInfo& call, core::Micros waited) {
  flush(now);
  if (config_.warningEventThreshold <= core::Micros(0) || waited <= config_.warningEventThreshold) {
    return;
  }
  if (!note(slow_, now) || log_ == nullptr) {
    return;
  }
  log_->write(event_id::kNetlogonSlowRequest, event_source::kNetlogon,
              {{"AccountName", call.account},
               {"AccountDomain", call.accountDomain},
               {"DomainController", config_.domainController},
               {"Domain", config_.domain},
               {"Channel", config_.channel},
               {"ThresholdSeconds", seconds(config_.warningEventThreshold)},
               {"WaitedMs", millis(waited)}},
              "Netlogon took more than " + seconds(config_.warningEventThreshold) +
                  " seconds for an authentication request of account " + call.account + " in domain " +
                  call.accountDomain + ", through domain controller " + config_.domainController +
                  " in domain " + config_.domain + ". This is a warning.");
}

void NetlogonEventReporter::writeSummary(int id, std::uint64_t count) {
  if (log_ == nullptr) {
    return;
  }
  const std::string minutes =
      std::to_string(std::chrono::duration_cast<std::chrono::minutes>(config_.eventLogPeriodicity).count());
  std::string message =
      id == event_id::kNetlogonRequestsTimedOut
          ? "Netlogon has failed " + std::to_string(count) +
                " additional authentication requests in the last " + minutes +
                " minutes. The requests timed out before they could be sent to domain controller " +
                config_.domainController + " in domain " + config_.domain + "."
          : "Netlogon took more than " + seconds(config_.warningEventThreshold) + " seconds for " +
                std::to_string(count) + " authentication requests through domain controller " +
                config_.domainController + " in domain " + config_.domain + " in the last " + minutes +
                " minutes.";
  log_->write(id, event_source::kNetlogon,
              {{"Count", std::to_string(count)},
               {"PeriodMinutes", minutes},
               {"DomainController", config_.domainController},
               {"Domain", config_.domain},
               {"Channel", config_.channel}},
              std::move(message));
}

}  // namespace kerbpool::netlogon
