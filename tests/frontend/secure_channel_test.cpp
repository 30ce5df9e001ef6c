// The front-end's secure channel: MaxConcurrentApi holds under real concurrency (in process), timeouts become
// STATUS_NO_LOGON_SERVERS, the hold time is applied, and the network channel talks to a real listener.
// Threads are lined up on condition variables, never with sleeps.
#include <catch2/catch.hpp>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "frontend/secure_channel.hpp"
#include "frontend/secure_channel_client.hpp"
#include "kdc/netlogon_server.hpp"
#include "tests/kdc/pool_fixture.hpp"
#include "tests/netlogon/ntlm_pass_through.hpp"

using namespace kerbpool;
using namespace kerbpool::frontend;
using kerbpool::kdc::pooltest::PoolFixture;
using kerbpool::netlogon::NtStatus;
using kerbpool::netlogon::test::ntlmExchange;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

constexpr milliseconds kLimit{10000};  // only reached when the code under test is broken

// Holds every caller until the test opens it; counts how many are inside at once.
class GateDelay final : public RoundTripDelay {
 public:
  void hold(core::Micros duration) override {
    std::unique_lock lock(mu_);
    requested_.push_back(duration);
    ++inside_;
    maxInside_ = std::max(maxInside_, inside_);
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_; });
    --inside_;
  }
  void open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  bool awaitInside(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kLimit, [&] { return inside_ >= n; });
  }
  int inside() {
    std::lock_guard lock(mu_);
    return inside_;
  }
  int maxInside() {
    std::lock_guard lock(mu_);
    return maxInside_;
  }
  std::vector<core::Micros> requested() {
    std::lock_guard lock(mu_);
    return requested_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
  int inside_ = 0;
  int maxInside_ = 0;
  std::vector<core::Micros> requested_;
};

ChannelConfig config(unsigned m, netlogon::TimeoutMode mode, core::Micros hold) {
  ChannelConfig c;
  c.semaphore.maxConcurrentApi = m;
  c.semaphore.timeouts = mode;
  c.latency.mean = hold;
  return c;
}

}  // namespace

TEST_CASE("secure channel: with MaxConcurrentApi 2 at most two calls hold the channel",
          "[frontend][netlogon]") {
  PoolFixture f;
  kdc::NetlogonService service(f.dir, f.events);
  GateDelay gate;
  auto throttle = ChannelThrottle::create(config(2, netlogon::TimeoutMode::External, seconds(1)), f.clock,
                                          &f.events, gate);
  REQUIRE(throttle.ok());
  InProcessSecureChannel channel(service, **throttle);
  const auto request = ntlmExchange("alice", "CONTOSO", "Passw0rd!").request;

  std::mutex mu;
  std::vector<NtStatus> statuses;
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&] {
      auto r = channel.validate(request);
      std::lock_guard lock(mu);
      statuses.push_back(r.ok() ? r->status : NtStatus::STATUS_LOGON_FAILURE);
    });
  }
  REQUIRE(gate.awaitInside(2));
  REQUIRE((*throttle)->semaphore().awaitWaitersForTest(4, kLimit));
  CHECK(gate.inside() == 2);
  CHECK((*throttle)->semaphore().holders() == 2);
  CHECK((*throttle)->semaphore().counters().semaphoreWaiters == 4);
  gate.open();
  for (auto& t : threads) {
    t.join();
  }
  CHECK(gate.maxInside() == 2);
  CHECK(statuses == std::vector<NtStatus>(6, NtStatus::STATUS_SUCCESS));
  CHECK((*throttle)->semaphore().counters().semaphoreAcquires == 6);
  CHECK(service.counters().count(NtStatus::STATUS_SUCCESS) == 6);
}

TEST_CASE("secure channel: a call that waits 45 s for a slot fails with STATUS_NO_LOGON_SERVERS",
          "[frontend][netlogon]") {
  PoolFixture f;
  kdc::NetlogonService service(f.dir, f.events);
  GateDelay gate;
  auto throttle = ChannelThrottle::create(config(1, netlogon::TimeoutMode::External, seconds(1)), f.clock,
                                          &f.events, gate);
  REQUIRE(throttle.ok());
  InProcessSecureChannel channel(service, **throttle);
  const auto request = ntlmExchange("alice", "CONTOSO", "Passw0rd!").request;

  core::Result<PassThroughResponse> first = PassThroughResponse{};
  core::Result<PassThroughResponse> second = PassThroughResponse{};
  std::thread a([&] { first = channel.validate(request); });
  REQUIRE(gate.awaitInside(1));
  std::thread b([&] { second = channel.validate(request); });
  REQUIRE((*throttle)->semaphore().awaitWaitersForTest(1, kLimit));
  f.clock.advance(seconds(45));
  CHECK((*throttle)->semaphore().checkTimeouts() == 1);
  b.join();
  REQUIRE(second.ok());
  CHECK(second->status == NtStatus::STATUS_NO_LOGON_SERVERS);
  CHECK(second->detail == "semaphore_timeout");
  CHECK(f.events.count(netlogon::event_id::kNetlogonRequestTimedOut) == 1);
  gate.open();
  a.join();
  REQUIRE(first.ok());
  CHECK(first->status == NtStatus::STATUS_SUCCESS);
  // The timed-out call never reached the DC.
  CHECK(service.counters().requests == 1);
}

