// `kerbpool bench netlogon`: the MaxConcurrentApi model check. A discrete-event model (virtual time) of one
// secure channel for m = 2, 10, 150 at offered loads below and above its capacity m/h, then the real
// semaphore with real threads (the in-process secure channel, real NTLMv2 validation) against the model
// for one configuration. Prints PASS/FAIL per check; the exit code is 1 when a check fails.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cli/commands.hpp"
#include "core/common/clock.hpp"
#include "core/common/rng.hpp"
#include "core/ntlm/ntlm_challenge.hpp"
#include "core/ntlm/ntlm_client.hpp"
#include "frontend/secure_channel.hpp"
#include "kdc/directory.hpp"
#include "kdc/event_log.hpp"
#include "kdc/netlogon.hpp"
#include "netlogon/netlogon_model.hpp"

namespace kerbpool::cli {
namespace {

struct Options {
  double holdMs = 50;
  double durationS = 120;
  double timeoutS = 45;
  std::uint64_t seed = 1;
  std::string distribution = "fixed";
  bool realtime = true;
  double realtimeSeconds = 2;
  double realtimeHoldMs = 20;
  double realtimeTimeoutMs = 500;
};

double ms(core::Micros d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

struct Checks {
  int failed = 0;
  std::vector<std::string> notes;
  void expect(bool ok, const std::string& what) {
    if (!ok) {
      ++failed;
      notes.push_back("FAIL " + what);
    }
  }
};

std::size_t waitersAt(const netlogon::NetlogonModelReport& r, std::size_t second) {
  return second == 0 || r.waiterSeries.empty() ? 0
                                               : r.waiterSeries[std::min(second, r.waiterSeries.size()) - 1];
}

int modelTable(const Options& o, netlogon::HoldDistribution dist, Checks& checks) {
  std::printf(
      "Model (virtual time): one secure channel, %s h = %.0f ms, wait timeout %.0f s, %.0f s of Poisson "
      "arrivals, seed %llu\n",
      std::string(netlogon::toString(dist)).c_str(), o.holdMs, o.timeoutS, o.durationS,
      static_cast<unsigned long long>(o.seed));
  std::printf("%4s %5s %9s %8s %8s %6s %8s %8s %8s %8s %8s %7s %7s %7s %8s %9s %9s  %s\n", "m", "load",
              "offered/s", "m/h /s", "thru/s", "thru%", "mean ms", "p50 ms", "p95 ms", "p99 ms", "maxWait",
              "W@30s", "W@60s", "W@end", "timeouts", "1st TO s", "pred TO s", "checks");
  const double h = o.holdMs / 1000.0;
  const double w = o.timeoutS;
  for (unsigned m : {2u, 10u, 150u}) {
    for (double load : {0.5, 0.9, 1.1, 2.0, 4.0}) {
      netlogon::NetlogonModelConfig c;
      c.maxConcurrentApi = m;
      c.arrivalsPerSecond = load * m / h;
      c.arrivalSeed = o.seed;
      c.waitTimeout = core::Micros(static_cast<std::int64_t>(w * 1e6));
      c.hold.distribution = dist;
      c.hold.mean = core::Micros(static_cast<std::int64_t>(o.holdMs * 1000));
      c.hold.seed = o.seed + 1;
      c.duration = core::Micros(static_cast<std::int64_t>(o.durationS * 1e6));
      auto r = netlogon::runNetlogonModel(c);
      if (!r.ok()) {
        std::fprintf(stderr, "model: %s\n", r.error().message().c_str());
        return 1;
      }
      const double cap = r->capacityPerSecond;
      const double ratio = r->throughputPerSecond / cap;
      // Fluid approximation: the call arriving at t0 = W*mu/(lambda-mu) is the first to wait W; it fails at
      // t0+W.
      const double mu = cap;
      const double lambda = c.arrivalsPerSecond;
      const double predicted = lambda > mu ? w * mu / (lambda - mu) + w : -1;
      const std::string tag = "m=" + std::to_string(m) + " load=" + std::to_string(load).substr(0, 3);
      const int before = checks.failed;
      const bool fixed = dist == netlogon::HoldDistribution::Fixed;
      if (fixed) {
        checks.expect(r->throughputPerSecond <= cap * 1.01, tag + ": throughput above m/h");
      }
      if (load <= 0.9) {
        checks.expect(r->timedOut == 0, tag + ": timeouts below saturation");
      }
      if (load <= 0.5 && fixed) {
        checks.expect(std::abs(ms(r->p50Latency) - o.holdMs) <= 0.1 * o.holdMs, tag + ": p50 not ~h");
      }
      if (load > 1.0) {
        checks.expect(ratio >= 0.9 && ratio <= 1.1, tag + ": throughput not within 10% of m/h");
        checks.expect(waitersAt(*r, 60) > waitersAt(*r, 30) || r->timedOut > 0, tag + ": queue not growing");
        if (predicted > 0 && predicted < 0.9 * o.durationS) {
          checks.expect(r->timedOut > 0, tag + ": no timeouts although waits exceed the timeout");
        }
      }
      if (r->firstTimeoutAt) {
        checks.expect(ms(*r->firstTimeoutAt) >= w * 1000, tag + ": a timeout before any wait could reach W");
      }
      checks.expect(r->grantedInArrivalOrder, tag + ": grants out of FIFO order");
      char first[16] = "-";
      if (r->firstTimeoutAt) {
        std::snprintf(first, sizeof first, "%.1f", ms(*r->firstTimeoutAt) / 1000);
      }
      char pred[16] = "-";
      if (predicted > 0) {
        std::snprintf(pred, sizeof pred, "%.1f", predicted);
      }
      std::printf(
          "%4u %5.1f %9.1f %8.1f %8.1f %5.1f%% %8.1f %8.1f %8.1f %8.1f %8zu %7zu %7zu %7llu %8llu %9s %9s  "
          "%s\n",
          m, load, r->offeredPerSecond, cap, r->throughputPerSecond, 100 * ratio, ms(r->meanLatency),
          ms(r->p50Latency), ms(r->p95Latency), ms(r->p99Latency), r->maxWaiters, waitersAt(*r, 30),
          waitersAt(*r, 60), static_cast<unsigned long long>(r->waitingAtEnd),
          static_cast<unsigned long long>(r->timedOut), first, pred,
          checks.failed == before ? "PASS" : "FAIL");
    }
  }
  return 0;
}

// One valid pass-through request for alice (NTLMv2 built by kerbpool's client against a front-end CHALLENGE).
core::Result<netlogon::PassThroughRequest> sampleRequest(const core::Clock& clock) {
  core::SeededRng rng(7);
  KP_TRY(auto creds, core::ntlm::credentialsFromPassword("alice", "CONTOSO", "Passw0rd!"));
  core::ntlm::ClientOptions options;
  options.workstation = "WS01";
  options.targetSpn = "HTTP/pool.contoso.test";
  core::ntlm::NtlmClient client(options, creds, clock, rng);
  KP_TRY(core::Bytes negotiate, client.negotiate());
  core::ntlm::ChallengeOptions server;
  server.nbDomainName = "CONTOSO";
  server.nbComputerName = "FE01";
  server.dnsDomainName = "contoso.test";
  server.dnsComputerName = "fe01.contoso.test";
  KP_TRY(auto pending, core::ntlm::buildChallenge(negotiate, server, rng, clock));
  KP_TRY(auto auth, client.authenticate(pending.challenge));
  KP_TRY(auto read, core::ntlm::readAuthenticate(auth.message));
  netlogon::PassThroughRequest req;
  req.user = read.message.userName;
  req.domain = read.message.domainName;
  req.workstation = read.message.workstation;
  req.serverChallenge.assign(pending.serverChallenge.begin(), pending.serverChallenge.end());
  req.ntChallengeResponse = read.message.ntChallengeResponse;
  req.lmChallengeResponse = read.message.lmChallengeResponse;
  req.channel = "FE01$";
  return req;
}

struct RealCall {
  double finishS = 0;
  double latencyMs = 0;
  netlogon::NtStatus status = netlogon::NtStatus::STATUS_SUCCESS;
};

int realTimeRun(const Options& o, Checks& checks) {
  const unsigned m = 2;
  const double h = o.realtimeHoldMs / 1000.0;
  const double lambda = 4.0 * m / h;
  const auto interval = std::chrono::microseconds(static_cast<std::int64_t>(1e6 / lambda));
  const auto window = std::chrono::microseconds(static_cast<std::int64_t>(o.realtimeSeconds * 1e6));
  const auto timeout = std::chrono::microseconds(static_cast<std::int64_t>(o.realtimeTimeoutMs * 1000));

  netlogon::NetlogonModelConfig mc;
  mc.maxConcurrentApi = m;
  mc.arrivalsPerSecond = lambda;
  mc.arrivals = netlogon::ArrivalProcess::FixedInterval;
  mc.waitTimeout = timeout;
  mc.hold.mean = core::Micros(static_cast<std::int64_t>(o.realtimeHoldMs * 1000));
  mc.duration = window;
  mc.sampleEvery = std::chrono::milliseconds(100);
  auto model = netlogon::runNetlogonModel(mc);
  if (!model.ok()) {
    std::fprintf(stderr, "model: %s\n", model.error().message().c_str());
    return 1;
  }

  core::SystemClock clock;
  kdc::EventLog events(clock);
  kdc::Directory dir("contoso.test", events);
  kdc::AccountSpec alice;
  alice.samAccountName = "alice";
  if (!dir.addAccount(alice).ok() || !dir.setPassword("alice", "Passw0rd!").ok()) {
    std::fprintf(stderr, "cannot create the test account\n");
    return 1;
  }
  kdc::NetlogonService service(dir, events);
  auto request = sampleRequest(clock);
  if (!request.ok()) {
    std::fprintf(stderr, "cannot build an NTLM request: %s\n", request.error().message().c_str());
    return 1;
  }
  frontend::RealTimeDelay delay;
  frontend::ChannelConfig cc;
  cc.semaphore.maxConcurrentApi = m;
  cc.semaphore.waitTimeout = timeout;
  cc.latency.mean = mc.hold.mean;
  auto throttle = frontend::ChannelThrottle::create(cc, clock, &events, delay);
  if (!throttle.ok()) {
    std::fprintf(stderr, "%s\n", throttle.error().message().c_str());
    return 1;
  }
  frontend::InProcessSecureChannel channel(service, **throttle);

  std::mutex mu;
  std::vector<RealCall> calls;
  std::vector<std::thread> threads;
  const auto start = std::chrono::steady_clock::now();
  const auto count = static_cast<std::size_t>(window / interval);
  for (std::size_t i = 0; i < count; ++i) {
    std::this_thread::sleep_until(start + i * interval);
    threads.emplace_back([&] {
      const auto t0 = std::chrono::steady_clock::now();
      auto r = channel.validate(*request);
      const auto t1 = std::chrono::steady_clock::now();
      std::lock_guard lock(mu);
      calls.push_back(RealCall{std::chrono::duration<double>(t1 - start).count(),
                               std::chrono::duration<double, std::milli>(t1 - t0).count(),
                               r.ok() ? r->status : netlogon::NtStatus::STATUS_NO_LOGON_SERVERS});
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  const double windowS = o.realtimeSeconds;
  std::uint64_t completed = 0, timeouts = 0, wrong = 0;
  std::vector<double> latencies;
  for (const auto& c : calls) {
    if (c.finishS > windowS) {
      continue;
    }
    if (c.status == netlogon::NtStatus::STATUS_SUCCESS) {
      ++completed;
      latencies.push_back(c.latencyMs);
    } else if (c.status == netlogon::NtStatus::STATUS_NO_LOGON_SERVERS) {
      ++timeouts;
    } else {
      ++wrong;
    }
  }
  std::sort(latencies.begin(), latencies.end());
  const double p50 = latencies.empty() ? 0 : latencies[latencies.size() / 2];
  const auto counters = (*throttle)->semaphore().counters();

  std::printf(
      "\nReal time vs model: m = %u, fixed h = %.0f ms, 4x overload (%.0f/s every %.2f ms), wait timeout "
      "%.0f ms, %.1f s\n",
      m, o.realtimeHoldMs, lambda, interval.count() / 1000.0, o.realtimeTimeoutMs, windowS);
  std::printf("%-8s %9s %9s %9s %9s %9s %9s\n", "", "offered", "done", "thru/s", "timeouts", "p50 ms",
              "maxWait");
  std::printf("%-8s %9llu %9llu %9.1f %9llu %9.1f %9zu\n", "model",
              static_cast<unsigned long long>(model->offered),
              static_cast<unsigned long long>(model->completed), model->throughputPerSecond,
              static_cast<unsigned long long>(model->timedOut), ms(model->p50Latency), model->maxWaiters);
  std::printf("%-8s %9zu %9llu %9.1f %9llu %9.1f %9llu\n", "real", count,
              static_cast<unsigned long long>(completed), completed / windowS,
              static_cast<unsigned long long>(timeouts), p50,
              static_cast<unsigned long long>(counters.maxWaiters));
  std::printf("%s", netlogon::formatPerfCounters(counters, "FE01$").c_str());
  std::printf(
      "events: 4776 x%llu, 5816 x%llu, 5817 x%llu (5817 summarises at the end of a 30-minute period)\n",
      static_cast<unsigned long long>(events.count(kdc::event_id::kNtlmCredentialValidation)),
      static_cast<unsigned long long>(events.count(netlogon::event_id::kNetlogonRequestTimedOut)),
      static_cast<unsigned long long>(events.count(netlogon::event_id::kNetlogonRequestsTimedOut)));
  // Sleeping overshoots on a busy machine, so the real holds run a little longer than h: compare with the
  // model fed the hold time the semaphore actually measured.
  netlogon::NetlogonModelConfig measured = mc;
  measured.hold.mean = core::Micros(static_cast<std::int64_t>(counters.averageSemaphoreHoldTime * 1e6));
  auto remodel = netlogon::runNetlogonModel(measured);
  if (!remodel.ok()) {
    std::fprintf(stderr, "model: %s\n", remodel.error().message().c_str());
    return 1;
  }
  std::printf(
      "model at the measured hold time (%.2f ms): done %llu, thru %.1f/s, timeouts %llu, maxWait %zu\n",
      counters.averageSemaphoreHoldTime * 1000, static_cast<unsigned long long>(remodel->completed),
      remodel->throughputPerSecond, static_cast<unsigned long long>(remodel->timedOut), remodel->maxWaiters);
  auto near = [](double a, double b) { return std::abs(a - b) <= 0.1 * std::max(1.0, b); };
  checks.expect(wrong == 0, "real: validations other than success/timeout");
  checks.expect(near(static_cast<double>(completed), static_cast<double>(remodel->completed)),
                "real: completions not within 10% of the model at the measured hold time");
  checks.expect(near(static_cast<double>(timeouts), static_cast<double>(remodel->timedOut)),
                "real: timeouts not within 10% of the model at the measured hold time");
  checks.expect(completed / windowS <= model->capacityPerSecond * 1.01, "real: throughput above m/h");
  return 0;
}

int benchNetlogon(const Options& o) {
  auto dist = netlogon::parseHoldDistribution(o.distribution);
  if (!dist.ok()) {
    std::fprintf(stderr, "%s\n", dist.error().message().c_str());
    return 2;
  }
  Checks checks;
  if (modelTable(o, *dist, checks) != 0) {
    return 1;
  }
  if (o.realtime && realTimeRun(o, checks) != 0) {
    return 1;
  }
  for (const auto& n : checks.notes) {
    std::printf("%s\n", n.c_str());
  }
  std::printf("%s: %d failed check(s)\n", checks.failed == 0 ? "PASS" : "FAIL", checks.failed);
  return checks.failed == 0 ? 0 : 1;
}

}  // namespace

void registerBenchNetlogon(CLI::App& app) {
  auto* bench = app.get_subcommand("bench");
  auto* cmd = bench->add_subcommand(
      "netlogon", "MaxConcurrentApi model check: secure-channel throughput, latency and timeouts vs m/h");
  static Options o;
  cmd->add_option("--hold-ms", o.holdMs, "DC round-trip hold time h (mean), ms")
      ->check(CLI::Range(1.0, 10000.0));
  cmd->add_option("--duration-s", o.durationS, "virtual seconds of offered load")
      ->check(CLI::Range(1.0, 3600.0));
  cmd->add_option("--timeout-s", o.timeoutS, "semaphore wait timeout, s (Windows: 45)")
      ->check(CLI::Range(0.001, 3600.0));
  cmd->add_option("--seed", o.seed, "seed of the arrival and hold-time streams");
  cmd->add_option("--distribution", o.distribution, "hold time: fixed, exponential or lognormal");
  cmd->add_flag("!--no-realtime", o.realtime, "skip the real-thread run");
  cmd->add_option("--realtime-seconds", o.realtimeSeconds, "length of the real-thread run, s")
      ->check(CLI::Range(0.2, 60.0));
  cmd->footer("Example: kerbpool bench netlogon --hold-ms 50 --timeout-s 45");
  cmd->callback([] { setExitCode(benchNetlogon(o)); });
}

}  // namespace kerbpool::cli
