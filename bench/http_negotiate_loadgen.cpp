// http_negotiate_loadgen: drives an HTTP server that wants `Authorization: Negotiate` with MIT's own
// GSS-API library, so kerbpool's front-end and Apache's mod_auth_gssapi see exactly the same requests.
//
//   http_negotiate_loadgen --port N [--host 127.0.0.1] [--path /bench] [--host-header pool.contoso.test]
//                          [--service HTTP@pool.contoso.test] [--threads N] [--duration S] [--rate R]
//                          [--mech spnego|krb5] [--ccache memory|file] [--no-mutual] [--no-verify]
//
// Each thread holds ONE keep-alive TCP connection (plain sockets, minimal HTTP/1.1) and, until a common
// deadline, sends GET requests each carrying a fresh security context: gss_init_sec_context() for the
// GSS_C_NT_HOSTBASED_SERVICE name, with GSS_C_MUTUAL_FLAG unless --no-mutual, through SPNEGO (as browsers
// and curl send it) or the bare krb5 mechanism. The credentials come from the ccache named by KRB5CCNAME
// (kinit, then kvno for the service): it already holds the service ticket, so a request costs the client a
// new authenticator (a new AP-REQ), never a KDC exchange. With --ccache memory (the default) each thread
// copies that ccache into a MEMORY: ccache of its own first, so requests do not reread the file.
// The response is read by its Content-Length. A 200 with mutual authentication must carry the server's
// token in `WWW-Authenticate: Negotiate`, which the second gss_init_sec_context() call verifies (AP-REP
// inside a SPNEGO NegTokenResp) unless --no-verify. When the server closes the connection (or any error
// leaves its state unknown) the thread reconnects and counts a reconnect.
// --rate R offers R requests per second over all threads (bench/paced_schedule.hpp) instead of sending the
// next request as soon as the answer came (saturation).
// The last line on stdout is machine-readable:
//   http_negotiate_loadgen mech=spnego threads=4 seconds=5.001 requests=N ok=N failures=0 reconnects=0
//   rate=2468.5
// (one line), rate being 200s with a verified context per second. Exit status: 0 when at least one
// request succeeded and none failed, 1 otherwise, 2 on bad usage.
// This file runs the threads; the command line is read in negotiate_loadgen_options.cpp, and each thread's
// client is NegotiateLoadClient (negotiate_load_client.hpp).
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "bench/negotiate_load_client.hpp"
#include "bench/negotiate_loadgen_options.hpp"
#include "bench/paced_schedule.hpp"

namespace {

using namespace kerbpool::bench;
using Clock = std::chrono::steady_clock;

struct ThreadResult {
  unsigned long long requests = 0;
  unsigned long long ok = 0;
  unsigned long long failures = 0;
  unsigned long long reconnects = 0;
  std::string firstError;
};

// Setup happens before the start signal so that only requests are timed.
void worker(const Options& o, unsigned index, std::atomic<int>& ready, std::atomic<bool>& go,
            Clock::time_point& deadline, ThreadResult& result) {
  NegotiateLoadClient c(o);
  const bool usable = c.open();
  ready.fetch_add(1);
  while (!go.load(std::memory_order_acquire)) {
    std::this_thread::yield();
  }
  if (!usable) {
    result.failures = 1;
    result.firstError = c.error();
    return;
  }
  PacedSchedule schedule(o.rate, o.threads, index, Clock::now());
  while (schedule.waitNext(deadline)) {
    ++result.requests;
    if (c.request()) {
      ++result.ok;
    } else {
      ++result.failures;
    }
  }
  result.reconnects = c.reconnects();
  result.firstError = c.error();
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parseArgs(argc, argv, o)) {
    usage(argv[0]);
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

  ThreadResult total;
  for (const auto& r : results) {
    total.requests += r.requests;
    total.ok += r.ok;
    total.failures += r.failures;
    total.reconnects += r.reconnects;
    if (!r.firstError.empty()) {
      std::fprintf(stderr, "http_negotiate_loadgen: %s\n", r.firstError.c_str());
    }
  }
  std::printf(
      "http_negotiate_loadgen mech=%s threads=%u seconds=%.3f requests=%llu ok=%llu failures=%llu "
      "reconnects=%llu rate=%.1f\n",
      o.mech == Mech::Spnego ? "spnego" : "krb5", o.threads, seconds, total.requests, total.ok,
      total.failures, total.reconnects, static_cast<double>(total.ok) / seconds);
  return total.ok > 0 && total.failures == 0 ? 0 : 1;
}
