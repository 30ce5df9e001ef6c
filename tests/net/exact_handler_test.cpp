#include "net/exact_handler.hpp"

#include <boost/asio/associated_allocator.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <type_traits>

using namespace kerbpool;
namespace asio = boost::asio;

TEST_CASE("exact handler: Asio allocates through its allocator and calls it once with the results", "[net]") {
  auto wrapped = net::exactHandler([](boost::system::error_code) {});
  static_assert(std::is_same_v<asio::associated_allocator_t<decltype(wrapped)>, net::ExactAllocator<void>>);
  net::ExactAllocator<int> ints;
  int* p = ints.allocate(3);
  p[2] = 7;
  CHECK(p[2] == 7);
  ints.deallocate(p, 3);
  CHECK(net::ExactAllocator<char>(ints) == ints);

  asio::io_context ioc;
  asio::ip::tcp::acceptor acceptor(ioc, {asio::ip::make_address("127.0.0.1"), 0});
  asio::ip::tcp::socket client(ioc);
  client.connect(acceptor.local_endpoint());
  asio::ip::tcp::socket server = acceptor.accept();

  // A socket wait and a timer wait, as an idle session has them: the timer ends first and cancels the other.
  int timerCalls = 0;
  int waitCalls = 0;
  boost::system::error_code waitResult;
  asio::steady_timer timer(ioc, std::chrono::milliseconds(1));
  timer.async_wait(net::exactHandler([&](boost::system::error_code ec) {
    timerCalls++;
    CHECK_FALSE(ec);
    server.cancel();
  }));
  server.async_wait(asio::ip::tcp::socket::wait_read, net::exactHandler([&](boost::system::error_code ec) {
                      waitCalls++;
                      waitResult = ec;
                    }));
  ioc.run();
  CHECK(timerCalls == 1);
  CHECK(waitCalls == 1);
  CHECK(waitResult == asio::error::operation_aborted);

  // Readable: the wait completes without error once the peer sends.
  asio::write(client, asio::buffer("x", 1));
  server.async_wait(asio::ip::tcp::socket::wait_read, net::exactHandler([&](boost::system::error_code ec) {
                      waitCalls++;
                      waitResult = ec;
                    }));
  ioc.restart();
  ioc.run();
  CHECK(waitCalls == 2);
  CHECK_FALSE(waitResult);
}
