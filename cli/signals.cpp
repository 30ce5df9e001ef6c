#include "cli/signals.hpp"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace kerbpool::cli {
namespace {
sigset_t terminationSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}
}  // namespace

void blockTerminationSignals() {
  sigset_t set = terminationSet();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int waitForTerminationSignal() {
  sigset_t set = terminationSet();
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

int waitForTerminationSignalFor(long milliseconds) {
  const sigset_t set = terminationSet();
  const timespec wait{milliseconds / 1000, (milliseconds % 1000) * 1000 * 1000};
  const int sig = sigtimedwait(&set, nullptr, &wait);
  return sig > 0 ? sig : 0;
}

TerminationWatcher::TerminationWatcher(std::string what) : what_(std::move(what)) {
  blockTerminationSignals();
  thread_ = std::thread([this] {
    const sigset_t set = terminationSet();
    const timespec tick{0, 200 * 1000 * 1000};  // how soon the destructor's done_ is seen
    while (!done_.load()) {
      const int sig = sigtimedwait(&set, nullptr, &tick);
      if (sig <= 0) {
        continue;
      }
      if (signal_.exchange(sig) != 0) {
        std::fprintf(stderr, "\n%s: second signal, stopping at once\n", what_.c_str());
        std::_Exit(128 + sig);
      }
      stop_.store(true);
      std::fprintf(stderr,
                   "\n%s: %s: finishing the requests in flight, then the report of what ran (again to "
                   "stop at once)\n",
                   what_.c_str(), sig == SIGINT ? "interrupted (SIGINT)" : "terminated (SIGTERM)");
    }
  });
}

TerminationWatcher::~TerminationWatcher() {
  done_.store(true);
  if (thread_.joinable()) {
    thread_.join();
  }
}

}  // namespace kerbpool::cli
