#include "lab/dashboard.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "lab/loopback_listener.hpp"
#include "scenarios/report_assets.hpp"
#include "scenarios/report_html.hpp"

namespace kerbpool::lab {

namespace {

using core::ErrorCategory;
using core::makeError;
using nlohmann::json;

constexpr std::size_t kNewestEvents = 30;

}  // namespace

std::string dashboardSnapshotJson(const scenarios::PoolWorld& world, const StateStore* store) {
  json j;
  j["scenario"] = world.scenario().name;
  j["time_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now().time_since_epoch())
                     .count();
  j["nodes"] = json::array();
  for (const auto& n : world.nodes()) {
    json node{{"name", n.name},
              {"account", n.account},
              {"up", n.up},
              {"requests", n.stats.requests - n.stats.health},
              {"allowed", n.stats.allowed},
              {"by_mechanism", n.stats.allowedByMechanism},
              {"challenged", n.stats.challenged},
              {"denied", n.stats.denied},
              {"denied_by_reason", n.stats.deniedByReason}};
    if (n.channel) {
      node["netlogon"] = {{"dc", n.dc},
                          {"max_concurrent_api", n.maxConcurrentApi},
                          {"semaphore_waiters", n.channel->semaphoreWaiters},
                          {"semaphore_holders", n.channel->semaphoreHolders},
                          {"semaphore_acquires", n.channel->semaphoreAcquires},
                          {"semaphore_timeouts", n.channel->semaphoreTimeouts},
                          {"average_semaphore_hold_time_ms", n.channel->averageSemaphoreHoldTime * 1000.0}};
    }
    j["nodes"].push_back(node);
  }
  j["dcs"] = json::array();
  for (const auto& dc : world.dcs()) {
    j["dcs"].push_back({{"name", dc.name},
                        {"max_concurrent_api", dc.maxConcurrentApi},
                        {"kdc_requests", dc.kdcRequests},
                        {"kdc_errors", dc.kdcErrors},
                        {"netlogon_pass_throughs", dc.netlogon.requests}});
  }
  j["events"] = json::array();
  auto stored = store != nullptr ? store->events(EventQuery{"", 0, kNewestEvents})
                                 : core::Result<std::vector<StoredEvent>>(std::vector<StoredEvent>{});
  if (store != nullptr && stored.ok()) {
    // The state's log: this run's events and the earlier runs' (newest first).
    for (const auto& e : *stored) {
      j["events"].push_back({{"computer", e.computer},
                             {"id", e.record.id},
                             {"source", e.record.source},
                             {"time", core::toUnixSeconds(e.record.time)},
                             {"run", e.run},
                             {"message", e.record.message}});
    }
  } else {
    auto records = world.eventRecords();
    std::sort(records.begin(), records.end(), [](const auto& a, const auto& b) {
      return a.second.time != b.second.time ? a.second.time < b.second.time
                                            : a.second.recordNumber < b.second.recordNumber;
    });
    const std::size_t first = records.size() > kNewestEvents ? records.size() - kNewestEvents : 0;
    for (std::size_t i = records.size(); i > first; --i) {
      const auto& [computer, e] = records[i - 1];
      j["events"].push_back({{"computer", computer},
                             {"id", e.id},
                             {"source", e.source},
                             {"time", core::toUnixSeconds(e.time)},
                             {"message", e.message}});
    }
  }
  // Lone surrogates and other invalid UTF-8 in a name or message become U+FFFD instead of throwing.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string dashboardPage(const scenarios::Scenario& scenario) {
  std::string chart;
  for (const auto& asset : scenarios::reportAssets()) {
    if (asset.name == "Chart.js") {
      chart = asset.text();
    }
  }
  std::string page = R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>kerbpool lab: )" +
                     scenarios::htmlEscape(scenario.name) + R"(</title>
<style>
body { font-family: sans-serif; margin: 1em 2em; color: #222; }
.grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 1em; }
.card { border: 1px solid #ccc; border-radius: 6px; padding: 0.5em 1em; }
table { border-collapse: collapse; font-size: 0.9em; }
td, th { border-bottom: 1px solid #eee; padding: 2px 8px; text-align: left; vertical-align: top; }
#totals span { margin-right: 1.5em; font-weight: bold; }
</style></head><body>
<h1>kerbpool lab: )" +
                     scenarios::htmlEscape(scenario.name) +
                     R"(</h1>
<p>)" + scenarios::htmlEscape(scenario.title) +
                     R"(. Live: the page asks the lab for its counters every second.</p>
<p id="totals"><span id="total-kerberos">Kerberos 0</span><span id="total-ntlm">NTLM 0</span><span id="total-denied">refused 0</span><span id="total-netlogon">Netlogon pass-throughs 0</span><span id="polls">polls 0</span><span id="charts">charts with data 0</span></p>
<div class="grid">
<div class="card"><h3>Requests per second, per node</h3><canvas id="chart-nodes"></canvas></div>
<div class="card"><h3>Authenticated per second, by mechanism, and refusals</h3><canvas id="chart-mechanisms"></canvas></div>
<div class="card"><h3>Netlogon secure channels: Semaphore Waiters and Holders</h3><canvas id="chart-netlogon"></canvas></div>
<div class="card"><h3>KDC errors per second, by code</h3><canvas id="chart-kdc"></canvas></div>
</div>
<div class="card"><h3>Per node</h3><table id="node-table"><thead><tr><th>node</th><th>up</th><th>requests</th><th>Kerberos</th><th>NTLM</th><th>refused (reasons)</th><th>MaxConcurrentApi</th><th>Semaphore Timeouts</th><th>Average Semaphore Hold Time</th></tr></thead><tbody></tbody></table></div>
<div class="card"><h3>Newest events</h3><table id="event-table"><thead><tr><th>computer</th><th>event</th><th>source</th><th>run</th><th>message</th></tr></thead><tbody></tbody></table></div>
<script>)" + scenarios::scriptSafe(chart) +
                     R"(</script>
<script>
const windowPoints = 60;
const palette = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];
function lineChart(id) {
  return new Chart(document.getElementById(id), {
    type: 'line', data: { labels: [], datasets: [] },
    options: { animation: false, responsive: true, scales: { y: { beginAtZero: true } } } });
}
const charts = { nodes: lineChart('chart-nodes'), mechanisms: lineChart('chart-mechanisms'),
                 netlogon: lineChart('chart-netlogon'), kdc: lineChart('chart-kdc') };
