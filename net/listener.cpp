#include "net/listener.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "core/common/log.hpp"

namespace kerbpool::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using core::ErrorCategory;
using core::makeError;

std::string endpointText(const tcp::endpoint& ep) {
  const auto a = ep.address();
  return (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" + std::to_string(ep.port());
}

Listener::Listener(asio::io_context& ioc, std::string component, bool strandPerConnection, AcceptHandler onAccept)
    : ioc_(ioc),
      acceptor_(asio::make_strand(ioc)),
      component_(std::move(component)),
      strandPerConnection_(strandPerConnection),
      onAccept_(std::move(onAccept)) {}

Listener::Listener(asio::io_context& acceptorContext, std::vector<asio::io_context*> workers,
                   std::string component, AcceptHandler onAccept)
    : ioc_(acceptorContext),
      workers_(std::move(workers)),
      acceptor_(asio::make_strand(acceptorContext)),
      component_(std::move(component)),
      strandPerConnection_(false),
      onAccept_(std::move(onAccept)) {}

core::Status Listener::open(const tcp::endpoint& endpoint) {
  boost::system::error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) {
    acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  }
  if (!ec) {
    acceptor_.bind(endpoint, ec);
  }
  if (!ec) {
    acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    return makeError(ErrorCategory::Io, "listen_failed",
                     "cannot listen on " + endpointText(endpoint) + "/tcp: " + ec.message() +
                         (ec == asio::error::address_in_use ? " (is another server running on that port?)" : ""));
  }
  return core::okStatus();
}

std::uint16_t Listener::port() const {
  boost::system::error_code ec;
  return acceptor_.local_endpoint(ec).port();
}

void Listener::run() {
  asio::dispatch(acceptor_.get_executor(), [self = shared_from_this()] { self->doAccept(); });
}

void Listener::stop() {
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
  });
}

void Listener::doAccept() {
  asio::any_io_executor executor;
  if (!workers_.empty()) {
    executor = workers_[nextWorker_++ % workers_.size()]->get_executor();
  } else if (strandPerConnection_) {
    executor = asio::make_strand(ioc_);
  } else {
    executor = ioc_.get_executor();
  }
  acceptor_.async_accept(executor, [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) {
        return;
      }
      core::logWarn(self->component_, "accept: " + ec.message());
      self->doAccept();
      return;
    }
    boost::system::error_code peerEc;
    socket.set_option(tcp::no_delay(true), peerEc);  // small responses go out at once (no Nagle delay)
    const auto remote = socket.remote_endpoint(peerEc);
    std::string peer = peerEc ? std::string("?") : endpointText(remote);
    self->onAccept_(std::move(socket), std::move(peer));
    self->doAccept();
  });
}

}  // namespace kerbpool::net
