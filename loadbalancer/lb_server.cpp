#include "loadbalancer/lb_server.hpp"

#include "loadbalancer/in_process_proxy.hpp"

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <thread>
#include <vector>

#include "loadbalancer/health_check_session.hpp"
#include "loadbalancer/upstream_client.hpp"
#include "loadbalancer/vip_listener.hpp"
#include "net/io_threads.hpp"

namespace kerbpool::loadbalancer {

using core::ErrorCategory;
using core::makeError;

struct LbServer::Runtime {
  explicit Runtime(unsigned threads) : ioc(static_cast<int>(threads)) {}
  asio::io_context ioc;
};

struct LbServer::Impl {
  std::shared_ptr<LbState> state;
  std::shared_ptr<UpstreamConnector> upstream;
  std::unique_ptr<VipListener> listener;
  std::unique_ptr<HealthChecker> health;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  std::uint16_t port = 0;
  std::atomic<bool> stopped{false};
  std::shared_ptr<InProcessProxy> inProcess;  // inProcessListener(): the in-process transport's sessions
};

core::Result<std::unique_ptr<LbServer>> LbServer::start(const LbConfig& config, core::Rng& rng) {
  KP_CHECK(validate(config));
  beast::error_code ec;
  const auto addr = asio::ip::make_address(config.address, ec);
  if (ec) {
    return makeError(ErrorCategory::Config, "bad_address", "'" + config.address + "' is not an IP address");
  }
  const unsigned n = config.threads != 0 ? config.threads : std::max(1u, std::thread::hardware_concurrency());
  auto runtime = std::make_unique<Runtime>(n);
  auto impl = std::make_unique<Impl>();
  impl->state = std::make_shared<LbState>(config, rng);
  KP_TRY(impl->upstream, UpstreamConnector::create(runtime->ioc, impl->state));
  KP_TRY(impl->listener, VipListener::create(runtime->ioc, impl->state, impl->upstream, n));
  if (config.tls) {
    KP_CHECK(impl->listener->loadTls(*config.tls));
  }
  KP_CHECK(impl->listener->open(tcp::endpoint(addr, config.port)));
  impl->port = impl->listener->port();
  impl->health = std::make_unique<HealthChecker>(runtime->ioc, impl->state, impl->upstream);
  impl->work.emplace(asio::make_work_guard(runtime->ioc));
  impl->listener->run();
  impl->health->start();
  for (unsigned i = 0; i < n; ++i) {
    impl->threads.emplace_back([ioc = &runtime->ioc, state = impl->state.get()] {
      net::runIoContext(*ioc, kComponent, state->counters.handlerExceptions);
    });
  }
  return std::unique_ptr<LbServer>(new LbServer(std::move(runtime), std::move(impl)));
}

LbServer::LbServer(std::unique_ptr<Runtime> runtime, std::unique_ptr<Impl> impl)
    : runtime_(std::move(runtime)), impl_(std::move(impl)) {}

LbServer::~LbServer() {
  stop();
}

std::uint16_t LbServer::port() const {
  return impl_->port;
}

const std::string& LbServer::address() const {
  return impl_->state->config.address;
}

LbStats LbServer::stats() const {
  return impl_->state->stats();
}

bool LbServer::waitForStats(const std::function<bool(const LbStats&)>& condition,
                            std::chrono::milliseconds timeout) const {
  const auto& state = *impl_->state;
  return impl_->state->signal.waitFor([&] { return condition(state.stats()); }, timeout);
}

core::Status LbServer::setDraining(std::string_view backend, bool draining) {
  return impl_->state->pool.setDraining(backend, draining);
}

core::Result<net::InProcessHttpListener> LbServer::inProcessListener(net::InProcessHttpNetwork& nodes) {
  const auto& config = impl_->state->config;
  if (config.tls || config.backendTls || config.health.tls) {
    return makeError(ErrorCategory::Config, "in_process_unsupported",
                     "the in-process transport carries plain HTTP only, and this " +
                         std::string(toString(config.mode)) + " balancer " +
                         (config.tls          ? "terminates TLS at the VIP"
                          : config.backendTls ? "speaks TLS to the nodes"
                                              : "passes the nodes' TLS through"));
  }
  if (!impl_->inProcess) {
    std::vector<std::pair<std::string, std::uint16_t>> endpoints;
    for (std::size_t i = 0; i < impl_->state->pool.size(); ++i) {
      const auto& ep = impl_->upstream->endpoint(i);
      endpoints.emplace_back(ep.address().to_string(), ep.port());
    }
    impl_->inProcess =
        std::make_shared<InProcessProxy>(impl_->state, nodes, std::move(endpoints), config.address);
  }
  return net::InProcessHttpListener(
      [proxy = impl_->inProcess](const std::string& peer) { return proxy->connect(peer); });
}

void LbServer::stop() {
  if (impl_->stopped.exchange(true)) {
    return;
  }
  if (impl_->inProcess) {
    impl_->inProcess->stop();
  }
  impl_->listener->stop();
  impl_->health->stop();
  impl_->state->registry.closeAll();
  impl_->upstream->closeIdle();
  impl_->work.reset();
  for (auto& t : impl_->threads) {
    if (t.joinable()) {
      t.join();
    }
  }
  impl_->threads.clear();
}

}  // namespace kerbpool::loadbalancer
