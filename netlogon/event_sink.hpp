#pragma once

#include <map>
#include <string>

// Where the Netlogon code writes its Windows events (the secure channel's 5816-5819, netlogon_events.hpp),
// as a small interface so that this library keeps no event log of its own: kdc::EventLog implements it (it
// stamps the time and the record number), and whoever builds a channel passes its log as the sink (or
// nullptr: nothing is recorded).
namespace kerbpool::netlogon {

// Netlogon's event IDs (System log, source NETLOGON).
namespace event_id {
constexpr int kNetlogonRequestTimedOut = 5816;   // semaphore wait timed out (first of a period)
constexpr int kNetlogonRequestsTimedOut = 5817;  // ... more requests timed out in the last minutes
constexpr int kNetlogonSlowRequest = 5818;       // ... a request took longer than the warning threshold
constexpr int kNetlogonSlowRequests = 5819;      // ... several slow requests in the last minutes
}  // namespace event_id

namespace event_source {
inline constexpr const char* kNetlogon = "NETLOGON";
}  // namespace event_source

class EventSink {
 public:
  virtual ~EventSink() = default;
  // One event: its ID, source, named insertion strings and rendered text. Never keys or passwords.
  virtual void write(int id, std::string source, std::map<std::string, std::string> fields,
                     std::string message) = 0;
};

}  // namespace kerbpool::netlogon
