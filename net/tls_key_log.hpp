#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/common/result.hpp"

typedef struct ssl_ctx_st SSL_CTX;

// The lab's TLS secrets in the SSLKEYLOGFILE format (NSS key log: "CLIENT_RANDOM ...", TLS 1.3's
// "CLIENT_HANDSHAKE_TRAFFIC_SECRET ..."), so that Wireshark decrypts a capture of the run. Every server
// context kerbpool makes (nodes, the balancer's VIP) reports its secrets here while a TlsKeyLog is open; a
// TLS connection's two ends share them, so the servers' side covers every hop. Process-wide, like
// SSLKEYLOGFILE: one open log at a time.
namespace kerbpool::net {

class TlsKeyLog {
 public:
  // Creates (truncates) `path` with mode 0600: it decrypts the lab's traffic. An Io error when another log
  // is open or the file cannot be created.
  static core::Result<std::unique_ptr<TlsKeyLog>> open(const std::string& path);
  ~TlsKeyLog();  // stops logging and closes the file
  TlsKeyLog(const TlsKeyLog&) = delete;
  TlsKeyLog& operator=(const TlsKeyLog&) = delete;

  std::uint64_t lines() const;
  const std::string& path() const { return path_; }

 private:
  explicit TlsKeyLog(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// Makes `ctx` report its secrets to the open TlsKeyLog, if any, for connections made from now on.
void attachTlsKeyLog(SSL_CTX* ctx);

}  // namespace kerbpool::net
