#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "capture/lab_network.hpp"
#include "capture/pcapng_writer.hpp"
#include "core/common/result.hpp"

// Captures the lab's packets on the loopback interface while a scenario runs: a packet socket (AF_PACKET)
// with a kernel filter on the lab servers' ports, each frame taken once (as it leaves), rewritten to the
// lab's addresses (lab_network.hpp) and written to pcapng. Needs CAP_NET_RAW (root, or `setcap
// cap_net_raw+ep` on the binary), like tcpdump and dumpcap.
namespace kerbpool::capture {

struct CaptureOptions {
  std::string path;
  std::uint64_t maxBytes = 0;  // 0: no cap
  LabNetwork network;
  std::string application = "kerbpool";
};

struct CaptureSummary {
  std::string path;
  std::uint64_t packets = 0;  // written
  std::uint64_t bytes = 0;    // file size
  std::uint64_t capped = 0;   // lab packets left out because the file reached maxBytes
  std::uint64_t maxBytes = 0;
  std::uint64_t dropped = 0;  // packets the kernel dropped because the capture fell behind
  std::uint64_t hosts = 0;    // lab hosts seen
};

class LoopbackCapture {
 public:
  // Opens the file and the socket and starts capturing. Errors: the file (Io), no permission (Io,
  // "capture_permission", saying what to do), no loopback interface.
  static core::Result<std::unique_ptr<LoopbackCapture>> start(CaptureOptions options);
  ~LoopbackCapture();
  LoopbackCapture(const LoopbackCapture&) = delete;
  LoopbackCapture& operator=(const LoopbackCapture&) = delete;

  // Takes what the kernel still holds, names the hosts and closes the file. Call once the traffic is over.
  core::Result<CaptureSummary> stop();

 private:
  LoopbackCapture(CaptureOptions options, PcapngWriter writer, int fd);
  void run();
  void drain();

  CaptureOptions options_;
  PcapngWriter writer_;
  int fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::vector<std::uint8_t>
      frame_;  // one frame at a time (drain() runs on the capture thread, then in stop())
  std::set<std::uint32_t> seen_;
  bool stopped_ = false;
  std::string error_;
};

}  // namespace kerbpool::capture
