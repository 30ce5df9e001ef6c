// kdc_loadgen: drives a KDC with MIT's own client library, so kerbpool's KDC and MIT's krb5kdc see
// exactly the same requests.
//
//   kdc_loadgen --mode tgs|as --threads N --duration S --principal alice@CONTOSO.TEST --keytab FILE
//               --service HTTP/pool.contoso.test [--rate R]
//
// The KDC is the one named by the krb5.conf in KRB5_CONFIG. Each thread has its own krb5_context.
//   tgs: one TGT per thread (from the keytab) in a MEMORY: ccache, then krb5_get_credentials() for the
//        service in a loop with KRB5_GC_NO_STORE: the service ticket never enters the cache, so every call
//        is one TGS exchange with the KDC.
//   as:  krb5_get_init_creds_keytab() in a loop, as kinit -k does: the first AS-REQ goes without padata
//        and gets KDC_ERR_PREAUTH_REQUIRED, the second carries PA-ENC-TIMESTAMP (two KDC requests per
//        exchange). Keys come from the keytab, so the client runs no string-to-key.
// Each thread copies the keytab file into a MEMORY: keytab of its own before the start: with the FILE:
// keytab MIT's library opens, locks, reads and closes the file twice per AS exchange (about 38 of the
// client's 70 system calls per exchange, strace -c), which made the client, not the KDC, the bottleneck.
// --rate R offers R exchanges per second in all (a fixed rate, not as fast as the KDC answers): each thread
// starts its exchanges on a schedule of R/N per second and, when an answer came late, starts the next one at
// once (the schedule is kept, not moved). Without it (or 0) the threads go as fast as they can (saturation).
// Each thread stops at a common deadline. The last line on stdout is machine-readable:
//   kdc_loadgen mode=tgs threads=2 seconds=5.001 exchanges=12345 errors=0 rate=2468.5 offered=0
// Exit status: 0 when at least one exchange completed and none failed, 1 otherwise, 2 on bad usage.
#include <krb5.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench/paced_schedule.hpp"

namespace {

using Clock = std::chrono::steady_clock;

enum class Mode { Tgs, As };

struct Options {
  Mode mode = Mode::Tgs;
  unsigned threads = 1;
  double duration = 5.0;
  std::string principal;
  std::string keytab;
  std::string service;
  double rate = 0;  // exchanges/s offered over all threads; 0: as fast as possible
};

struct ThreadResult {
  unsigned long long exchanges = 0;
  unsigned long long errors = 0;
  std::string firstError;
};

void usage(const char* argv0) {
  std::fprintf(stderr,
               "usage: %s --mode tgs|as --threads N --duration SECONDS --principal NAME --keytab FILE "
               "--service SPN [--rate EXCHANGES_PER_SECOND]\n"
               "  The KDC is taken from the krb5.conf named by KRB5_CONFIG.\n",
               argv0);
}

bool parseArgs(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr, "kdc_loadgen: %s needs a value\n", arg.c_str());
      return false;
    }
    const std::string value = argv[++i];
    if (arg == "--mode") {
      if (value == "tgs") {
        o.mode = Mode::Tgs;
      } else if (value == "as") {
        o.mode = Mode::As;
      } else {
        std::fprintf(stderr, "kdc_loadgen: --mode is tgs or as, not '%s'\n", value.c_str());
        return false;
      }
    } else if (arg == "--threads") {
      const long n = std::strtol(value.c_str(), nullptr, 10);
      if (n < 1 || n > 256) {
        std::fprintf(stderr, "kdc_loadgen: --threads must be 1..256\n");
        return false;
      }
      o.threads = static_cast<unsigned>(n);
    } else if (arg == "--duration") {
      o.duration = std::strtod(value.c_str(), nullptr);
      if (!(o.duration > 0 && o.duration <= 3600)) {
        std::fprintf(stderr, "kdc_loadgen: --duration must be in (0, 3600] seconds\n");
        return false;
      }
    } else if (arg == "--rate") {
      o.rate = std::strtod(value.c_str(), nullptr);
      if (!(o.rate >= 0 && o.rate <= 1e6)) {
        std::fprintf(stderr, "kdc_loadgen: --rate must be in [0, 1000000] exchanges/s\n");
        return false;
      }
    } else if (arg == "--principal") {
      o.principal = value;
    } else if (arg == "--keytab") {
      o.keytab = value;
    } else if (arg == "--service") {
      o.service = value;
    } else {
      std::fprintf(stderr, "kdc_loadgen: unknown option %s\n", arg.c_str());
      return false;
    }
  }
  if (o.principal.empty() || o.keytab.empty() || o.service.empty()) {
    std::fprintf(stderr, "kdc_loadgen: --principal, --keytab and --service are required\n");
    return false;
  }
  return true;
}

