#include "loadbalancer/health_check_session.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/http.hpp>
#include <optional>

#include "core/common/log.hpp"
#include "net/http_read.hpp"
#include "net/http_write.hpp"

namespace kerbpool::loadbalancer {

namespace http = beast::http;

namespace {
}  // namespace

// One node's probe loop, on its own strand.
class HealthProbe : public std::enable_shared_from_this<HealthProbe> {
 public:
  HealthProbe(asio::io_context& ioc, std::shared_ptr<LbState> state,
              std::shared_ptr<UpstreamConnector> upstream, std::size_t backend)
      : strand_(asio::make_strand(ioc)),
        timer_(strand_),
        state_(std::move(state)),
        connector_(std::move(upstream)),
        backend_(backend) {}

  void start() {
    asio::dispatch(strand_, [self = shared_from_this()] { self->probe(); });
  }

  void stop() {
    asio::post(strand_, [self = shared_from_this()] {
      self->stopped_ = true;
      self->timer_.cancel();
      if (self->conn_) {
        self->conn_->close();
      }
    });
  }

 private:
  void probe() {
    if (stopped_) {
      return;
    }
    const auto& cfg = state_->config;
    connector_->connect(
        backend_, strand_, cfg.health.tls || cfg.backendTls, cfg.health.timeout,
        [self = shared_from_this()](beast::error_code ec, UpstreamPtr conn, std::string_view what) {
          if (ec) {
            self->finish(false, ec == beast::error::timeout ? std::string(what) + " timeout" : ec.message());
            return;
          }
          self->conn_ = std::move(conn);
          self->doWrite();
        });
  }

  void doWrite() {
    if (stopped_) {
      finish(false, "stopped");
      return;
    }
    const auto& cfg = state_->config;
    req_ = {};
    req_.method(http::verb::get);
    req_.target(cfg.health.path);
    req_.version(11);
    req_.set(http::field::host,
             cfg.backendTlsName.empty() ? cfg.backends[backend_].host : cfg.backendTlsName);
    req_.set(http::field::user_agent, "kerbpool-lb-health");
    req_.keep_alive(false);
    // Through net::writeMessage: Beast's write over TLS is compiled once for the program
    // (net/http_write.cpp).
    sr_.emplace(req_);
    conn_->visit([&](auto& s) {
      net::writeMessage(
          s, *sr_, cfg.health.timeout,
          asio::bind_executor(strand_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            ec ? self->finish(false, self->describe(ec)) : self->doRead();
          }));
    });
  }

  void doRead() {
    parser_.emplace();
    parser_->body_limit(64 * 1024);
    conn_->lowest().expires_after(state_->config.health.timeout);
    conn_->visit([&](auto& s) {
      net::asyncReadMessage(
          s, conn_->buffer(), *parser_, net::ReadUntil::Message,
          asio::bind_executor(strand_, [self = shared_from_this()](beast::error_code ec) {
            if (ec) {
              self->finish(false, self->describe(ec));
              return;
            }
            const unsigned status = self->parser_->get().result_int();
            self->finish(status >= 200 && status < 400, "HTTP " + std::to_string(status));
          }));
    });
  }

  std::string describe(beast::error_code ec) const {
    return ec == beast::error::timeout ? std::string("timeout") : ec.message();
  }

  void finish(bool passed, std::string detail) {
    if (conn_) {
      conn_->close();
      conn_.reset();
    }
    if (stopped_) {
      return;
    }
    if (auto t = state_->pool.recordCheck(backend_, passed, detail)) {
      state_->counters.healthTransitions++;
      (t->up ? core::logInfo : core::logWarn)(kComponent, t->message());
    }
    state_->signal.changed();
    timer_.expires_after(state_->config.health.interval);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) {
        self->probe();
      }
    });
  }

  asio::strand<asio::io_context::executor_type> strand_;
  asio::steady_timer timer_;
  std::shared_ptr<LbState> state_;
  std::shared_ptr<UpstreamConnector> connector_;
  std::size_t backend_;
  bool stopped_ = false;
  UpstreamPtr conn_;
  http::request<http::string_body> req_;  // no body
  std::optional<http::request_serializer<http::string_body>> sr_;
  std::optional<http::response_parser<http::string_body>> parser_;
};

HealthChecker::HealthChecker(asio::io_context& ioc, std::shared_ptr<LbState> state,
                             std::shared_ptr<UpstreamConnector> upstream) {
  if (state->config.health.interval.count() == 0) {
    return;  // checks off: every node counts as up
  }
  for (std::size_t i = 0; i < state->pool.size(); ++i) {
    probes_.push_back(std::make_shared<HealthProbe>(ioc, state, upstream, i));
  }
}

HealthChecker::~HealthChecker() = default;

void HealthChecker::start() {
  for (auto& p : probes_) {
    p->start();
  }
}

void HealthChecker::stop() {
  for (auto& p : probes_) {
    p->stop();
  }
}

}  // namespace kerbpool::loadbalancer
