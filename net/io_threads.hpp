#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace kerbpool::net {

// Runs `ioc` on the calling thread until it is stopped or runs out of work. An exception that escapes a
// handler (a parser, a handler, anything) is logged as "<component>: ..." and counted in `escaped`, and the
// thread goes back to run(): one bad connection ends that connection (its handler's objects unwind), never
// the server. The only way a server's threads run their io_context. The thread is named "kp-<component>"
// (core::nameThisThread), so `top -H` and `perf report --sort comm` tell the roles of a scenario apart.
void runIoContext(boost::asio::io_context& ioc, std::string_view component,
                  std::atomic<std::uint64_t>& escaped);

}  // namespace kerbpool::net
