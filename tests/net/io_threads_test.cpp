#include "net/io_threads.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/common/log.hpp"
#include "core/common/thread_name.hpp"

using namespace kerbpool;

TEST_CASE("runIoContext: a throwing handler is logged and counted, the next handlers run", "[net]") {
  std::vector<std::string> lines;
  core::Logger::setSink([&](core::LogLevel, std::string_view component, std::string_view message) {
    lines.push_back(std::string(component) + ": " + std::string(message));
  });
  boost::asio::io_context ioc;
  int ran = 0;
  boost::asio::post(ioc, [] { throw std::length_error("field value too large"); });
  boost::asio::post(ioc, [&] { ran++; });
  boost::asio::post(ioc, [] { throw 42; });
  boost::asio::post(ioc, [&] { ran++; });
  std::atomic<std::uint64_t> escaped{0};
  net::runIoContext(ioc, "test", escaped);  // returns once the queue is empty
  core::Logger::setSink({});
  CHECK(ran == 2);
  CHECK(escaped == 2);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].find("test: a handler threw") == 0);
  CHECK(lines[0].find("field value too large") != std::string::npos);
}

TEST_CASE("runIoContext: the thread that runs a server's io_context is named after its component", "[net]") {
  boost::asio::io_context ioc;
  std::string name;
  boost::asio::post(ioc, [&] { name = core::thisThreadName(); });
  std::atomic<std::uint64_t> escaped{0};
  std::thread runner([&] { net::runIoContext(ioc, "lb", escaped); });
  runner.join();
  CHECK(name == "kp-lb");
}
