#include "lab/state_store.hpp"

#include "core/common/hex.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <thread>

namespace kerbpool::lab {

namespace {

using core::ErrorCategory;
using core::makeError;

constexpr const char* kFormat = "kerbpool-lab-state 1";

}  // namespace

struct StateStore::Db {
  sqlite3* handle = nullptr;
  ~Db() {
    if (handle != nullptr) {
      sqlite3_close(handle);
    }
  }
  core::Error error(const std::string& what) const {
    return makeError(ErrorCategory::Io, "lab_state", what + ": " + sqlite3_errmsg(handle));
  }
  core::Status exec(const std::string& sql) const {
    char* message = nullptr;
    if (sqlite3_exec(handle, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      std::string text = message != nullptr ? message : "?";
      sqlite3_free(message);
      return makeError(ErrorCategory::Io, "lab_state", text);
    }
    return core::okStatus();
  }
};

namespace {

// One prepared statement, finalized on scope exit.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) {
    ok_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) == SQLITE_OK;
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  bool ok() const { return ok_; }
  sqlite3_stmt* get() { return stmt_; }
  void bind(int i, const std::string& s) {
    sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  }
  void bind(int i, std::int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  std::string text(int i) {
    const auto* p = sqlite3_column_text(stmt_, i);
    return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p));
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  bool ok_ = false;
};

std::string toJson(const std::vector<std::string>& v) {
  return nlohmann::json(v).dump();
}

std::vector<std::string> fromJson(const std::string& text) {
  const auto j = nlohmann::json::parse(text, nullptr, false);
  std::vector<std::string> out;
  if (j.is_array()) {
    for (const auto& e : j) {
      if (e.is_string()) {
        out.push_back(e.get<std::string>());
      }
    }
  }
  return out;
}

}  // namespace

StateStore::StateStore(std::filesystem::path dir, std::unique_ptr<Db> db)
    : dir_(std::move(dir)), db_(std::move(db)) {}

StateStore::~StateStore() {
  if (lockFd_ >= 0) {
    ::close(lockFd_);
  }
}

core::Result<std::unique_ptr<StateStore>> StateStore::open(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    if (::mkdir(dir.c_str(), 0700) != 0) {
      return makeError(ErrorCategory::Io, "cannot_create_state", dir.string() + ": cannot create the folder");
    }
  }
  const auto file = dir / "lab.sqlite";
  const bool existed = std::filesystem::exists(file, ec);
  if (!existed) {
    // Created 0600 before SQLite opens it, so that no other user can read a lab's keys' history.
    const int fd = ::open(file.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0) {
      return makeError(ErrorCategory::Io, "cannot_create_state", file.string() + ": cannot create");
    }
    ::close(fd);
  }
  auto db = std::make_unique<Db>();
  if (sqlite3_open_v2(file.c_str(), &db->handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, nullptr) !=
      SQLITE_OK) {
    return makeError(ErrorCategory::Io, "cannot_open_state",
                     file.string() + ": " + sqlite3_errmsg(db->handle));
  }
  sqlite3_busy_timeout(db->handle, 5000);
  auto notALabState = [&](const std::string& why) {
    return makeError(ErrorCategory::Config, "not_a_lab_state",
                     file.string() + " is not a kerbpool lab state (" + why +
                         "); it was left as it is: give --state a new folder");
  };
  if (existed) {
    // An existing file must carry kerbpool's mark; anything else is another program's (or corrupt) and is
    // not touched.
    Statement check(db->handle, "SELECT value FROM meta WHERE key = 'format'");
    if (!check.ok()) {
      return notALabState(sqlite3_errmsg(db->handle));
    }
    if (sqlite3_step(check.get()) != SQLITE_ROW || check.text(0) != kFormat) {
      return notALabState("no format mark '" + std::string(kFormat) + "'");
    }
  } else {
    KP_CHECK(
        db->exec("BEGIN;"
                 "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                 "CREATE TABLE journal (id INTEGER PRIMARY KEY AUTOINCREMENT, argv TEXT NOT NULL, status "
                 "TEXT NOT NULL,"
                 " output TEXT NOT NULL DEFAULT '[]', submitted_at TEXT NOT NULL DEFAULT (datetime('now')));"
                 "INSERT INTO meta VALUES ('format', '" +
                 std::string(kFormat) + "');COMMIT;"));
  }
  // Tables later versions added (a state made by an earlier kerbpool gets them here).
  KP_CHECK(db->exec(
      "CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY AUTOINCREMENT, run INTEGER NOT NULL, "
      "computer TEXT NOT NULL, record_number INTEGER NOT NULL, event_id INTEGER NOT NULL, time_us INTEGER "
      "NOT "
      "NULL, source TEXT NOT NULL, fields TEXT NOT NULL, message TEXT NOT NULL);"
      "CREATE TABLE IF NOT EXISTS certificates (name TEXT PRIMARY KEY, pem TEXT NOT NULL);"
      "CREATE TABLE IF NOT EXISTS web_ticket_keys (version INTEGER PRIMARY KEY, enctype INTEGER NOT NULL, "
      "key_hex TEXT NOT NULL);"));
  return std::unique_ptr<StateStore>(new StateStore(dir, std::move(db)));
}

