#include "net/idle_sweeper.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <utility>
#include <vector>

using namespace kerbpool;
using namespace std::chrono_literals;

namespace {

struct Waiter : net::Closable {
  explicit Waiter(std::vector<std::pair<int, std::uint64_t>>& log, int name) : log(log), name(name) {}
  void forceClose() override {}
  void idleTimedOut(std::uint64_t generation) override { log.emplace_back(name, generation); }
  std::vector<std::pair<int, std::uint64_t>>& log;
  int name;
  net::IdleHook hook;
};

}  // namespace

TEST_CASE("idle sweeper: waits end in order after their timeout, removed ones never", "[net]") {
  boost::asio::io_context ioc;
  auto& sweeper = net::idleSweeperOf(ioc.get_executor());
  CHECK(&sweeper == &net::idleSweeperOf(ioc.get_executor()));  // one per io_context
  std::vector<std::pair<int, std::uint64_t>> log;
  auto a = std::make_shared<Waiter>(log, 1);
  auto b = std::make_shared<Waiter>(log, 2);
  auto c = std::make_shared<Waiter>(log, 3);
  auto d = std::make_shared<Waiter>(log, 4);
  const auto ga = sweeper.add(a->hook, 30ms, a);
  const auto gb = sweeper.add(b->hook, 30ms, b);
  sweeper.add(c->hook, 30ms, c);
  const auto gd = sweeper.add(d->hook, 10ms, d);  // another timeout: its own list, earlier deadline
  CHECK(sweeper.size() == 4);
  sweeper.remove(c->hook);  // the client sent before the timeout
  sweeper.remove(c->hook);  // twice is harmless
  CHECK(sweeper.size() == 3);
  ioc.run();  // returns once nobody waits: no timer is left behind
  REQUIRE(log.size() == 3);
  CHECK(log[0] == std::make_pair(4, gd));
  CHECK(log[1] == std::make_pair(1, ga));
  CHECK(log[2] == std::make_pair(2, gb));
  CHECK(sweeper.size() == 0);
  CHECK_FALSE(a->hook.linked);
}

TEST_CASE("idle sweeper: a new wait of a connection replaces its old one and a removed one is never called",
          "[net]") {
  boost::asio::io_context ioc;
  auto& sweeper = net::idleSweeperOf(ioc.get_executor());
  std::vector<std::pair<int, std::uint64_t>> log;
  auto a = std::make_shared<Waiter>(log, 1);
  const auto first = sweeper.add(a->hook, 10ms, a);
  const auto second = sweeper.add(a->hook, 10ms, a);
  CHECK(second != first);
  CHECK(sweeper.size() == 1);
  {
    auto gone = std::make_shared<Waiter>(log, 2);
    sweeper.add(gone->hook, 10ms, gone);
    sweeper.remove(gone->hook);  // what a session's destructor does
  }
  ioc.run();
  REQUIRE(log.size() == 1);
  CHECK(log[0] == std::make_pair(1, second));
}

TEST_CASE("idle sweeper: the last wait removed leaves the io_context without work", "[net]") {
  boost::asio::io_context ioc;
  auto& sweeper = net::idleSweeperOf(ioc.get_executor());
  std::vector<std::pair<int, std::uint64_t>> log;
  auto a = std::make_shared<Waiter>(log, 1);
  sweeper.add(a->hook, std::chrono::milliseconds(3600 * 1000), a);
  sweeper.remove(a->hook);
  ioc.run();  // would block for an hour if the timer stayed armed
  CHECK(log.empty());
}
