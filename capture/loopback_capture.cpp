#include "capture/loopback_capture.hpp"

#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace kerbpool::capture {

namespace {

constexpr std::size_t kFrameBuffer = 1 << 17;  // loopback's MTU is 65536
constexpr int kReceiveBuffer = 64 << 20;

core::Error ioError(std::string code, std::string detail) {
  return core::makeError(core::ErrorCategory::Io, std::move(code), std::move(detail));
}

// A classic BPF program that keeps IPv4 TCP and UDP frames (not fragments) with one of `ports` as source or
// destination port: the lab's traffic and little else, so that the kernel's drop count means the lab's.
std::vector<sock_filter> portFilter(const std::vector<std::uint16_t>& ports) {
  std::vector<sock_filter> p;
  const auto stmt = [&](std::uint16_t code, std::uint32_t k) { p.push_back(BPF_STMT(code, k)); };
  // Jumps are patched below: jt/jf hold 0xff for "drop" and 0xfe for "accept" until then.
  const auto jump = [&](std::uint16_t code, std::uint32_t k, std::uint8_t jt, std::uint8_t jf) {
    p.push_back(BPF_JUMP(code, k, jt, jf));
  };
  constexpr std::uint8_t kDrop = 0xff;
  constexpr std::uint8_t kAccept = 0xfe;
  stmt(BPF_LD | BPF_H | BPF_ABS, 12);  // EtherType
  jump(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 0, kDrop);
  stmt(BPF_LD | BPF_B | BPF_ABS, 23);  // IP protocol
  jump(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_TCP, 1, 0);
  jump(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, kDrop);
  stmt(BPF_LD | BPF_H | BPF_ABS, 20);  // flags and fragment offset
  jump(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, kDrop, 0);
  stmt(BPF_LDX | BPF_B | BPF_MSH, 14);       // X = IP header length
  for (std::uint32_t offset : {14u, 16u}) {  // source port, destination port
    stmt(BPF_LD | BPF_H | BPF_IND, offset);
    for (std::uint16_t port : ports) {
      jump(BPF_JMP | BPF_JEQ | BPF_K, port, kAccept, 0);
    }
  }
  const std::size_t drop = p.size();
  stmt(BPF_RET | BPF_K, 0);
  const std::size_t accept = p.size();
  stmt(BPF_RET | BPF_K, 0x40000);
  for (std::size_t i = 0; i < drop; ++i) {
    for (std::uint8_t* j : {&p[i].jt, &p[i].jf}) {
      if (*j == kDrop || *j == kAccept) {
        *j = static_cast<std::uint8_t>((*j == kDrop ? drop : accept) - i - 1);
      }
    }
  }
  return p;
}

}  // namespace

core::Result<std::unique_ptr<LoopbackCapture>> LoopbackCapture::start(CaptureOptions options) {
  const auto ports = options.network.ports();
  // Offsets are 8 bits: a filter for at most ~100 ports (a pool has a handful: its DCs, nodes and balancer).
  if (ports.empty() || ports.size() > 100) {
    return core::makeError(
        core::ErrorCategory::Internal, "capture_ports",
        "a capture needs between 1 and 100 server ports, got " + std::to_string(ports.size()));
  }
  // Protocol 0 until the filter is attached: no frame arrives unfiltered.
  const int fd = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    const int err = errno;
    if (err == EPERM || err == EACCES) {
      return ioError(
          "capture_permission",
          "capturing on the loopback interface needs CAP_NET_RAW (as for tcpdump): run as root, or "
          "`sudo setcap cap_net_raw+ep $(command -v kerbpool)`");
    }
    return ioError("capture_socket", std::string("packet socket: ") + std::strerror(err));
  }
  const auto fail = [&](const std::string& what) {
    const int err = errno;
    ::close(fd);
    return ioError("capture_socket", what + ": " + std::strerror(err));
  };
  std::vector<sock_filter> filter = portFilter(ports);
  sock_fprog program{static_cast<unsigned short>(filter.size()), filter.data()};
  if (::setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program) != 0) {
    return fail("attach the port filter");
  }
  int size = kReceiveBuffer;
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0) {
    (void)::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  }
  int on = 1;
  if (::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) != 0) {
    return fail("SO_TIMESTAMPNS");
  }
  const unsigned index = ::if_nametoindex("lo");
  if (index == 0) {
    return fail("the loopback interface lo");
  }
  sockaddr_ll address{};
  address.sll_family = AF_PACKET;
  address.sll_protocol = htons(ETH_P_ALL);
  address.sll_ifindex = static_cast<int>(index);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    return fail("bind to lo");
  }
  auto writer = PcapngWriter::create(options.path, options.maxBytes, options.application,
                                     "lo (the lab network, addresses rewritten per host)");
  if (!writer.ok()) {
    ::close(fd);
    return std::move(writer).error();
  }
  std::unique_ptr<LoopbackCapture> c(new LoopbackCapture(std::move(options), std::move(*writer), fd));
  c->thread_ = std::thread([p = c.get()] { p->run(); });
  return c;
}

