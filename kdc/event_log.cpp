#include "kdc/event_log.hpp"

#include <mutex>
#include <utility>

#include "kdc/name_case.hpp"

namespace kerbpool::kdc {

namespace {

// Windows events carry no secrets; this guards against a caller passing one in by mistake. Every event passes
// each of its field names through here, so a usual name is lower-cased on the stack, not into a new string.
bool namesSecret(std::string_view fieldName) {
  const auto check = [](std::string_view lower) {
    if (lower.find("password") != std::string_view::npos || lower.find("secret") != std::string_view::npos) {
      return true;
    }
    // "key", "SessionKey", "long_term_key"... but not "KeyVersionNumber" or "TicketEncryptionType".
    return lower == "key" || (lower.size() > 3 && (lower.ends_with("key") || lower.ends_with("keys")));
  };
  char lower[64];
  if (fieldName.size() > sizeof lower) {
    return check(toLowerAscii(fieldName));
  }
  for (std::size_t i = 0; i < fieldName.size(); ++i) {
    lower[i] = core::toLowerAscii(fieldName[i]);
  }
  return check(std::string_view(lower, fieldName.size()));
}

}  // namespace

EventLog::EventLog(const core::Clock& clock, std::size_t capacity)
    : clock_(clock), capacity_(capacity == 0 ? 1 : capacity) {}

std::uint64_t EventLog::append(EventRecord record) {
  for (auto& [name, value] : record.fields) {
    if (namesSecret(name)) {
      value = "<redacted>";
    }
  }
  record.time = clock_.now();
  std::unique_lock lock(mutex_);
  record.recordNumber = nextRecordNumber_++;
  ++counters_[record.id];
  if (auto status = record.fields.find("Status"); status != record.fields.end()) {
    ++byStatus_[record.id][status->second];
  }
  auto& messages = byMessage_[record.id];
  if (auto m = messages.find(record.message); m != messages.end()) {
    ++m->second;
  } else {
    ++messages[messages.size() < kMaxMessagesPerId ? record.message : std::string()];
  }
  if (records_.size() == capacity_) {
    records_.pop_front();
    ++evicted_;
  }
  records_.push_back(std::move(record));
  return records_.back().recordNumber;
}

std::uint64_t EventLog::append(int id, std::string source, std::map<std::string, std::string> fields,
                               std::string message) {
  EventRecord r;
  r.id = id;
  r.source = std::move(source);
  r.fields = std::move(fields);
  r.message = std::move(message);
  return append(std::move(r));
}

std::uint64_t EventLog::append(int id, std::string source,
                               std::initializer_list<std::pair<std::string_view, std::string_view>> fields,
                               std::string message) {
  EventRecord r;
  r.id = id;
  r.source = std::move(source);
  for (const auto& [name, value] : fields) {
    r.fields.emplace(name, value);  // a repeated name keeps its first value, as a map built from the list did
  }
  r.message = std::move(message);
  return append(std::move(r));
}

void EventLog::write(int id, std::string source, std::map<std::string, std::string> fields,
                     std::string message) {
  append(id, std::move(source), std::move(fields), std::move(message));
}

std::vector<EventRecord> EventLog::all() const {
  std::shared_lock lock(mutex_);
  return {records_.begin(), records_.end()};
}

std::vector<EventRecord> EventLog::query(int id) const {
  return querySince(id, 0);
}

std::vector<EventRecord> EventLog::querySince(int id, std::uint64_t after) const {
  std::shared_lock lock(mutex_);
  std::vector<EventRecord> out;
  for (const auto& r : records_) {
    if (r.id == id && r.recordNumber > after) {
      out.push_back(r);
    }
  }
  return out;
}

std::uint64_t EventLog::count(int id) const {
  std::shared_lock lock(mutex_);
  auto it = counters_.find(id);
  return it == counters_.end() ? 0 : it->second;
}

std::map<int, std::uint64_t> EventLog::counters() const {
  std::shared_lock lock(mutex_);
  return counters_;
}

std::map<std::string, std::uint64_t> EventLog::countsByStatus(int id) const {
  std::shared_lock lock(mutex_);
  auto it = byStatus_.find(id);
  return it == byStatus_.end() ? std::map<std::string, std::uint64_t>{} : it->second;
}

std::map<std::string, std::uint64_t> EventLog::countsByMessage(int id) const {
  std::shared_lock lock(mutex_);
  auto it = byMessage_.find(id);
  return it == byMessage_.end() ? std::map<std::string, std::uint64_t>{} : it->second;
}

std::size_t EventLog::size() const {
  std::shared_lock lock(mutex_);
  return records_.size();
}

std::uint64_t EventLog::evicted() const {
  std::shared_lock lock(mutex_);
  return evicted_;
}

}  // namespace kerbpool::kdc
