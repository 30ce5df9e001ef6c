#include "net/tls_key_log.hpp"

#include <fcntl.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>

namespace kerbpool::net {

namespace {

struct Sink {
  std::mutex mu;
  std::FILE* file = nullptr;
  std::uint64_t lines = 0;
};

Sink& sink() {
  static Sink s;
  return s;
}

void onKeyLine(const SSL*, const char* line) {
  Sink& s = sink();
  std::lock_guard lock(s.mu);
  if (s.file != nullptr) {
    std::fputs(line, s.file);
    std::fputc('\n', s.file);
    std::fflush(s.file);  // a reader (Wireshark during a long run) sees each connection's keys at once
    ++s.lines;
  }
}

}  // namespace

core::Result<std::unique_ptr<TlsKeyLog>> TlsKeyLog::open(const std::string& path) {
  Sink& s = sink();
  std::lock_guard lock(s.mu);
  if (s.file != nullptr) {
    return core::makeError(core::ErrorCategory::Io, "key_log_busy", "another TLS key log is open");
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return core::makeError(core::ErrorCategory::Io, "key_log_file", path + ": " + std::strerror(errno));
  }
  s.file = ::fdopen(fd, "w");
  if (s.file == nullptr) {
    ::close(fd);
    return core::makeError(core::ErrorCategory::Io, "key_log_file", path + ": " + std::strerror(errno));
  }
  s.lines = 0;
  return std::unique_ptr<TlsKeyLog>(new TlsKeyLog(path));
}

TlsKeyLog::~TlsKeyLog() {
  Sink& s = sink();
  std::lock_guard lock(s.mu);
  if (s.file != nullptr) {
    std::fclose(s.file);
    s.file = nullptr;
  }
}

std::uint64_t TlsKeyLog::lines() const {
  Sink& s = sink();
  std::lock_guard lock(s.mu);
  return s.lines;
}

void attachTlsKeyLog(SSL_CTX* ctx) {
  SSL_CTX_set_keylog_callback(ctx, onKeyLine);
}

}  // namespace kerbpool::net