function push(chart, label, values) {
  chart.data.labels.push(label);
  if (chart.data.labels.length > windowPoints) chart.data.labels.shift();
  for (const [name, value] of Object.entries(values)) {
    let set = chart.data.datasets.find(d => d.label === name);
    if (!set) {
      const color = palette[chart.data.datasets.length % palette.length];
      set = { label: name, data: new Array(chart.data.labels.length - 1).fill(0), borderColor: color, backgroundColor: color, pointRadius: 0 };
      chart.data.datasets.push(set);
    }
    set.data.push(value);
  }
  for (const set of chart.data.datasets) {
    while (set.data.length < chart.data.labels.length) set.data.push(0);
    while (set.data.length > chart.data.labels.length) set.data.shift();
  }
  chart.update();
}
function sum(obj, key) { return Object.values(obj || {}).reduce((a, v) => a + (key ? (v[key] || 0) : v), 0); }
function cell(text) { const td = document.createElement('td'); td.textContent = text; return td; }
let previous = null, polls = 0;
async function poll() {
  let now;
  try { now = await (await fetch('stats.json', { cache: 'no-store' })).json(); } catch (e) { return; }
  polls += 1;
  const totals = { kerberos: 0, ntlm: 0, denied: 0 };
  for (const n of now.nodes) {
    totals.kerberos += (n.by_mechanism || {}).kerberos || 0;
    totals.ntlm += (n.by_mechanism || {}).ntlm || 0;
    totals.denied += n.denied;
  }
  const netlogon = now.dcs.reduce((a, d) => a + d.netlogon_pass_throughs, 0);
  document.getElementById('total-kerberos').textContent = 'Kerberos ' + totals.kerberos;
  document.getElementById('total-ntlm').textContent = 'NTLM ' + totals.ntlm;
  document.getElementById('total-denied').textContent = 'refused ' + totals.denied;
  document.getElementById('total-netlogon').textContent = 'Netlogon pass-throughs ' + netlogon;
  document.getElementById('polls').textContent = 'polls ' + polls;
  if (previous) {
    const seconds = Math.max(0.001, (now.time_ms - previous.time_ms) / 1000);
    const label = new Date().toLocaleTimeString();
    const rate = (a, b) => Math.max(0, (a - b) / seconds);
    const before = Object.fromEntries(previous.nodes.map(n => [n.name, n]));
    const perNode = {}, mech = { Kerberos: 0, NTLM: 0, refused: 0 }, sem = {};
    for (const n of now.nodes) {
      const p = before[n.name] || { requests: 0, by_mechanism: {}, denied: 0 };
      perNode[n.name] = rate(n.requests, p.requests);
      mech.Kerberos += rate((n.by_mechanism || {}).kerberos || 0, (p.by_mechanism || {}).kerberos || 0);
      mech.NTLM += rate((n.by_mechanism || {}).ntlm || 0, (p.by_mechanism || {}).ntlm || 0);
      mech.refused += rate(n.denied, p.denied);
      if (n.netlogon) {
        sem[n.name + ' waiters'] = n.netlogon.semaphore_waiters;
        sem[n.name + ' holders'] = n.netlogon.semaphore_holders;
      }
    }
    const kdc = {};
    const dcBefore = Object.fromEntries(previous.dcs.map(d => [d.name, d]));
    for (const d of now.dcs) {
      for (const [code, count] of Object.entries(d.kdc_errors)) {
        const was = ((dcBefore[d.name] || {}).kdc_errors || {})[code] || 0;
        kdc[d.name + ' ' + code] = rate(count, was);
      }
    }
    push(charts.nodes, label, perNode);
    push(charts.mechanisms, label, mech);
    push(charts.netlogon, label, sem);
    push(charts.kdc, label, kdc);
    const drawn = Object.values(charts).filter(c => c.data.datasets.some(d => d.data.length > 0)).length;
    document.getElementById('charts').textContent = 'charts with data ' + drawn;
  }
  const nodeBody = document.querySelector('#node-table tbody');
  nodeBody.replaceChildren(...now.nodes.map(n => {
    const tr = document.createElement('tr');
    const reasons = Object.entries(n.denied_by_reason).map(([k, v]) => k + ' ' + v).join(', ');
    tr.append(cell(n.name), cell(n.up ? 'up' : 'down'), cell(n.requests), cell((n.by_mechanism || {}).kerberos || 0),
              cell((n.by_mechanism || {}).ntlm || 0), cell(n.denied + (reasons ? ' (' + reasons + ')' : '')),
              cell(n.netlogon ? n.netlogon.max_concurrent_api : '-'),
              cell(n.netlogon ? n.netlogon.semaphore_timeouts : '-'),
              cell(n.netlogon ? n.netlogon.average_semaphore_hold_time_ms.toFixed(1) + ' ms' : '-'));
    return tr;
  }));
  const eventBody = document.querySelector('#event-table tbody');
  eventBody.replaceChildren(...now.events.map(e => {
    const tr = document.createElement('tr');
    tr.append(cell(e.computer), cell(e.id), cell(e.source), cell(e.run === undefined ? '-' : e.run),
              cell(e.message));
    return tr;
  }));
  previous = now;
}
poll();
setInterval(poll, 1000);
</script>
</body></html>
)";
  return page;
}

