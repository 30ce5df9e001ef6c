#include "cli/signals.hpp"

#include <csignal>

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

}  // namespace kerbpool::cli
