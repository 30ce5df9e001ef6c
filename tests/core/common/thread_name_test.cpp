#include "core/common/thread_name.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <thread>

namespace {

// The name a new thread reads back after naming itself `name`.
std::string nameSeenBy(const std::string& name) {
  std::string seen;
  std::thread t([&] {
    kerbpool::core::nameThisThread(name);
    seen = kerbpool::core::thisThreadName();
  });
  t.join();
  return seen;
}

}  // namespace

TEST_CASE("thread name: a thread reads back the name it was given", "[core][thread_name]") {
  CHECK(nameSeenBy("kp-test") == "kp-test");
}

TEST_CASE("thread name: a name over 15 characters is cut at 15 as Linux keeps it", "[core][thread_name]") {
  const std::string seen = nameSeenBy("kp-a-very-long-component-name");
  CHECK(seen == "kp-a-very-long-");
  CHECK(seen.size() == 15);
}