struct DashboardServer::State {
  const scenarios::PoolWorld* world = nullptr;
  const StateStore* store = nullptr;
  std::string page;
  int listenFd = -1;
  std::atomic<bool> stopping{false};
  std::atomic<std::uint64_t> served{0};
  std::thread thread;

  static void send(int fd, const std::string& status, const std::string& type, const std::string& body) {
    const std::string head = "HTTP/1.1 " + status + "\r\nContent-Type: " + type +
                             "\r\nCache-Control: no-store\r\nContent-Length: " + std::to_string(body.size()) +
                             "\r\nConnection: close\r\n\r\n";
    std::string all = head + body;
    const char* p = all.data();
    std::size_t left = all.size();
    while (left > 0) {
      const ssize_t n = ::send(fd, p, left, MSG_NOSIGNAL);
      if (n <= 0) {
        if (n < 0 && errno == EINTR) {
          continue;
        }
        return;
      }
      p += n;
      left -= static_cast<std::size_t>(n);
    }
  }

  void handle(int fd) {
    timeval tv{2, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    std::string head;
    char buf[2048];
    while (head.find("\r\n\r\n") == std::string::npos && head.size() < 8192) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) {
        return;
      }
      head.append(buf, static_cast<std::size_t>(n));
    }
    const std::string line = head.substr(0, head.find("\r\n"));
    const auto sp1 = line.find(' ');
    const auto sp2 = line.find(' ', sp1 == std::string::npos ? 0 : sp1 + 1);
    if (sp1 == std::string::npos || sp2 == std::string::npos) {
      send(fd, "400 Bad Request", "text/plain", "malformed request line\n");
      return;
    }
    const std::string method = line.substr(0, sp1);
    std::string target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    target = target.substr(0, target.find('?'));
    if (method != "GET") {
      send(fd, "405 Method Not Allowed", "text/plain", "the dashboard answers GET only\n");
      return;
    }
    ++served;
    if (target == "/") {
      send(fd, "200 OK", "text/html; charset=utf-8", page);
    } else if (target == "/stats.json") {
      send(fd, "200 OK", "application/json", dashboardSnapshotJson(*world, store));
    } else {
      send(fd, "404 Not Found", "text/plain", "the dashboard serves / and /stats.json\n");
    }
  }

  void loop() {
    while (!stopping.load()) {
      const int fd = ::accept4(listenFd, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) {
          continue;
        }
        return;
      }
      handle(fd);
      ::close(fd);
    }
  }
};

core::Result<std::unique_ptr<DashboardServer>> DashboardServer::start(const scenarios::PoolWorld& world,
                                                                      std::uint16_t port,
                                                                      const StateStore* store) {
  KP_TRY(LoopbackListener listener, listenOnLoopback(port, 32, "the dashboard"));
  auto state = std::make_shared<State>();
  state->world = &world;
  state->store = store;
  state->page = dashboardPage(world.scenario());
  state->listenFd = listener.fd;
  state->thread = std::thread([s = state] { s->loop(); });
  return std::unique_ptr<DashboardServer>(new DashboardServer(state, listener.port));
}

DashboardServer::~DashboardServer() {
  stop();
}

std::uint64_t DashboardServer::served() const {
  return state_->served.load();
}

void DashboardServer::stop() {
  if (state_->stopping.exchange(true)) {
    return;
  }
  shutdownListener(state_->listenFd);
  if (state_->thread.joinable()) {
    state_->thread.join();
  }
  ::close(state_->listenFd);
}

}  // namespace kerbpool::lab
