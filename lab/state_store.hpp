#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/common/result.hpp"
#include "core/webticket/web_ticket.hpp"
#include "kdc/event_log.hpp"
#include "scenarios/lab_certificates.hpp"

// The lab's state in SQLite (`kerbpool serve --state DIR`): the scenario the lab was built from and the
// journal of every admin command given to it (`kerbpool lab --state DIR ...`), each with its outcome. The
// directory of a restarted lab is the scenario's set-up followed by the journal's applied commands, in order:
// the same accounts, SPNs, passwords and so the same keys and kvnos. The journal is also the queue between
// `kerbpool lab` (which submits a command and waits for its outcome) and the running lab (which applies
// pending commands in order); every change is one SQLite transaction.
//
// The state also keeps the lab's event logs (every record the DCs and nodes logged, each run numbered, the
// newest kMaxEvents kept, as a Windows log overwrites its oldest events when full) and, for a pool served
// over HTTPS, its certificates and the servers' private keys, so that a restarted lab presents the same
// certificates from the same CA.
//
// DIR/lab.sqlite is created mode 0600 in DIR (mode 0700). A file there that is not a kerbpool lab state
// (another program's database, a corrupt file) is refused with an error and never written. One lab at a
// time: the serving lab holds an exclusive lock on DIR/lab.lock (flock) for its lifetime.
namespace kerbpool::lab {

struct JournalEntry {
  std::int64_t id = 0;
  std::vector<std::string> argv;  // the command as the admin typed it: {"setspn", "-S", "HTTP/...", "X$"}
  std::string status;             // pending | applied | refused | answered (a query)
  std::vector<std::string> output;
};

// An event as the state keeps it: the record, the computer whose log holds it, the lab run that logged it.
struct StoredEvent {
  std::int64_t run = 0;
  std::string computer;
  kdc::EventRecord record;
};

struct EventQuery {
  std::string computer;  // empty: every computer (no case)
  int id = 0;            // 0: every event id
  std::size_t maxEvents = 50;
};

class StateStore {
 public:
  static constexpr std::size_t kMaxEvents = 50000;

  // Opens (or creates) DIR/lab.sqlite. Errors: Io (cannot create the folder or open the file), Config
  // "not_a_lab_state" (a database without kerbpool's format mark, or a corrupt file).
  static core::Result<std::unique_ptr<StateStore>> open(const std::filesystem::path& dir);
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // The serving lab's lock; Config "state_in_use" when another lab holds it.
  core::Status lockForServing();

  // The scenario the state was made from (its JSON text and name), once set.
  std::optional<std::string> scenarioJson() const;
  core::Status setScenario(const std::string& name, const std::string& json);

  core::Result<std::int64_t> submit(const std::vector<std::string>& argv);
  // Pending commands, oldest first.
  core::Result<std::vector<JournalEntry>> pending() const;
  // Every applied command, oldest first (what a restart replays).
  core::Result<std::vector<JournalEntry>> applied() const;
  core::Status finish(std::int64_t id, const std::string& status, const std::vector<std::string>& output);
  core::Result<JournalEntry> entry(std::int64_t id) const;
  // Until entry `id` is no longer pending or `timeout` passes (checks every 50 ms).
  core::Result<JournalEntry> waitFor(std::int64_t id, std::chrono::milliseconds timeout) const;

  // A serving lab starts run 1, 2, ...: the number its events are stored under.
  core::Result<std::int64_t> beginRun();
  // Stores records in one transaction, then drops the oldest beyond kMaxEvents.
  core::Status appendEvents(std::int64_t run,
                            const std::vector<std::pair<std::string, kdc::EventRecord>>& records);
  // Newest first.
  core::Result<std::vector<StoredEvent>> events(const EventQuery& query) const;

  // The lab's certificates, once stored.
  std::optional<scenarios::LabCertificateMaterial> certificates() const;
  core::Status setCertificates(const scenarios::LabCertificateMaterial& material);

  // Lync: the pool's web ticket key versions (the OAuth certificate's keys), so that a restarted lab opens
  // the web tickets the previous run issued. Empty when none was stored. setWebTicketKeys replaces them all.
  core::Result<std::vector<core::webticket::PoolKey>> webTicketKeys() const;
  core::Status setWebTicketKeys(const std::vector<core::webticket::PoolKey>& keys);

  const std::filesystem::path& dir() const { return dir_; }

 private:
  struct Db;
  StateStore(std::filesystem::path dir, std::unique_ptr<Db> db);
  std::filesystem::path dir_;
  std::unique_ptr<Db> db_;
  int lockFd_ = -1;
};

}  // namespace kerbpool::lab