// Lets every caller through at once and records the hold it was asked to spend.
class RecordingDelay final : public RoundTripDelay {
 public:
  void hold(core::Micros d) override {
    std::lock_guard lock(mu_);
    holds_.push_back(d);
  }
  std::vector<core::Micros> holds() {
    std::lock_guard lock(mu_);
    return holds_;
  }

 private:
  std::mutex mu_;
  std::vector<core::Micros> holds_;
};

TEST_CASE("secure channel: the slot is kept for the hold time minus the round trip", "[frontend][netlogon]") {
  PoolFixture f;
  kdc::NetlogonService service(f.dir, f.events);
  RecordingDelay delay;
  core::SystemClock clock;
  auto throttle = ChannelThrottle::create(config(2, netlogon::TimeoutMode::RealTime, milliseconds(500)),
                                          clock, nullptr, delay);
  REQUIRE(throttle.ok());
  InProcessSecureChannel channel(service, **throttle);
  auto r = channel.validate(ntlmExchange("alice", "CONTOSO", "Passw0rd!").request);
  REQUIRE(r.ok());
  CHECK(r->status == NtStatus::STATUS_SUCCESS);
  auto holds = delay.holds();
  REQUIRE(holds.size() == 1);
  CHECK(holds[0] <= milliseconds(500));
  CHECK(holds[0] > milliseconds(250));  // the NTLMv2 check takes microseconds, not a quarter second

  ChannelConfig bad = config(0, netlogon::TimeoutMode::RealTime, milliseconds(1));
  CHECK(ChannelThrottle::create(bad, clock, nullptr, delay).error().code ==
        "max_concurrent_api_out_of_range");
  bad = config(2, netlogon::TimeoutMode::RealTime, milliseconds(1));
  bad.latency.distribution = netlogon::HoldDistribution::LogNormal;
  bad.latency.sigma = -1;
  CHECK(ChannelThrottle::create(bad, clock, nullptr, delay).error().code == "bad_sigma");
}

TEST_CASE("secure channel: the network channel validates through a Netlogon listener",
          "[frontend][netlogon]") {
  PoolFixture f;
  kdc::NetlogonService service(f.dir, f.events);
  auto server = kdc::startNetlogonServer({}, service);
  REQUIRE(server.ok());
  RecordingDelay delay;
  core::SystemClock clock;
  auto throttle = ChannelThrottle::create(config(2, netlogon::TimeoutMode::RealTime, core::Micros(0)), clock,
                                          nullptr, delay);
  REQUIRE(throttle.ok());
  NetlogonClientConfig cc;
  cc.port = (*server)->port();
  NetworkSecureChannel channel(cc, **throttle);

  auto x = ntlmExchange("alice", "CONTOSO", "Passw0rd!");
  auto ok = channel.validate(x.request);
  REQUIRE(ok.ok());
  CHECK(ok->status == NtStatus::STATUS_SUCCESS);
  CHECK(ok->accountName == "alice");
  auto done = core::ntlm::completeAuthenticate(x.pending, x.auth.message, ok->sessionBaseKey);
  REQUIRE(done.ok());
  CHECK(done->micVerified);

  auto wrong = channel.validate(ntlmExchange("alice", "CONTOSO", "nope").request);
  REQUIRE(wrong.ok());
  CHECK(wrong->status == NtStatus::STATUS_WRONG_PASSWORD);
  auto unknown = channel.validate(ntlmExchange("zed", "CONTOSO", "x").request);
  REQUIRE(unknown.ok());
  CHECK(unknown->status == NtStatus::STATUS_NO_SUCH_USER);
  // Sequential calls reuse one connection.
  CHECK((*server)->stats().connections == 1);

  // A server-side decoding refusal comes back as a status, not a transport error.
  auto bad = x.request;
  bad.user = std::string(2000, 'u');
  auto refused = channel.validate(bad);
  REQUIRE(refused.ok());
  CHECK(refused->status == NtStatus::STATUS_INVALID_PARAMETER);

  server->reset();  // stop and close every connection: the pooled one included
  auto down = channel.validate(x.request);
  REQUIRE(!down.ok());
  CHECK(down.error().category == core::ErrorCategory::Io);
}
