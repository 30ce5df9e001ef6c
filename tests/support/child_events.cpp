#include "tests/support/child_events.hpp"

#include <poll.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>

#include <fstream>
#include <iterator>

namespace kerbpool::test {

namespace {

// A file descriptor closed on scope exit.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

int pidFd(pid_t pid) {
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

bool fileHas(const std::filesystem::path& file, const std::string& text, std::uintmax_t from) {
  std::ifstream in(file, std::ios::binary);
  const std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return content.size() > from && content.find(text, static_cast<std::size_t>(from)) != std::string::npos;
}

int remainingMs(std::chrono::steady_clock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

}  // namespace

std::uintmax_t fileSize(const std::filesystem::path& file) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  return ec ? 0 : size;
}

bool waitForFileText(const std::filesystem::path& file, const std::string& text, pid_t pid,
                     std::chrono::milliseconds timeout, std::uintmax_t from) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const Fd child(pidFd(pid));
  const Fd notify(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  // Watch the folder: the file may not exist yet, and writers may replace it.
  const std::string dir = file.parent_path().empty() ? std::string(".") : file.parent_path().string();
  if (notify.get() >= 0) {
    ::inotify_add_watch(notify.get(), dir.c_str(), IN_MODIFY | IN_CREATE | IN_CLOSE_WRITE | IN_MOVED_TO);
  }
  for (;;) {
    if (fileHas(file, text, from)) {
      return true;
    }
    const int wait = remainingMs(deadline);
    if (wait == 0 || child.get() < 0 || notify.get() < 0) {
      return fileHas(file, text, from);
    }
    pollfd fds[2] = {{notify.get(), POLLIN, 0}, {child.get(), POLLIN, 0}};
    if (::poll(fds, 2, wait) < 0 && errno != EINTR) {
      return fileHas(file, text, from);
    }
    if ((fds[1].revents & POLLIN) != 0) {  // the child has exited: what it wrote is all there is
      return fileHas(file, text, from);
    }
    if ((fds[0].revents & POLLIN) != 0) {
      char events[4096];
      while (::read(notify.get(), events, sizeof events) > 0) {
      }
    }
  }
}

std::optional<int> waitForExit(pid_t pid, std::chrono::milliseconds timeout) {
  const Fd child(pidFd(pid));
  if (child.get() >= 0) {
    pollfd fd{child.get(), POLLIN, 0};
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int rc = 0;
    do {
      rc = ::poll(&fd, 1, remainingMs(deadline));
    } while (rc < 0 && errno == EINTR);
  }
  int status = 0;
  const pid_t r = ::waitpid(pid, &status, WNOHANG);
  if (r == pid) {
    return status;
  }
  if (r < 0 && errno == ECHILD) {
    return -1;  // already reaped
  }
  return std::nullopt;
}

}  // namespace kerbpool::test
