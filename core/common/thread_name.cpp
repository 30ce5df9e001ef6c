#include "core/common/thread_name.hpp"

#include <pthread.h>

#include <array>

namespace kerbpool::core {

namespace {
constexpr std::size_t kMaxName = 15;  // TASK_COMM_LEN - 1
}  // namespace

void nameThisThread(std::string_view name) {
  const std::string cut(name.substr(0, kMaxName));
  (void)pthread_setname_np(pthread_self(), cut.c_str());
}

std::string thisThreadName() {
  std::array<char, kMaxName + 1> buffer{};
  if (pthread_getname_np(pthread_self(), buffer.data(), buffer.size()) != 0) {
    return {};
  }
  return buffer.data();
}

}  // namespace kerbpool::core