LoopbackCapture::LoopbackCapture(CaptureOptions options, PcapngWriter writer, int fd)
    : options_(std::move(options)), writer_(std::move(writer)), fd_(fd), frame_(kFrameBuffer) {}

LoopbackCapture::~LoopbackCapture() {
  (void)stop();
}

void LoopbackCapture::run() {
  while (!stopping_.load()) {
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, 50);
    if (ready > 0) {
      drain();
    }
  }
}

// Reads every frame the socket holds now.
void LoopbackCapture::drain() {
  std::vector<std::uint8_t>& frame = frame_;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
  for (;;) {
    sockaddr_ll from{};
    iovec iov{frame.data(), frame.size()};
    msghdr msg{};
    msg.msg_name = &from;
    msg.msg_namelen = sizeof from;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    const ssize_t n = ::recvmsg(fd_, &msg, MSG_DONTWAIT | MSG_TRUNC);
    if (n < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && error_.empty()) {
        error_ = std::string("reading the loopback interface: ") + std::strerror(errno);
      }
      if (errno == EINTR) {
        continue;
      }
      return;
    }
    // Loopback shows each frame twice, leaving and arriving: keep it once.
    if (from.sll_pkttype != PACKET_OUTGOING || static_cast<std::size_t>(n) > frame.size()) {
      continue;
    }
    std::uint64_t ns = 0;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
        timespec ts{};
        std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
        ns = static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<std::uint64_t>(ts.tv_nsec);
      }
    }
    std::span<std::uint8_t> bytes(frame.data(), static_cast<std::size_t>(n));
    const FrameRewrite r = rewriteFrame(bytes, options_.network);
    if (!r.lab) {
      continue;
    }
    if (writer_.writePacket(ns, bytes)) {
      seen_.insert(r.source);
      seen_.insert(r.destination);
    }
  }
}

core::Result<CaptureSummary> LoopbackCapture::stop() {
  if (stopped_) {
    return core::makeError(core::ErrorCategory::Internal, "capture_stopped",
                           "the capture was stopped before");
  }
  stopped_ = true;
  stopping_.store(true);
  if (thread_.joinable()) {
    thread_.join();
  }
  // Loopback delivers while the sender sends: what the lab sent is in the socket by now.
  drain();
  CaptureSummary s;
  tpacket_stats stats{};
  socklen_t length = sizeof stats;
  if (::getsockopt(fd_, SOL_PACKET, PACKET_STATISTICS, &stats, &length) == 0) {
    s.dropped = stats.tp_drops;
  }
  ::close(fd_);
  fd_ = -1;
  std::vector<HostName> names;
  for (std::uint32_t a : seen_) {
    if (std::string name = options_.network.nameOf(a); !name.empty()) {
      names.push_back({a, std::move(name)});
    }
  }
  (void)writer_.writeNames(names);
  s.path = options_.path;
  s.packets = writer_.packets();
  s.capped = writer_.capped();
  s.maxBytes = options_.maxBytes;
  s.hosts = seen_.size();
  s.bytes = writer_.bytes();
  auto closed = writer_.close();
  if (!closed.ok()) {
    return std::move(closed).error().within(options_.path);
  }
  if (!error_.empty()) {
    return ioError("capture_read", error_);
  }
  return s;
}

}  // namespace kerbpool::capture