// One thread's MIT objects, released in reverse order of creation.
class Session {
 public:
  Session() = default;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session() {
    if (ccache_ != nullptr) {
      krb5_cc_destroy(ctx_, ccache_);
    }
    if (keytab_ != nullptr) {
      krb5_kt_close(ctx_, keytab_);
    }
    if (service_ != nullptr) {
      krb5_free_principal(ctx_, service_);
    }
    if (client_ != nullptr) {
      krb5_free_principal(ctx_, client_);
    }
    if (ctx_ != nullptr) {
      krb5_free_context(ctx_);
    }
  }

  // Context, principals and keytab. Returns 0 or the failing krb5 code (message in error()).
  krb5_error_code open(const Options& o, unsigned index) {
    krb5_error_code rc = krb5_init_context(&ctx_);
    if (rc != 0) {
      ctx_ = nullptr;
      error_ = "krb5_init_context failed";
      return rc;
    }
    if ((rc = krb5_parse_name(ctx_, o.principal.c_str(), &client_)) != 0 ||
        (rc = krb5_parse_name(ctx_, o.service.c_str(), &service_)) != 0 ||
        (rc = copyKeytab(o.keytab, index)) != 0) {
      return fail(rc, "setup");
    }
    return 0;
  }

  // A pre-authenticated AS exchange; the credentials are discarded.
  krb5_error_code asExchange() {
    krb5_creds creds;
    std::memset(&creds, 0, sizeof creds);
    const krb5_error_code rc =
        krb5_get_init_creds_keytab(ctx_, &creds, client_, keytab_, 0, nullptr, nullptr);
    if (rc != 0) {
      return fail(rc, "krb5_get_init_creds_keytab");
    }
    krb5_free_cred_contents(ctx_, &creds);
    return 0;
  }

  // The thread's TGT, in a MEMORY: ccache of its own.
  krb5_error_code getTgt() {
    krb5_creds creds;
    std::memset(&creds, 0, sizeof creds);
    krb5_error_code rc = krb5_cc_new_unique(ctx_, "MEMORY", nullptr, &ccache_);
    if (rc != 0) {
      ccache_ = nullptr;
      return fail(rc, "krb5_cc_new_unique");
    }
    if ((rc = krb5_cc_initialize(ctx_, ccache_, client_)) != 0) {
      return fail(rc, "krb5_cc_initialize");
    }
    if ((rc = krb5_get_init_creds_keytab(ctx_, &creds, client_, keytab_, 0, nullptr, nullptr)) != 0) {
      return fail(rc, "krb5_get_init_creds_keytab (TGT)");
    }
    rc = krb5_cc_store_cred(ctx_, ccache_, &creds);
    krb5_free_cred_contents(ctx_, &creds);
    return rc != 0 ? fail(rc, "krb5_cc_store_cred") : 0;
  }

  // One TGS exchange: the service ticket is never stored, so the next call asks the KDC again.
  krb5_error_code tgsExchange() {
    krb5_creds in;
    std::memset(&in, 0, sizeof in);
    in.client = client_;
    in.server = service_;
    krb5_creds* out = nullptr;
    const krb5_error_code rc = krb5_get_credentials(ctx_, KRB5_GC_NO_STORE, ccache_, &in, &out);
    if (rc != 0) {
      return fail(rc, "krb5_get_credentials");
    }
    krb5_free_creds(ctx_, out);
    return 0;
  }

  const std::string& error() const { return error_; }

