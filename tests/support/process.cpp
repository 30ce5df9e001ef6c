#include "tests/support/process.hpp"
#include "tests/support/child_events.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>
#include <csignal>
#include <ctime>
#include <fstream>
#include <iterator>

extern char** environ;

namespace kerbpool::test {
namespace {

// A deadline, not a pause: generous for a child built with a sanitizer (ThreadSanitizer runs kerbpool's
// set-up several times slower) on a busy machine.
constexpr std::chrono::milliseconds kStartTimeout{60000};
constexpr std::chrono::milliseconds kStopTimeout{10000};

}  // namespace

BackgroundProcess::BackgroundProcess(std::vector<std::string> argv, std::filesystem::path outputFile,
                                     std::vector<std::string> extraEnvironment, int inheritedFd)
    : outputFile_(std::move(outputFile)) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    env.emplace_back(*e);
  }
  for (auto& extra : extraEnvironment) {
    env.push_back(extra);
  }
  std::vector<char*> envp;
  for (auto& s : env) {
    envp.push_back(s.data());
  }
  envp.push_back(nullptr);
  std::vector<char*> args;
  for (auto& a : argv) {
    args.push_back(a.data());
  }
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, outputFile_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  // The child must not inherit this test process's sockets (Asio opens them without close-on-exec), except
  // the one it is given.
  constexpr int kInheritedAs = STDERR_FILENO + 1;
  if (inheritedFd >= 0) {
    posix_spawn_file_actions_adddup2(&actions, inheritedFd, kInheritedAs);
  }
  posix_spawn_file_actions_addclosefrom_np(&actions, inheritedFd >= 0 ? kInheritedAs + 1 : kInheritedAs);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  INFO("spawning " << argv[0]);
  REQUIRE(rc == 0);
  pid_ = pid;
}

BackgroundProcess::~BackgroundProcess() {
  stop();
}

std::string BackgroundProcess::output() const {
  std::ifstream in(outputFile_);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bool BackgroundProcess::running() {
  if (pid_ <= 0) {
    return false;
  }
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    exitCode_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    pid_ = -1;
    return false;
  }
  return true;
}

bool BackgroundProcess::waitForOutput(const std::string& text) {
  if (pid_ <= 0) {
    return output().find(text) != std::string::npos;
  }
  return waitForFileText(outputFile_, text, pid_, kStartTimeout);
}

int BackgroundProcess::stop(int sig) {
  if (pid_ <= 0) {
    return exitCode_;
  }
  ::kill(pid_, sig);
  if (const auto status = waitForExit(pid_, kStopTimeout)) {
    exitCode_ = WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
    pid_ = -1;
    return exitCode_;
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
  exitCode_ = -1;
  return exitCode_;
}

}  // namespace kerbpool::test
