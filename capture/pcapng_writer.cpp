#include "capture/pcapng_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <span>

namespace kerbpool::capture {

namespace {

constexpr std::uint32_t kSectionHeader = 0x0A0D0D0A;
constexpr std::uint32_t kInterfaceDescription = 1;
constexpr std::uint32_t kNameResolution = 4;
constexpr std::uint32_t kEnhancedPacket = 6;
constexpr std::uint16_t kLinkTypeEthernet = 1;

// A block under construction: type, a length to fill in, the body, the length again. Host byte order, as
// the section header's byte-order magic tells readers.
class Block {
 public:
  explicit Block(std::uint32_t type) {
    u32(type);
    u32(0);
  }
  void u16(std::uint16_t v) { raw(&v, 2); }
  void u32(std::uint32_t v) { raw(&v, 4); }
  void u64(std::uint64_t v) { raw(&v, 8); }
  void raw(const void* p, std::size_t n) {
    const auto* b = static_cast<const std::uint8_t*>(p);
    out_.insert(out_.end(), b, b + n);
  }
  void pad() {
    while (out_.size() % 4 != 0) {
      out_.push_back(0);
    }
  }
  void option(std::uint16_t code, const void* value, std::size_t n) {
    u16(code);
    u16(static_cast<std::uint16_t>(n));
    raw(value, n);
    pad();
  }
  void endOfOptions() {
    u16(0);
    u16(0);
  }
  core::Bytes finish() {
    const auto total = static_cast<std::uint32_t>(out_.size() + 4);
    u32(total);
    std::memcpy(out_.data() + 4, &total, 4);
    return std::move(out_);
  }

 private:
  core::Bytes out_;
};

}  // namespace

core::Result<PcapngWriter> PcapngWriter::create(const std::string& path, std::uint64_t maxBytes,
                                                const std::string& application,
                                                const std::string& interfaceName) {
  // 0600 like the keytab and the key log next to it: the capture holds the lab's tickets.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return core::makeError(core::ErrorCategory::Io, "capture_file", path + ": " + std::strerror(errno));
  }
  std::FILE* file = ::fdopen(fd, "wb");
  if (file == nullptr) {
    ::close(fd);
    return core::makeError(core::ErrorCategory::Io, "capture_file", path + ": " + std::strerror(errno));
  }
  PcapngWriter w(file, maxBytes);
  Block shb(kSectionHeader);
  shb.u32(0x1A2B3C4D);
  shb.u16(1);
  shb.u16(0);
  shb.u64(~std::uint64_t{0});                             // section length not known
  shb.option(4, application.data(), application.size());  // shb_userappl
  shb.endOfOptions();
  Block idb(kInterfaceDescription);
  idb.u16(kLinkTypeEthernet);
  idb.u16(0);
  idb.u32(0);                                                 // snaplen: none
  idb.option(2, interfaceName.data(), interfaceName.size());  // if_name
  const std::uint8_t nanoseconds = 9;
  idb.option(9, &nanoseconds, 1);  // if_tsresol
  idb.endOfOptions();
  if (!w.put(shb.finish()) || !w.put(idb.finish())) {
    return core::makeError(core::ErrorCategory::Io, "capture_file", path + ": " + w.error_);
  }
  return w;
}

PcapngWriter::PcapngWriter(PcapngWriter&& other) noexcept
    : file_(std::exchange(other.file_, nullptr)),
      maxBytes_(other.maxBytes_),
      bytes_(other.bytes_),
      packets_(other.packets_),
      capped_(other.capped_),
      error_(std::move(other.error_)) {}

PcapngWriter& PcapngWriter::operator=(PcapngWriter&& other) noexcept {
  if (this != &other) {
    (void)close();
    file_ = std::exchange(other.file_, nullptr);
    maxBytes_ = other.maxBytes_;
    bytes_ = other.bytes_;
    packets_ = other.packets_;
    capped_ = other.capped_;
    error_ = std::move(other.error_);
  }
  return *this;
}

PcapngWriter::~PcapngWriter() {
  (void)close();
}

bool PcapngWriter::put(const core::Bytes& block) {
  if (file_ == nullptr) {
    return false;
  }
  if (std::fwrite(block.data(), 1, block.size(), file_) != block.size()) {
    error_ = std::strerror(errno);
    return false;
  }
  bytes_ += block.size();
  return true;
}

bool PcapngWriter::writePacket(std::uint64_t timestampNs, core::BytesView frame) {
  const std::uint64_t blockSize = 32 + ((frame.size() + 3) / 4) * 4;
  // Once one packet did not fit, none after it goes in either: the file is the run's beginning, without
  // holes.
  if (capped_ != 0 || (maxBytes_ != 0 && bytes_ + blockSize > maxBytes_)) {
    ++capped_;
    return false;
  }
  Block epb(kEnhancedPacket);
  epb.u32(0);  // interface
  epb.u32(static_cast<std::uint32_t>(timestampNs >> 32));
  epb.u32(static_cast<std::uint32_t>(timestampNs));
  epb.u32(static_cast<std::uint32_t>(frame.size()));
  epb.u32(static_cast<std::uint32_t>(frame.size()));
  epb.raw(frame.data(), frame.size());
  epb.pad();
  if (!put(epb.finish())) {
    return false;
  }
  ++packets_;
  return true;
}

bool PcapngWriter::writeNames(const std::vector<HostName>& names) {
  if (names.empty()) {
    return true;
  }
  // Within the cap too: the names that fit, in the order given (the caller puts the servers first).
  std::uint64_t size = 12 + 4;  // block header and trailer, end-of-records
  std::size_t fitting = 0;
  for (const auto& n : names) {
    const std::uint64_t record = 4 + ((4 + n.name.size() + 1 + 3) / 4) * 4;
    if (maxBytes_ != 0 && bytes_ + size + record > maxBytes_) {
      break;
    }
    size += record;
    ++fitting;
  }
  if (fitting == 0) {
    return names.empty();
  }
  Block nrb(kNameResolution);
  for (const auto& n : std::span<const HostName>(names.data(), fitting)) {
    const std::uint8_t address[4] = {
        static_cast<std::uint8_t>(n.ipv4 >> 24), static_cast<std::uint8_t>(n.ipv4 >> 16),
        static_cast<std::uint8_t>(n.ipv4 >> 8), static_cast<std::uint8_t>(n.ipv4)};
    nrb.u16(1);  // nrb_record_ipv4
    nrb.u16(static_cast<std::uint16_t>(4 + n.name.size() + 1));
    nrb.raw(address, 4);
    nrb.raw(n.name.c_str(), n.name.size() + 1);
    nrb.pad();
  }
  nrb.endOfOptions();  // nrb_record_end
  return put(nrb.finish());
}

core::Status PcapngWriter::close() {
  if (file_ == nullptr) {
    return core::okStatus();
  }
  const bool ok = std::fclose(file_) == 0;
  file_ = nullptr;
  if (!ok) {
    return core::makeError(core::ErrorCategory::Io, "capture_file", std::strerror(errno));
  }
  if (!error_.empty()) {
    return core::makeError(core::ErrorCategory::Io, "capture_file", error_);
  }
  return core::okStatus();
}

}  // namespace kerbpool::capture
