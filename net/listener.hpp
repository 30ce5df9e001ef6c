#pragma once

// The accept loop every TCP server of kerbpool shares (Beast's `listener`): bind and listen with errors that
// name the address, accept on the listener's own strand, give each connection its executor (a strand of its
// own, or the io_context itself when one thread runs it), and hand the socket on. An I/O file.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/common/result.hpp"

namespace kerbpool::net {

// "127.0.0.1:8443", "[::1]:8443".
std::string endpointText(const boost::asio::ip::tcp::endpoint& endpoint);

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // The accepted socket (Nagle off) and the peer as endpointText ("?" when unknown).
  using AcceptHandler = std::function<void(boost::asio::ip::tcp::socket socket, std::string peer)>;

  // `strandPerConnection` false: connections run on the io_context's executor (right for one I/O thread,
  // where a strand's locking is pure cost). `component` prefixes the log lines.
  Listener(boost::asio::io_context& ioc, std::string component, bool strandPerConnection, AcceptHandler onAccept);
  // Accepts on `acceptorContext` and gives each connection the executor of the next of `workers` in turn:
  // one io_context per I/O thread, so that a connection's handlers all run on one thread with no strand and
  // no other thread woken to run them.
  Listener(boost::asio::io_context& acceptorContext, std::vector<boost::asio::io_context*> workers,
           std::string component, AcceptHandler onAccept);

  // Binds and listens: an Io error naming address:port ("is another server running on that port?").
  core::Status open(const boost::asio::ip::tcp::endpoint& endpoint);
  std::uint16_t port() const;
  void run();
  void stop();

 private:
  void doAccept();

  boost::asio::io_context& ioc_;
  std::vector<boost::asio::io_context*> workers_;  // empty: connections on ioc_ (or a strand of it)
  std::size_t nextWorker_ = 0;                     // used on the acceptor's strand only
  boost::asio::ip::tcp::acceptor acceptor_;
  std::string component_;
  bool strandPerConnection_;
  AcceptHandler onAccept_;
};

}  // namespace kerbpool::net