core::Status StateStore::lockForServing() {
  const auto file = dir_ / "lab.lock";
  lockFd_ = ::open(file.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
  if (lockFd_ < 0) {
    return makeError(ErrorCategory::Io, "lab_state", file.string() + ": cannot open");
  }
  if (::flock(lockFd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(lockFd_);
    lockFd_ = -1;
    return makeError(ErrorCategory::Config, "state_in_use",
                     dir_.string() +
                         " is in use by another running lab (kerbpool serve); stop it first, or give "
                         "--state another folder");
  }
  return core::okStatus();
}

std::optional<std::string> StateStore::scenarioJson() const {
  Statement s(db_->handle, "SELECT value FROM meta WHERE key = 'scenario_json'");
  if (s.ok() && sqlite3_step(s.get()) == SQLITE_ROW) {
    return s.text(0);
  }
  return std::nullopt;
}

core::Status StateStore::setScenario(const std::string& name, const std::string& json) {
  Statement s(db_->handle,
              "INSERT INTO meta VALUES ('scenario_json', ?1) ON CONFLICT(key) DO UPDATE SET value = ?1");
  if (!s.ok()) {
    return db_->error("setScenario");
  }
  s.bind(1, json);
  if (sqlite3_step(s.get()) != SQLITE_DONE) {
    return db_->error("setScenario");
  }
  Statement n(db_->handle,
              "INSERT INTO meta VALUES ('scenario', ?1) ON CONFLICT(key) DO UPDATE SET value = ?1");
  n.bind(1, name);
  if (!n.ok() || sqlite3_step(n.get()) != SQLITE_DONE) {
    return db_->error("setScenario");
  }
  return core::okStatus();
}

core::Result<std::int64_t> StateStore::submit(const std::vector<std::string>& argv) {
  Statement s(db_->handle, "INSERT INTO journal (argv, status) VALUES (?1, 'pending')");
  if (!s.ok()) {
    return db_->error("submit");
  }
  s.bind(1, toJson(argv));
  if (sqlite3_step(s.get()) != SQLITE_DONE) {
    return db_->error("submit");
  }
  return static_cast<std::int64_t>(sqlite3_last_insert_rowid(db_->handle));
}

namespace {

core::Result<std::vector<JournalEntry>> select(sqlite3* db, const char* sql, std::int64_t id = -1) {
  Statement s(db, sql);
  if (!s.ok()) {
    return makeError(ErrorCategory::Io, "lab_state", sqlite3_errmsg(db));
  }
  if (id >= 0) {
    s.bind(1, id);
  }
  std::vector<JournalEntry> out;
  int rc = 0;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    JournalEntry e;
    e.id = sqlite3_column_int64(s.get(), 0);
    e.argv = fromJson(s.text(1));
    e.status = s.text(2);
    e.output = fromJson(s.text(3));
    out.push_back(std::move(e));
  }
  if (rc != SQLITE_DONE) {
    return makeError(ErrorCategory::Io, "lab_state", sqlite3_errmsg(db));
  }
  return out;
}

}  // namespace

core::Result<std::vector<JournalEntry>> StateStore::pending() const {
  return select(db_->handle,
                "SELECT id, argv, status, output FROM journal WHERE status = 'pending' ORDER BY id");
}

core::Result<std::vector<JournalEntry>> StateStore::applied() const {
  return select(db_->handle,
                "SELECT id, argv, status, output FROM journal WHERE status = 'applied' ORDER BY id");
}

core::Status StateStore::finish(std::int64_t id, const std::string& status,
                                const std::vector<std::string>& output) {
  Statement s(db_->handle,
              "UPDATE journal SET status = ?1, output = ?2 WHERE id = ?3 AND status = 'pending'");
  if (!s.ok()) {
    return db_->error("finish");
  }
  s.bind(1, status);
  s.bind(2, toJson(output));
  s.bind(3, id);
  if (sqlite3_step(s.get()) != SQLITE_DONE) {
    return db_->error("finish");
  }
  return core::okStatus();
}

core::Result<JournalEntry> StateStore::entry(std::int64_t id) const {
  KP_TRY(auto rows, select(db_->handle, "SELECT id, argv, status, output FROM journal WHERE id = ?1", id));
  if (rows.empty()) {
    return makeError(ErrorCategory::NotFound, "no_such_command", "no command " + std::to_string(id));
  }
  return rows.front();
}

core::Result<std::int64_t> StateStore::beginRun() {
  KP_CHECK(
      db_->exec("INSERT INTO meta VALUES ('runs', '1') ON CONFLICT(key) DO UPDATE SET value = CAST(value AS "
                "INTEGER) + 1"));
  Statement s(db_->handle, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'runs'");
  if (!s.ok() || sqlite3_step(s.get()) != SQLITE_ROW) {
    return db_->error("beginRun");
  }
  return static_cast<std::int64_t>(sqlite3_column_int64(s.get(), 0));
}

core::Status StateStore::appendEvents(std::int64_t run,
                                      const std::vector<std::pair<std::string, kdc::EventRecord>>& records) {
  if (records.empty()) {
    return core::okStatus();
  }
  KP_CHECK(db_->exec("BEGIN IMMEDIATE"));
  auto rollback = [&](const char* what) {
    (void)db_->exec("ROLLBACK");
    return db_->error(what);
  };
  {
    Statement s(
        db_->handle,
        "INSERT INTO events (run, computer, record_number, event_id, time_us, source, fields, message) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    if (!s.ok()) {
      return rollback("appendEvents");
    }
    for (const auto& [computer, e] : records) {
      sqlite3_reset(s.get());
      s.bind(1, run);
      s.bind(2, computer);
      s.bind(3, static_cast<std::int64_t>(e.recordNumber));
      s.bind(4, static_cast<std::int64_t>(e.id));
      s.bind(5,
             static_cast<std::int64_t>(
                 std::chrono::duration_cast<std::chrono::microseconds>(e.time.time_since_epoch()).count()));
      s.bind(6, e.source);
      s.bind(7, nlohmann::json(e.fields).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      s.bind(8, e.message);
      if (sqlite3_step(s.get()) != SQLITE_DONE) {
        return rollback("appendEvents");
      }
    }
  }
  {
    Statement trim(db_->handle, "DELETE FROM events WHERE seq <= (SELECT MAX(seq) FROM events) - ?1");
    trim.bind(1, static_cast<std::int64_t>(kMaxEvents));
    if (!trim.ok() || sqlite3_step(trim.get()) != SQLITE_DONE) {
      return rollback("appendEvents");
    }
  }
  return db_->exec("COMMIT");
}

core::Result<std::vector<StoredEvent>> StateStore::events(const EventQuery& q) const {
  Statement s(db_->handle,
              "SELECT run, computer, record_number, event_id, time_us, source, fields, message FROM events "
              "WHERE (?1 = '' OR computer = ?1 COLLATE NOCASE) AND (?2 = 0 OR event_id = ?2) "
              "ORDER BY seq DESC LIMIT ?3");
  if (!s.ok()) {
    return db_->error("events");
  }
  s.bind(1, q.computer);
  s.bind(2, static_cast<std::int64_t>(q.id));
  s.bind(3, static_cast<std::int64_t>(q.maxEvents));
  std::vector<StoredEvent> out;
  int rc = 0;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    StoredEvent e;
    e.run = sqlite3_column_int64(s.get(), 0);
    e.computer = s.text(1);
    e.record.recordNumber = static_cast<std::uint64_t>(sqlite3_column_int64(s.get(), 2));
    e.record.id = static_cast<int>(sqlite3_column_int64(s.get(), 3));
    e.record.time = core::TimePoint(std::chrono::duration_cast<core::TimePoint::duration>(
        std::chrono::microseconds(sqlite3_column_int64(s.get(), 4))));
    e.record.source = s.text(5);
    const auto fields = nlohmann::json::parse(s.text(6), nullptr, false);
    if (fields.is_object()) {
      for (const auto& [k, v] : fields.items()) {
        if (v.is_string()) {
          e.record.fields[k] = v.get<std::string>();
        }
      }
    }
    e.record.message = s.text(7);
    out.push_back(std::move(e));
  }
  if (rc != SQLITE_DONE) {
    return db_->error("events");
  }
  return out;
}

namespace {

struct CertificatePart {
  const char* name;
  std::string scenarios::LabCertificateMaterial::*field;
};
constexpr CertificatePart kCertificateParts[] = {
    {"ca", &scenarios::LabCertificateMaterial::caCertificate},
    {"server_chain", &scenarios::LabCertificateMaterial::serverChain},
    {"server_key", &scenarios::LabCertificateMaterial::serverKey},
    {"balancer_chain", &scenarios::LabCertificateMaterial::balancerChain},
    {"balancer_key", &scenarios::LabCertificateMaterial::balancerKey}};

}  // namespace

std::optional<scenarios::LabCertificateMaterial> StateStore::certificates() const {
  scenarios::LabCertificateMaterial m;
  for (const auto& part : kCertificateParts) {
    Statement s(db_->handle, "SELECT pem FROM certificates WHERE name = ?1");
    s.bind(1, std::string(part.name));
    if (!s.ok() || sqlite3_step(s.get()) != SQLITE_ROW) {
      return std::nullopt;
    }
    m.*part.field = s.text(0);
  }
  return m;
}

core::Status StateStore::setCertificates(const scenarios::LabCertificateMaterial& material) {
  KP_CHECK(db_->exec("BEGIN IMMEDIATE"));
  for (const auto& part : kCertificateParts) {
    Statement s(db_->handle,
                "INSERT INTO certificates VALUES (?1, ?2) ON CONFLICT(name) DO UPDATE SET pem = ?2");
    s.bind(1, std::string(part.name));
    s.bind(2, material.*part.field);
    if (!s.ok() || sqlite3_step(s.get()) != SQLITE_DONE) {
      (void)db_->exec("ROLLBACK");
      return db_->error("setCertificates");
    }
  }
  return db_->exec("COMMIT");
}

core::Result<std::vector<core::webticket::PoolKey>> StateStore::webTicketKeys() const {
  std::vector<core::webticket::PoolKey> out;
  Statement s(db_->handle, "SELECT version, enctype, key_hex FROM web_ticket_keys ORDER BY version");
  if (!s.ok()) {
    return db_->error("webTicketKeys");
  }
  int rc = 0;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    core::webticket::PoolKey k;
    const std::int64_t version = sqlite3_column_int64(s.get(), 0);
    auto bytes = core::fromHex(s.text(2));
    if (version < 1 || version > 0xffffffffLL || !bytes) {
      return core::makeError(core::ErrorCategory::Config, "bad_state",
                             "web_ticket_keys: a stored key is not a version and a hex key");
    }
    k.version = static_cast<std::uint32_t>(version);
    k.key.enctype = static_cast<std::int32_t>(sqlite3_column_int64(s.get(), 1));
    k.key.value = std::move(*bytes);
    out.push_back(std::move(k));
  }
  if (rc != SQLITE_DONE) {
    return db_->error("webTicketKeys");
  }
  return out;
}

core::Status StateStore::setWebTicketKeys(const std::vector<core::webticket::PoolKey>& keys) {
  KP_CHECK(db_->exec("BEGIN IMMEDIATE; DELETE FROM web_ticket_keys;"));
  for (const auto& k : keys) {
    Statement s(db_->handle, "INSERT INTO web_ticket_keys VALUES (?1, ?2, ?3)");
    s.bind(1, static_cast<std::int64_t>(k.version));
    s.bind(2, static_cast<std::int64_t>(k.key.enctype));
    s.bind(3, core::toHex(k.key.value));
    if (!s.ok() || sqlite3_step(s.get()) != SQLITE_DONE) {
      (void)db_->exec("ROLLBACK");
      return db_->error("setWebTicketKeys");
    }
  }
  return db_->exec("COMMIT");
}

core::Result<JournalEntry> StateStore::waitFor(std::int64_t id, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    KP_TRY(JournalEntry e, entry(id));
    if (e.status != "pending" || std::chrono::steady_clock::now() >= deadline) {
      return e;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace kerbpool::lab
