#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

// Waiting on a test's child process without sleeping: the kernel tells when the child exits (pidfd) and when
// a file it writes changes (inotify); poll() waits for either, bounded by a deadline.
namespace kerbpool::test {

// Until `text` appears in `file` after its first `from` octets (true), or `pid` exits without having written
// it, or the timeout passes.
bool waitForFileText(const std::filesystem::path& file, const std::string& text, pid_t pid,
                     std::chrono::milliseconds timeout, std::uintmax_t from = 0);

// The size of `file` now, 0 when it does not exist (a `from` for a log that a restarted child appends to).
std::uintmax_t fileSize(const std::filesystem::path& file);

// Until `pid` exits: its waitpid() status, or nullopt when it is still running after the timeout.
std::optional<int> waitForExit(pid_t pid, std::chrono::milliseconds timeout);

}  // namespace kerbpool::test