 private:
  // Every entry of the keytab file into MEMORY:kdc_loadgen-<index> (keytab_); the file is closed again.
  krb5_error_code copyKeytab(const std::string& file, unsigned index) {
    const std::string name = "MEMORY:kdc_loadgen-" + std::to_string(index);
    krb5_error_code rc = krb5_kt_resolve(ctx_, name.c_str(), &keytab_);
    if (rc != 0) {
      keytab_ = nullptr;
      return rc;
    }
    krb5_keytab source = nullptr;
    if ((rc = krb5_kt_resolve(ctx_, file.c_str(), &source)) != 0) {
      return rc;
    }
    krb5_kt_cursor cursor;
    if ((rc = krb5_kt_start_seq_get(ctx_, source, &cursor)) == 0) {
      krb5_keytab_entry entry;
      while (rc == 0 && (rc = krb5_kt_next_entry(ctx_, source, &entry, &cursor)) == 0) {
        rc = krb5_kt_add_entry(ctx_, keytab_, &entry);
        krb5_free_keytab_entry_contents(ctx_, &entry);
      }
      krb5_kt_end_seq_get(ctx_, source, &cursor);
      if (rc == KRB5_KT_END) {
        rc = 0;
      }
    }
    krb5_kt_close(ctx_, source);
    return rc;
  }

  krb5_error_code fail(krb5_error_code rc, const char* what) {
    if (error_.empty()) {
      const char* msg = krb5_get_error_message(ctx_, rc);
      error_ = std::string(what) + ": " + msg;
      krb5_free_error_message(ctx_, msg);
    }
    return rc;
  }

  krb5_context ctx_ = nullptr;
  krb5_principal client_ = nullptr;
  krb5_principal service_ = nullptr;
  krb5_keytab keytab_ = nullptr;
  krb5_ccache ccache_ = nullptr;
  std::string error_;
};

// Setup happens before the start signal so that only exchanges are timed.
void worker(const Options& o, unsigned index, std::atomic<int>& ready, std::atomic<bool>& go,
            Clock::time_point& deadline, ThreadResult& result) {
  Session s;
  bool usable = s.open(o, index) == 0 && (o.mode != Mode::Tgs || s.getTgt() == 0);
  ready.fetch_add(1);
  while (!go.load(std::memory_order_acquire)) {
    std::this_thread::yield();
  }
  if (!usable) {
    result.errors = 1;
    result.firstError = s.error();
    return;
  }
  kerbpool::bench::PacedSchedule schedule(o.rate, o.threads, index, Clock::now());
  while (schedule.waitNext(deadline)) {
    const krb5_error_code rc = o.mode == Mode::Tgs ? s.tgsExchange() : s.asExchange();
    if (rc == 0) {
      ++result.exchanges;
    } else {
      ++result.errors;
    }
  }
  result.firstError = s.error();
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parseArgs(argc, argv, o)) {
    usage(argv[0]);
    return 2;
  }
  if (std::getenv("KRB5_CONFIG") == nullptr) {
    std::fprintf(stderr, "kdc_loadgen: set KRB5_CONFIG to the krb5.conf of the KDC under test\n");
    return 2;
  }

  std::vector<ThreadResult> results(o.threads);
  std::vector<std::thread> threads;
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  Clock::time_point deadline{};
  for (unsigned i = 0; i < o.threads; ++i) {
    threads.emplace_back(worker, std::cref(o), i, std::ref(ready), std::ref(go), std::ref(deadline),
                         std::ref(results[i]));
  }
  while (ready.load() < static_cast<int>(o.threads)) {
    std::this_thread::yield();
  }
  const Clock::time_point start = Clock::now();
  deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.duration));
  go.store(true, std::memory_order_release);
  for (auto& t : threads) {
    t.join();
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();

  unsigned long long exchanges = 0;
  unsigned long long errors = 0;
  for (const auto& r : results) {
    exchanges += r.exchanges;
    errors += r.errors;
    if (!r.firstError.empty()) {
      std::fprintf(stderr, "kdc_loadgen: %s\n", r.firstError.c_str());
    }
  }
  std::printf(
      "kdc_loadgen mode=%s threads=%u seconds=%.3f exchanges=%llu errors=%llu rate=%.1f offered=%.0f\n",
      o.mode == Mode::Tgs ? "tgs" : "as", o.threads, seconds, exchanges, errors,
      static_cast<double>(exchanges) / seconds, o.rate);
  return exchanges > 0 && errors == 0 ? 0 : 1;
}
