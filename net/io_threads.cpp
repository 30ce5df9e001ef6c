#include "net/io_threads.hpp"

#include <boost/asio/io_context.hpp>
#include <exception>
#include <string>

#include "core/common/log.hpp"
#include "core/common/thread_name.hpp"

namespace kerbpool::net {

void runIoContext(boost::asio::io_context& ioc, std::string_view component,
                  std::atomic<std::uint64_t>& escaped) {
  core::nameThisThread("kp-" + std::string(component));
  while (true) {
    try {
      ioc.run();
      return;
    } catch (const std::exception& e) {
      escaped++;
      core::logError(component,
                     std::string("a handler threw (connection dropped, server keeps serving): ") + e.what());
    } catch (...) {
      escaped++;
      core::logError(component,
                     "a handler threw a non-standard exception (connection dropped, server keeps "
                     "serving)");
    }
  }
}

}  // namespace kerbpool::net
