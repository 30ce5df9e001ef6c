#include "core/common/thread_name.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <thread>

using kerbpool::core::nameThisThread;
using kerbpool::core::thisThreadName;

TEST_CASE("thread name: a thread reads back the name it was given", "[core][thread_name]") {
  std::string seen;
  std::thread t([&] {
    nameThisThread("kp-test");
    seen = thisThreadName();
  });
  t.join();
  CHECK(seen == "kp-test");
}

TEST_CASE("thread name: a name over 15 characters is cut at 15 as Linux keeps it", "[core][thread_name]") {
  std::string seen;
  std::thread t([&] {
    nameThisThread("kp-a-very-long-component-name");
    seen = thisThreadName();
  });
  t.join();
  CHECK(seen == "kp-a-very-long-");
  CHECK(seen.size() == 15);
}
