#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace kerbpool::test {

// A child process for tests of kerbpool's own commands (`kerbpool kdc`, `kerbpool frontend`...): started
// with posix_spawn, stdout+stderr to a file, stopped with SIGTERM (then SIGKILL) by stop() or the destructor.
// Waiting is bounded polling on an observable event (a line of output), never a fixed sleep.
class BackgroundProcess {
 public:
  // `inheritedFd` (when >= 0) is the one descriptor of this process the child gets, as its fd 3: a listening
  // socket for a server that takes one (HAProxy's `bind fd@3`), so no port has to be guessed free.
  BackgroundProcess(std::vector<std::string> argv, std::filesystem::path outputFile,
                    std::vector<std::string> extraEnvironment = {}, int inheritedFd = -1);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  // True once `text` appears in the output; false if the process exits first or after ~10 s.
  bool waitForOutput(const std::string& text);
  std::string output() const;
  bool running();
  // `sig` (SIGTERM by default), wait (bounded), SIGKILL if needed. Returns the exit status (or -1 when
  // killed).
  int stop(int sig = 15);

 private:
  int pid_ = -1;
  int exitCode_ = -1;
  std::filesystem::path outputFile_;
};

}  // namespace kerbpool::test
