#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/common/result.hpp"
#include "lab/state_store.hpp"
#include "scenarios/pool_world.hpp"

// The live lab's dashboard (`kerbpool serve`, `--dashboard-port`): one page on 127.0.0.1 that polls the lab's
// counters every second and draws, as outside clients hit the pool, requests per second per node, 200s per
// second by mechanism (Kerberos, NTLM) against refusals, each node's Netlogon semaphore (waiters, holders,
// timeouts: the counters Windows shows as \Netlogon(*)\Semaphore ...), KDC errors per second by code, the
// totals, and the newest events of the DC and the nodes. Chart.js is the report's pinned copy, embedded in
// the page: it loads with no network.
namespace kerbpool::lab {

// What the page polls: the counters of every node, DC and secure channel right now, and the newest events
// (with a state: from the state's log, earlier runs included, each with its run number).
std::string dashboardSnapshotJson(const scenarios::PoolWorld& world, const StateStore* store = nullptr);
// The page itself.
std::string dashboardPage(const scenarios::Scenario& scenario);

// A small HTTP server for the page: GET / (the page), GET /stats.json (the snapshot); anything else 404, a
// method other than GET 405. One request per connection, served in turn on one thread (a lab dashboard has
// one or two viewers), each connection given 2 s to send its request.
class DashboardServer {
 public:
  // `store` (may be null) must outlive the server.
  static core::Result<std::unique_ptr<DashboardServer>> start(const scenarios::PoolWorld& world,
                                                              std::uint16_t port,
                                                              const StateStore* store = nullptr);
  ~DashboardServer();
  DashboardServer(const DashboardServer&) = delete;
  DashboardServer& operator=(const DashboardServer&) = delete;

  std::uint16_t port() const { return port_; }
  std::uint64_t served() const;
  void stop();

  struct State;

 private:
  DashboardServer(std::shared_ptr<State> state, std::uint16_t port) : state_(std::move(state)), port_(port) {}
  std::shared_ptr<State> state_;
  std::uint16_t port_ = 0;
};

}  // namespace kerbpool::lab
