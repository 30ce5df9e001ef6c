#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "core/common/bytes.hpp"
#include "core/common/result.hpp"

// A pcapng file (draft-ietf-opsawg-pcapng) as Wireshark and tshark read it: one section header, one
// Ethernet interface with nanosecond timestamps, enhanced packet blocks, and a name resolution block that
// names the lab's hosts. Writes as it goes; a size cap stops it taking more packets (and says so).
namespace kerbpool::capture {

struct HostName {
  std::uint32_t ipv4 = 0;  // host order: 10.0.0.10 is 0x0a00000a
  std::string name;
};

class PcapngWriter {
 public:
  // Creates (truncates) `path`, mode 0600, and writes the section header and the interface description.
  // `maxBytes` 0: no cap.
  static core::Result<PcapngWriter> create(const std::string& path, std::uint64_t maxBytes,
                                           const std::string& application, const std::string& interfaceName);
  PcapngWriter(PcapngWriter&& other) noexcept;
  PcapngWriter& operator=(PcapngWriter&& other) noexcept;
  PcapngWriter(const PcapngWriter&) = delete;
  PcapngWriter& operator=(const PcapngWriter&) = delete;
  ~PcapngWriter();

  // One Ethernet frame; `timestampNs` since the Unix epoch. False when the cap left no room (the packet is
  // counted in capped()) or the file could not be written (error() says why).
  bool writePacket(std::uint64_t timestampNs, core::BytesView frame);
  // IPv4 names; written whenever called (Wireshark applies a name resolution block to the whole file). Under
  // the cap, the first names that fit.
  bool writeNames(const std::vector<HostName>& names);
  core::Status close();

  std::uint64_t packets() const { return packets_; }
  std::uint64_t bytes() const { return bytes_; }
  std::uint64_t capped() const { return capped_; }

 private:
  PcapngWriter(std::FILE* file, std::uint64_t maxBytes) : file_(file), maxBytes_(maxBytes) {}
  bool put(const core::Bytes& block);

  std::FILE* file_ = nullptr;
  std::uint64_t maxBytes_ = 0;
  std::uint64_t bytes_ = 0;
  std::uint64_t packets_ = 0;
  std::uint64_t capped_ = 0;
  std::string error_;
};

}  // namespace kerbpool::capture
