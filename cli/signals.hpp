#pragma once

#include <atomic>
#include <string>
#include <thread>

namespace kerbpool::cli {

// Blocks SIGINT and SIGTERM in this thread (call before starting server threads so they inherit the mask),
// and later waits for one of them. Returns the signal number.
void blockTerminationSignals();
int waitForTerminationSignal();
// The same for at most `milliseconds`: 0 when none came (a server loop that also has other work to do).
int waitForTerminationSignalFor(long milliseconds);

// Watches SIGINT and SIGTERM on a thread of its own while a long job runs. Construct it before any other
// thread starts: it blocks both signals in the calling thread, which every later thread inherits. The first
// signal sets stopFlag() and says on stderr that the job is finishing; a second one ends the process at once
// (exit 128 + signal). The destructor restores nothing: the process is about to end.
class TerminationWatcher {
 public:
  explicit TerminationWatcher(std::string what);
  ~TerminationWatcher();
  TerminationWatcher(const TerminationWatcher&) = delete;
  TerminationWatcher& operator=(const TerminationWatcher&) = delete;

  const std::atomic<bool>& stopFlag() const { return stop_; }
  int signal() const { return signal_.load(); }  // 0: none came

 private:
  std::string what_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> done_{false};
  std::atomic<int> signal_{0};
  std::thread thread_;
};

}  // namespace kerbpool::cli
