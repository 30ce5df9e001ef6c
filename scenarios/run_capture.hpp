#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "capture/loopback_capture.hpp"
#include "core/common/result.hpp"
#include "net/tls_key_log.hpp"

// `kerbpool run --pcap FILE`: what Wireshark needs to read a run. FILE: every packet the lab's hosts
// exchanged (Kerberos over UDP and TCP, HTTP and HTTPS between the workstations, the balancer and the nodes),
// each host with its own address (capture/lab_network.hpp); FILE.keytab: every key of the directory, every
// retained version, so that Wireshark decrypts the tickets and the KDC's answers; FILE.keys: the TLS secrets
// (SSLKEYLOGFILE format) when the pool serves HTTPS.
namespace kerbpool::scenarios {

class PoolWorld;

struct CaptureRequest {
  std::string path;
  std::uint64_t maxBytes = 0;  // 0: no cap
};

struct CaptureReport {
  capture::CaptureSummary packets;
  std::string keytabPath;
  std::uint64_t keytabKeys = 0;
  std::string keyLogPath;  // empty without TLS
  std::uint64_t keyLogLines = 0;
  std::string labNetwork;  // "DC01 10.0.0.10, pool.contoso.test 10.0.0.100, fe01 10.0.0.101, ..."
};

// The report's "Capture" section: the files, what they hold, a cap or drops, and how to open them.
std::string formatCaptureSection(const CaptureReport& capture);

class RunCapture {
 public:
  // Before the pool starts: opens the TLS key log, so that the servers' TLS contexts report to it.
  static core::Result<std::unique_ptr<RunCapture>> prepare(const CaptureRequest& request);
  // Before finish(): removes what prepare() and start() created.
  ~RunCapture();
  // Once the pool listens: starts capturing on its ports.
  core::Status start(const PoolWorld& world);
  // After the last request: stops the capture, writes the keytab, closes the key log.
  core::Result<CaptureReport> finish(PoolWorld& world);

 private:
  explicit RunCapture(CaptureRequest request) : request_(std::move(request)) {}
  CaptureRequest request_;
  std::unique_ptr<net::TlsKeyLog> keyLog_;
  std::unique_ptr<capture::LoopbackCapture> capture_;
  std::string labNetwork_;
  bool finished_ = false;
};

}  // namespace kerbpool::scenarios
