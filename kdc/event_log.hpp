#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <initializer_list>
#include <map>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/clock.hpp"
#include "netlogon/event_sink.hpp"

namespace kerbpool::kdc {

// Windows event IDs the simulated domain controller records (Security log unless noted).
namespace event_id {
constexpr int kDuplicateName = 11;  // System log, source KDC: duplicate SPN/UPN
// System log, source KDC: no key of an etype both the request and the account allow (AS: 26, TGS: 27; 14 and
// 16 when the account lacks the key its msDS-SupportedEncryptionTypes names: its password predates that
// etype).
constexpr int kMissingKeyAs = 14;
constexpr int kMissingKeyTgs = 16;
constexpr int kNoSuitableKeyAs = 26;
constexpr int kNoSuitableKeyTgs = 27;
// Directory Service log, source ActiveDirectory_DomainService: a write refused because the value (an SPN
// or UPN) is not unique in the forest (2012 R2 and later).
constexpr int kValueNotUnique = 2974;
constexpr int kTgtRequested = 4768;              // a Kerberos TGT was requested (result code 0 or failure)
constexpr int kServiceTicketRequested = 4769;    // a Kerberos service ticket was requested (or failed)
constexpr int kPreAuthFailed = 4771;             // Kerberos pre-authentication failed
constexpr int kNtlmCredentialValidation = 4776;  // the DC attempted to validate an account's credentials
// Netlogon's secure-channel events (5816-5819, System log, source NETLOGON) are netlogon::event_id's
// (netlogon/event_sink.hpp): this log records them as the secure channel's EventSink.
}  // namespace event_id

// Event sources as Windows names them.
namespace event_source {
inline constexpr const char* kKdc = "KDC";  // Windows Server 2003
inline constexpr const char* kKdc2008 = "Microsoft-Windows-Kerberos-Key-Distribution-Center";
inline constexpr const char* kDirectoryService = "ActiveDirectory_DomainService";
inline constexpr const char* kSecurityAuditing = "Microsoft-Windows-Security-Auditing";
}  // namespace event_source

// One record. `fields` are the event's named insertion strings (TargetUserName, ServiceName, Status...);
// `message` is the rendered text. Records never carry keys or passwords (see EventLog::append).
struct EventRecord {
  int id = 0;
  core::TimePoint time{};
  std::string source;
  std::map<std::string, std::string> fields;
  std::string message;
  std::uint64_t recordNumber = 0;  // EventRecordID: 1, 2, ... in append order, never reused
};

// A bounded, thread-safe event log: a ring buffer holding the newest `capacity` records, plus per-ID counters
// that count every record ever appended (the ring's evictions do not lower them). It is also the Netlogon
// secure channel's event sink (write() appends).
class EventLog final : public netlogon::EventSink {
 public:
  static constexpr std::size_t kDefaultCapacity = 4096;

  explicit EventLog(const core::Clock& clock, std::size_t capacity = kDefaultCapacity);

  // Stamps the record with the clock's time and the next record number and stores it, evicting the oldest
  // record when full. Field values whose name mentions a password or key are replaced by "<redacted>" so that
  // secrets cannot reach the log by accident. Returns the record number.
  std::uint64_t append(EventRecord record);
  std::uint64_t append(int id, std::string source, std::map<std::string, std::string> fields,
                       std::string message);
  // The same for a braced list of fields, each name and value copied once, into the record (a
  // std::map built from a braced list copies every element twice: into the list, then into the map).
  std::uint64_t append(int id, std::string source,
                       std::initializer_list<std::pair<std::string_view, std::string_view>> fields,
                       std::string message);
  // netlogon::EventSink: append() without the record number.
  void write(int id, std::string source, std::map<std::string, std::string> fields,
             std::string message) override;

  // Retained records, oldest first.
  std::vector<EventRecord> all() const;
  std::vector<EventRecord> query(int id) const;
  // Retained records with this id appended after record number `after` (for incremental readers).
  std::vector<EventRecord> querySince(int id, std::uint64_t after) const;

  // Records ever appended with this id / all counters by id.
  std::uint64_t count(int id) const;
  std::map<int, std::uint64_t> counters() const;
  // Records ever appended with this id, by their "Status" field ("0x0", "0x7"); records without one are not
  // counted here.
  std::map<std::string, std::uint64_t> countsByStatus(int id) const;
  // Records ever appended with this id, by message text: what Windows' Event Viewer groups when it shows
  // the same event many times. At most kMaxMessagesPerId distinct texts per id; later new texts are counted
  // under "" (other messages).
  static constexpr std::size_t kMaxMessagesPerId = 32;
  std::map<std::string, std::uint64_t> countsByMessage(int id) const;

  std::size_t size() const;
  std::size_t capacity() const { return capacity_; }
  std::uint64_t evicted() const;  // records dropped by the ring buffer

 private:
  const core::Clock& clock_;
  const std::size_t capacity_;
  mutable std::shared_mutex mutex_;
  std::deque<EventRecord> records_;
  std::map<int, std::uint64_t> counters_;
  std::map<int, std::map<std::string, std::uint64_t>> byStatus_;
  std::map<int, std::map<std::string, std::uint64_t>> byMessage_;
  std::uint64_t nextRecordNumber_ = 1;
  std::uint64_t evicted_ = 0;
};

}  // namespace kerbpool::kdc
