// The KDC under a flood (issue 19), on real loopback sockets: 100,000 random and mutated datagrams, and
// 20,000 hostile TCP frames (length 0, truncated, 0x7fffffff, the reserved top bit, over the limit, random
// and mutated bodies), then more connections from one address than its cap. Every request is answered with a
// KRB-ERROR (an AS-REP or TGS-REP where a mutation left a valid request) or dropped, the KDC's counters and
// the kernel's account for every datagram, a normal AS exchange works during and after each attack, and the
// memory of this process (the KDC runs in it) stays bounded. The figures are printed for the issue.
//
// Seeds for the mutations are the requests kerbpool's own client sends in a real AS and TGS exchange.
// Mutations come from a seeded std::mt19937_64: a failure replays with the same seed.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "client/kdc_network.hpp"
#include "client/kerberos_client.hpp"
#include "core/common/clock.hpp"
#include "core/common/log.hpp"
#include "core/crypto/crypto_rng.hpp"
#include "core/iana/error_code.hpp"
#include "core/iana/msg_type.hpp"
#include "core/messages/codec.hpp"
#include "core/messages/krb_error.hpp"
#include "tests/support/flood.hpp"
#include "tests/support/kdc_fixture.hpp"

using namespace kerbpool;
using namespace std::chrono_literals;
using core::Bytes;
namespace iana = core::iana;
namespace messages = core::messages;

namespace {

constexpr const char* kRealm = "CONTOSO.TEST";
constexpr std::uint64_t kMiB = 1024;  // test::Rss is in KiB

// ---------------------------------------------------------------------------------------------- memory

std::string mib(long kib) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(kib) / 1024.0);
  return buf;
}

// VmRSS before, the peak during (VmHWM after resetting it through /proc/self/clear_refs; where the reset is
// not allowed, the process's lifetime VmHWM, said so) and VmRSS after one attack; under ASan or TSan also the
// live heap before and after, which is then what the growth is (test::liveHeapKiB).
class RssWatch {
 public:
  explicit RssWatch(std::string attack) : attack_(std::move(attack)) {
    lifetimePeakBefore_ = test::rss().peak;
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5";  // resets VmHWM to the current RSS (Linux 4.0+)
    clear.flush();
    peakReset_ = clear.good();
    before_ = test::rss();
    heapBefore_ = test::liveHeapKiB();
  }

  // After the attack: prints the figures and returns the growth in KiB (of VmRSS; under ASan or TSan of the
  // live heap).
  long finish() {
    const auto after = test::rss();
    const long heapAfter = test::liveHeapKiB();
    std::string heap;
    if (heapBefore_ >= 0) {
      heap = "; sanitizer build, so the growth checked is the live heap's: " + mib(heapBefore_) +
             " before, " + mib(heapAfter) + " after (" + (heapAfter >= heapBefore_ ? "+" : "") +
             mib(heapAfter - heapBefore_) + ")";
    }
    WARN("KDC, " << attack_ << ": VmRSS before " << mib(before_.current) << " (VmHWM of the process so far "
                 << mib(lifetimePeakBefore_) << "), peak " << mib(after.peak)
                 << (peakReset_ ? " during the attack (VmHWM reset before it)"
                                : " over the process's life (VmHWM could not be reset)")
                 << ", VmRSS after " << mib(after.current) << " ("
                 << (after.current >= before_.current ? "+" : "") << mib(after.current - before_.current)
                 << ")" << heap);
    return heapBefore_ >= 0 ? heapAfter - heapBefore_ : after.current - before_.current;
  }

 private:
  std::string attack_;
  long lifetimePeakBefore_ = 0;
  bool peakReset_ = false;
  test::Rss before_;
  long heapBefore_ = -1;
};

// ------------------------------------------------------------------------------------------------- log

// Counts the log lines an attack makes (and keeps them off the console), by level; restores stderr after.
class LogCounter {
 public:
  LogCounter() {
    core::Logger::setSink([this](core::LogLevel level, std::string_view component, std::string_view message) {
      const auto i = static_cast<std::size_t>(level);
      if (i < counts_.size() && counts_[i]++ == 0) {
        std::lock_guard lock(mu_);
        first_[i] = std::string(component) + ": " + std::string(message);
      }
    });
  }
  ~LogCounter() { core::Logger::setSink({}); }
  LogCounter(const LogCounter&) = delete;
  LogCounter& operator=(const LogCounter&) = delete;

  std::uint64_t count(core::LogLevel level) const { return counts_[static_cast<std::size_t>(level)]; }
  std::string summary() const {
    std::ostringstream out;
    out << count(core::LogLevel::Info) << " info, " << count(core::LogLevel::Warn) << " warn, "
        << count(core::LogLevel::Error) << " error lines";
    for (auto level : {core::LogLevel::Warn, core::LogLevel::Error}) {
      const auto i = static_cast<std::size_t>(level);
      std::lock_guard lock(mu_);
      if (!first_[i].empty()) {
        out << "; first " << core::toString(level) << ": " << first_[i];
      }
    }
    return out.str();
  }

 private:
  std::array<std::atomic<std::uint64_t>, 5> counts_{};
  mutable std::mutex mu_;
  std::array<std::string, 5> first_;
};

// ------------------------------------------------------------------------------------------- mutations

// The requests of a real AS and TGS exchange (and the KDC's replies, which a KDC must refuse as requests).
struct Seeds {
  std::vector<Bytes> requests;  // AS-REQ, AS-REQ with PA-ENC-TIMESTAMP, TGS-REQ
  std::vector<Bytes> replies;   // KDC_ERR_PREAUTH_REQUIRED, AS-REP, TGS-REP
};

class RecordingTransport : public client::KdcTransport {
 public:
  explicit RecordingTransport(client::KdcTransport& inner) : inner_(inner) {}
  core::Result<Bytes> exchange(core::BytesView request) override {
    auto reply = inner_.exchange(request);
    packets.emplace_back(request.begin(), request.end());
    if (reply.ok()) {
      packets.push_back(*reply);
    }
    return reply;
  }
  std::vector<Bytes> packets;

 private:
  client::KdcTransport& inner_;
};

Seeds captureSeeds(std::uint16_t port) {
  client::KdcNetworkOptions o;
  o.kdcs.push_back(client::KdcAddress{"127.0.0.1", port});
  client::KdcNetwork network(o);
  RecordingTransport recorder(network);
  core::SystemClock clock;
  core::crypto::CryptoRng rng;
  client::KerberosClientConfig config;
  config.realm = kRealm;
  client::KerberosClient alice(recorder, clock, rng, config);
  REQUIRE(alice.getTgt("alice", "Passw0rd!").ok());
  REQUIRE(alice.getServiceTicket("HTTP/pool.contoso.test").ok());
  REQUIRE(recorder.packets.size() == 6);  // AS-REQ, PREAUTH_REQUIRED, AS-REQ, AS-REP, TGS-REQ, TGS-REP
  const auto& p = recorder.packets;
  REQUIRE(messages::peekMsgType(p[0]) == iana::MsgType::KRB_AS_REQ);
  REQUIRE(messages::peekMsgType(p[4]) == iana::MsgType::KRB_TGS_REQ);
  return Seeds{{p[0], p[2], p[4]}, {p[1], p[3], p[5]}};
}

class Mutator {
 public:
  explicit Mutator(std::uint64_t seed) : rng_(seed) {}

  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(rng_() % n); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(rng_()); }

  Bytes random(std::size_t minLen, std::size_t maxLen) {
    Bytes b(minLen + below(maxLen - minLen + 1));
    for (auto& x : b) {
      x = static_cast<std::uint8_t>(rng_());
    }
    return b;
  }

  // Random octets behind an AS-REQ or TGS-REQ tag, so they get past the first-octet sniffing into the
  // decoder.
  Bytes taggedRandom(std::size_t maxLen) {
    Bytes b = random(1, maxLen);
    b[0] = below(2) == 0 ? 0x6a : 0x6c;
    return b;
  }

  // 1 to 4 of: a bit flip, a random octet, a truncation, a hostile DER length after a constructed tag, an
  // inserted, erased or duplicated range, a boundary octet.
  Bytes mutate(const Bytes& seed, std::size_t maxLen) {
    Bytes b = seed;
    const std::size_t ops = 1 + below(4);
    for (std::size_t op = 0; op < ops; ++op) {
      switch (below(8)) {
        case 0:
          if (!b.empty()) {
            b[below(b.size())] ^= static_cast<std::uint8_t>(1u << below(8));
          }
          break;
        case 1:
          if (!b.empty()) {
            b[below(b.size())] = static_cast<std::uint8_t>(rng_());
          }
          break;
        case 2:
          b.resize(below(b.size() + 1));
          break;
        case 3: {
          static const std::vector<Bytes> lengths{{0x80},
                                                  {0x81, 0xff},
                                                  {0x82, 0xff, 0xff},
                                                  {0x84, 0x7f, 0xff, 0xff, 0xff},
                                                  {0x84, 0xff, 0xff, 0xff, 0xff},
                                                  {0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9},
                                                  {0x00},
                                                  {0x7f},
                                                  {0xff}};
          std::vector<std::size_t> tags;  // positions of constructed tags: the next octet is a length
          for (std::size_t i = 0; i + 1 < b.size(); ++i) {
            if ((b[i] & 0x20) != 0) {
              tags.push_back(i);
            }
          }
          if (!tags.empty()) {
            const std::size_t at = tags[below(tags.size())] + 1;
            const auto& l = lengths[below(lengths.size())];
            b.erase(b.begin() + static_cast<std::ptrdiff_t>(at));
            b.insert(b.begin() + static_cast<std::ptrdiff_t>(at), l.begin(), l.end());
          }
          break;
        }
        case 4: {
          const Bytes chunk = random(1, 64);
          b.insert(b.begin() + static_cast<std::ptrdiff_t>(below(b.size() + 1)), chunk.begin(), chunk.end());
          break;
        }
        case 5:
          if (!b.empty()) {
            const std::size_t from = below(b.size());
            const std::size_t n = 1 + below(std::min<std::size_t>(b.size() - from, 64));
            b.erase(b.begin() + static_cast<std::ptrdiff_t>(from),
                    b.begin() + static_cast<std::ptrdiff_t>(from + n));
          }
          break;
        case 6:
          if (!b.empty()) {
            const std::size_t from = below(b.size());
            const std::size_t n = 1 + below(std::min<std::size_t>(b.size() - from, 128));
            const Bytes copy(b.begin() + static_cast<std::ptrdiff_t>(from),
                             b.begin() + static_cast<std::ptrdiff_t>(from + n));
            b.insert(b.begin() + static_cast<std::ptrdiff_t>(below(b.size() + 1)), copy.begin(), copy.end());
          }
          break;
        default:
          if (!b.empty()) {
            static constexpr std::array<std::uint8_t, 4> edges{0x00, 0x7f, 0x80, 0xff};
            b[below(b.size())] = edges[below(edges.size())];
          }
          break;
      }
    }
    if (b.size() > maxLen) {
      b.resize(maxLen);
    }
    return b;
  }

  // One hostile request: 5 % empty, 30 % random octets, 15 % random behind a request tag, 5 % a mutated
  // reply, 2 % a request replayed unchanged, 43 % a mutated AS-REQ or TGS-REQ.
  Bytes hostile(const Seeds& seeds, std::size_t maxLen) {
    const std::size_t r = below(100);
    if (r < 5) {
      return {};
    }
    if (r < 35) {
      return random(0, std::min<std::size_t>(maxLen, 1500));
    }
    if (r < 50) {
      return taggedRandom(std::min<std::size_t>(maxLen, 1500));
    }
    if (r < 55) {
      return mutate(seeds.replies[below(seeds.replies.size())], maxLen);
    }
    if (r < 57) {
      return seeds.requests[below(seeds.requests.size())];
    }
    return mutate(seeds.requests[below(seeds.requests.size())], maxLen);
  }

 private:
  std::mt19937_64 rng_;
};

// --------------------------------------------------------------------------------------------- replies

struct ReplyTally {
  std::uint64_t krbErrors = 0;
  std::uint64_t asReps = 0;
  std::uint64_t tgsReps = 0;
  std::uint64_t other = 0;  // neither: a failure
  std::map<std::string, std::uint64_t> codes;

  // The KRB-ERROR code, or nullopt for the other kinds.
  std::optional<iana::ErrorCode> add(core::BytesView reply) {
    const auto type = messages::peekMsgType(reply);
    if (type == iana::MsgType::KRB_ERROR) {
      auto e = messages::decode<messages::KrbError>(reply);
      if (e.ok()) {
        krbErrors++;
        codes[std::string(iana::rfcName(e->errorCode))]++;
        return e->errorCode;
      }
    } else if (type == iana::MsgType::KRB_AS_REP) {
      asReps++;
      return std::nullopt;
    } else if (type == iana::MsgType::KRB_TGS_REP) {
      tgsReps++;
      return std::nullopt;
    }
    other++;
    return std::nullopt;
  }
  std::uint64_t total() const { return krbErrors + asReps + tgsReps + other; }
  void merge(const ReplyTally& t) {
    krbErrors += t.krbErrors;
    asReps += t.asReps;
    tgsReps += t.tgsReps;
    other += t.other;
    for (const auto& [k, v] : t.codes) {
      codes[k] += v;
    }
  }
  std::string summary() const {
    std::ostringstream out;
    out << krbErrors << " KRB-ERROR (";
    bool first = true;
    for (const auto& [k, v] : codes) {
      out << (first ? "" : ", ") << k << " " << v;
      first = false;
    }
    out << "), " << asReps << " AS-REP, " << tgsReps << " TGS-REP, " << other << " other";
    return out.str();
  }
};

// ------------------------------------------------------------------------------------------------ kinit

class CountingTransport : public client::KdcTransport {
 public:
  explicit CountingTransport(client::KdcTransport& inner) : inner_(inner) {}
  core::Result<Bytes> exchange(core::BytesView request) override {
    calls++;
    return inner_.exchange(request);
  }
  std::uint64_t calls = 0;

 private:
  client::KdcTransport& inner_;
};

struct Kinit {
  bool ok = false;
  int attempts = 0;
  std::uint64_t requests =
      0;  // requests handed to KdcNetwork (each starts with one UDP datagram unless tcpOnly)
  std::uint64_t udpExchanges = 0;
  std::uint64_t tcpExchanges = 0;
  std::string error;
  std::chrono::milliseconds took{0};
};

// A normal logon: alice's AS exchange (PREAUTH_REQUIRED, then PA-ENC-TIMESTAMP) with kerbpool's client and
// its default network options, up to 3 attempts. tcpOnly: every request goes over TCP (udp_preference_limit
// = 1) and an answer that came over UDP does not count.
Kinit kinit(std::uint16_t port, bool tcpOnly) {
  Kinit k;
  const auto start = std::chrono::steady_clock::now();
  for (int attempt = 1; attempt <= 3 && !k.ok; ++attempt) {
    k.attempts = attempt;
    client::KdcNetworkOptions o;
    o.kdcs.push_back(client::KdcAddress{"127.0.0.1", port});
    if (tcpOnly) {
      o.udpPreferenceLimit = 1;
    }
    client::KdcNetwork network(o);
    CountingTransport counting(network);
    core::SystemClock clock;
    core::crypto::CryptoRng rng;
    client::KerberosClientConfig config;
    config.realm = kRealm;
    client::KerberosClient alice(counting, clock, rng, config);
    auto r = alice.getTgt("alice", "Passw0rd!");
    k.requests += counting.calls;
    k.udpExchanges += network.stats().udpExchanges;
    k.tcpExchanges += network.stats().tcpExchanges;
    if (r.ok() && (!tcpOnly || network.stats().udpExchanges == 0)) {
      k.ok = true;
    } else {
      k.error = r.ok() ? "answered over UDP, not TCP" : r.error().message();
    }
  }
  k.took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  return k;
}

// Logons while an attack goes on: one at a time on its own thread; start() first waits for the previous one.
class KinitsDuringAttack {
 public:
  KinitsDuringAttack(std::uint16_t port, bool tcpOnly) : port_(port), tcpOnly_(tcpOnly) {}
  ~KinitsDuringAttack() { finish(); }
  void start() {
    collect();
    running_ = std::async(std::launch::async, kinit, port_, tcpOnly_);
  }
  const std::vector<Kinit>& finish() {
    collect();
    return results_;
  }

 private:
  void collect() {
    if (running_.valid()) {
      results_.push_back(running_.get());
    }
  }
  std::uint16_t port_;
  bool tcpOnly_;
  std::future<Kinit> running_;
  std::vector<Kinit> results_;
};

void checkKinits(const std::vector<Kinit>& results, std::size_t expected) {
  CHECK(results.size() == expected);
  std::ostringstream out;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& k = results[i];
    INFO("logon " << i << ": " << k.error);
    CHECK(k.ok);
    out << (i == 0 ? "" : ", ") << k.took.count() << " ms/" << k.attempts
        << (k.attempts == 1 ? " try" : " tries") << "/" << k.udpExchanges << " UDP+" << k.tcpExchanges
        << " TCP";
  }
  WARN(results.size() << " logons during the attack (time/attempts/replies by transport): " << out.str());
}

// ------------------------------------------------------------------------------------------------- UDP

// The kernel's drop counter (receive buffer full) of the UDP socket bound to 127.0.0.1:port (/proc/net/udp).
std::optional<std::uint64_t> udpSocketDrops(std::uint16_t port) {
  char want[32];
  std::snprintf(want, sizeof want, "%08X:%04X", static_cast<unsigned>(htonl(INADDR_LOOPBACK)),
                static_cast<unsigned>(port));
  std::ifstream in("/proc/net/udp");
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::vector<std::string> f;
    for (std::string s; fields >> s;) {
      f.push_back(s);
    }
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops
    if (f.size() >= 13 && f[1] == want) {
      return std::stoull(f[12]);
    }
  }
  return std::nullopt;
}

// ------------------------------------------------------------------------------------------------- TCP

int connectTcp(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return -1;
  }
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Closes with a reset (SO_LINGER 0): 20,000 connections leave no TIME_WAIT behind to exhaust loopback ports.
void resetClose(int fd) {
  linger l{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  ::close(fd);
}

bool sendBytes(int fd, core::BytesView b) {
  std::size_t done = 0;
  while (done < b.size()) {
    const auto n = ::send(fd, b.data() + done, b.size() - done, MSG_NOSIGNAL);
    if (n <= 0) {
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}

enum class Read { Ok, Closed, Timeout };

Read receiveExactly(int fd, std::uint8_t* out, std::size_t n, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t got = 0;
  while (got < n) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return Read::Timeout;
    }
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) {
      continue;
    }
    if (ready <= 0) {
      return Read::Timeout;
    }
    const auto r = ::recv(fd, out + got, n - got, 0);
    if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN)) {
      return Read::Closed;
    }
    if (r > 0) {
      got += static_cast<std::size_t>(r);
    }
  }
  return Read::Ok;
}

struct FramedReply {
  Read status = Read::Timeout;
  Bytes body;
  bool badLength = false;  // the KDC's own length prefix had the top bit or was absurd
};

FramedReply receiveFrame(int fd, std::chrono::milliseconds timeout) {
  FramedReply f;
  std::array<std::uint8_t, 4> h{};
  f.status = receiveExactly(fd, h.data(), 4, timeout);
  if (f.status != Read::Ok) {
    return f;
  }
  const std::uint32_t len =
      (std::uint32_t{h[0]} << 24) | (std::uint32_t{h[1]} << 16) | (std::uint32_t{h[2]} << 8) | h[3];
  if (len == 0 || len > (1u << 20)) {
    f.badLength = true;
    return f;
  }
  f.body.resize(len);
  f.status = receiveExactly(fd, f.body.data(), len, timeout);
  return f;
}

// A 4-octet big-endian length prefix, then `tail` (which need not be as long as the prefix says).
Bytes prefixed(std::uint32_t len, core::BytesView tail = {}) {
  Bytes out;
  out.reserve(4 + tail.size());
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<std::uint8_t>(len >> shift));
  }
  core::append(out, tail);
  return out;
}

Bytes framed(core::BytesView body) {
  return prefixed(static_cast<std::uint32_t>(body.size()), body);
}

struct TcpTally {
  std::uint64_t connections = 0;
  std::uint64_t connectFailed = 0;
  std::uint64_t frames = 0;
  // Length 0, 0x7fffffff, the reserved top bit, over maxTcpRequest: KRB_ERR_FIELD_TOOLONG, then a close.
  std::uint64_t badLengthSent = 0;
  std::uint64_t badLengthTooLong = 0;  // FIELD_TOOLONG and the close
  std::uint64_t badLengthReset = 0;    // garbage after the header: the KDC's close may reset before the reply
  std::uint64_t badLengthWrong = 0;    // another answer, none, or no close: a failure
  // The prefix says N, fewer octets (maybe part of the prefix) follow, then the client closes.
  std::uint64_t truncatedSent = 0;
  // A correct length and a random or mutated body: a Kerberos tag must be answered, anything else closed.
  std::uint64_t bodiesSent = 0;
  std::uint64_t bodiesAnswered = 0;
  std::uint64_t bodiesClosed = 0;  // not Kerberos: dropped, connection closed
  std::uint64_t unexpectedClose = 0;
  std::uint64_t unexpectedReply = 0;
  std::uint64_t noAnswer = 0;
  ReplyTally replies;

  void merge(const TcpTally& t) {
    connections += t.connections;
    connectFailed += t.connectFailed;
    frames += t.frames;
    badLengthSent += t.badLengthSent;
    badLengthTooLong += t.badLengthTooLong;
    badLengthReset += t.badLengthReset;
    badLengthWrong += t.badLengthWrong;
    truncatedSent += t.truncatedSent;
    bodiesSent += t.bodiesSent;
    bodiesAnswered += t.bodiesAnswered;
    bodiesClosed += t.bodiesClosed;
    unexpectedClose += t.unexpectedClose;
    unexpectedReply += t.unexpectedReply;
    noAnswer += t.noAnswer;
    replies.merge(t.replies);
  }
};

constexpr auto kReplyTimeout = 10s;

// Takes frames from `next` until `total` are sent, over one connection at a time: 32 % announce a bad
// length, 18 % are truncated, 50 % of the connections carry 1 to 8 well-framed hostile bodies.
void tcpWorker(std::uint16_t port, const Seeds& seeds, std::uint64_t seed, std::atomic<std::uint64_t>& next,
               std::uint64_t total, TcpTally& t) {
  Mutator m(seed);
  while (next.fetch_add(1) < total) {  // this connection's first frame
    const std::size_t kind = m.below(100);
    const int fd = connectTcp(port);
    if (fd < 0) {
      t.connectFailed++;
      continue;
    }
    t.connections++;
    t.frames++;
    if (kind < 32) {
      std::uint32_t len = 0;
      bool garbage = false;
      if (kind < 10) {
        len = 0;
      } else if (kind < 18) {
        len = 0x7fffffff;
        garbage = kind >= 14;  // and random octets after it
      } else if (kind < 26) {
        len = 0x80000000u | m.u32();
      } else {
        len = 64 * 1024 + 1 + m.u32() % (0x7fffffffu - 64 * 1024);
      }
      t.badLengthSent++;
      sendBytes(fd, prefixed(len, garbage ? m.random(1, 512) : Bytes{}));
      const auto reply = receiveFrame(fd, kReplyTimeout);
      std::array<std::uint8_t, 1> more{};
      if (reply.status == Read::Ok && !reply.badLength) {
        const auto code = t.replies.add(reply.body);
        if (code == iana::ErrorCode::KRB_ERR_FIELD_TOOLONG &&
            receiveExactly(fd, more.data(), 1, kReplyTimeout) == Read::Closed) {
          t.badLengthTooLong++;
        } else {
          t.badLengthWrong++;
        }
      } else if (reply.status == Read::Closed && garbage) {
        t.badLengthReset++;
      } else {
        t.badLengthWrong++;
      }
    } else if (kind < 50) {
      t.truncatedSent++;
      if (kind < 36) {
        const Bytes h = prefixed(1 + m.u32() % (64 * 1024));
        sendBytes(fd, core::BytesView(h.data(), 1 + m.below(3)));  // part of the prefix
      } else {
        const std::uint32_t len = 1 + m.u32() % (64 * 1024);
        sendBytes(fd, prefixed(len, m.random(0, std::min<std::size_t>(len - 1, 3000))));
      }
    } else {
      const std::size_t bodies = 1 + m.below(8);
      for (std::size_t i = 0; i < bodies; ++i) {
        if (i > 0) {
          if (next.fetch_add(1) >= total) {
            break;
          }
          t.frames++;
        }
        Bytes body = m.below(50) == 0 ? m.random(4097, 64 * 1024) : m.hostile(seeds, 8192);
        if (body.empty()) {
          body = m.random(1, 1500);
        }
        t.bodiesSent++;
        const bool kerberos = messages::peekMsgType(body).has_value();
        sendBytes(fd, framed(body));
        const auto reply = receiveFrame(fd, kReplyTimeout);
        if (reply.status == Read::Timeout) {
          t.noAnswer++;
          break;
        }
        if (reply.status == Read::Closed) {
          (kerberos ? t.unexpectedClose : t.bodiesClosed)++;
          break;
        }
        if (reply.badLength || !kerberos) {
          t.unexpectedReply++;
          break;
        }
        t.replies.add(reply.body);
        t.bodiesAnswered++;
      }
    }
    resetClose(fd);
  }
}

// A framed AS-REQ from `source` (a loopback address) answered with a KRB-ERROR or AS-REP.
bool servedFrom(const std::string& source, std::uint16_t port, const Bytes& asReq) {
  const int fd = test::connectFrom(source, port);
  if (fd < 0) {
    return false;
  }
  bool ok = false;
  if (sendBytes(fd, framed(asReq))) {
    const auto reply = receiveFrame(fd, 3s);
    ok = reply.status == Read::Ok && !reply.badLength && messages::peekMsgType(reply.body).has_value();
  }
  resetClose(fd);
  return ok;
}

std::string rate(std::uint64_t n, std::chrono::steady_clock::duration d) {
  const double s = std::chrono::duration<double>(d).count();
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f s, %.0f/s", s, s > 0 ? static_cast<double>(n) / s : 0.0);
  return buf;
}

}  // namespace

TEST_CASE(
    "kdc flood: UDP: 100000 random and mutated datagrams are answered or dropped, and logons work throughout",
    "[kdc][integration]") {
  test::KdcFixture kdc;
  const std::uint16_t port = kdc.port();
  const Seeds seeds = captureSeeds(port);
  REQUIRE(kinit(port, false).ok);

  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  const int rcvbuf = 4 << 20;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  sockaddr_in kdcAddr{};
  kdcAddr.sin_family = AF_INET;
  kdcAddr.sin_port = htons(port);
  kdcAddr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&kdcAddr), sizeof kdcAddr) == 0);
  sockaddr_in local{};
  socklen_t localLen = sizeof local;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &localLen) == 0);
  const std::uint16_t localPort = ntohs(local.sin_port);

  const auto kdcDropsBefore = udpSocketDrops(port);
  REQUIRE(kdcDropsBefore.has_value());
  const auto before = kdc.server().stats();
  auto kdcDrops = [&] { return udpSocketDrops(port).value_or(0) - *kdcDropsBefore; };
  auto ourDrops = [&] { return udpSocketDrops(localPort).value_or(0); };

  constexpr std::uint64_t kDatagrams = 100'000;
  constexpr std::uint64_t kWindow = 96;
  std::uint64_t pauses = 0;  // times the window was full and the sender waited
  std::uint64_t stalls = 0;  // windows that did not move for 10 s
  std::uint64_t sent = 0;
  std::uint64_t sendFailed = 0;
  std::uint64_t notKerberos = 0;  // what the KDC should drop unanswered
  std::uint64_t logonRequests = 0;
  std::vector<Kinit> logons;
  ReplyTally replies;
  std::atomic<std::uint64_t> received{0};
  std::chrono::steady_clock::duration sendTime{};
  std::chrono::steady_clock::duration totalTime{};
  LogCounter logs;
  long growth = 0;
  {
    RssWatch memory("UDP flood of 100,000 datagrams");
    std::atomic<bool> stopDrain{false};
    std::thread drain([&] {
      std::vector<std::uint8_t> buf(65536);
      while (!stopDrain) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 20) <= 0) {
          continue;
        }
        for (;;) {
          const auto n = ::recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
          if (n < 0) {
            break;
          }
          replies.add(core::BytesView(buf.data(), static_cast<std::size_t>(n)));
          received++;
        }
      }
    });

    Mutator m(19);
    KinitsDuringAttack during(port, false);
    // Flow control on what the KDC has taken off its socket (read, or dropped by the kernel), never on its
    // answers: at most kWindow datagrams on their way, about what the KDC's receive buffer holds, so the
    // flood measures the KDC rather than the scheduler of a busy machine. Large datagrams still overflow the
    // buffer.
    auto readByKdc = [&] { return kdc.server().stats().udpRequests - before.udpRequests; };
    std::uint64_t takenOff = 0;
    auto inFlight = [&] { return sent - std::min(sent, takenOff); };
    const auto t0 = std::chrono::steady_clock::now();
    for (std::uint64_t i = 0; i < kDatagrams; ++i) {
      if (i % 10'000 == 0) {
        during.start();  // a logon every 10,000 datagrams, while the flood goes on
      }
      if (inFlight() >= kWindow) {
        takenOff = readByKdc() + kdcDrops();
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        pauses += inFlight() >= kWindow ? 1 : 0;
        while (inFlight() >= kWindow && std::chrono::steady_clock::now() < deadline) {
          std::this_thread::yield();  // flow control: wait for the KDC to take datagrams off the socket
          takenOff = readByKdc() + kdcDrops();
        }
        if (inFlight() >= kWindow) {
          stalls++;
        }
      }
      const Bytes d = m.hostile(seeds, 4000);
      if (!messages::peekMsgType(d)) {
        notKerberos++;
      }
      if (::send(fd, d.data(), d.size(), 0) == static_cast<ssize_t>(d.size())) {
        sent++;
      } else {
        sendFailed++;
      }
    }
    sendTime = std::chrono::steady_clock::now() - t0;
    logons = during.finish();
    for (const auto& k : logons) {
      logonRequests += k.requests;
    }
    // The logons' datagrams reach the same socket: between one and two per request (udpAttempts 2).
    CHECK(test::eventually([&] { return readByKdc() + kdcDrops() >= sent + logonRequests; }, 20s));
    // Every datagram the KDC read is answered or dropped; the answers to the logons went to their sockets.
    auto accounted = [&] {
      const auto s = kdc.server().stats();
      return received + ourDrops() + (s.dropped - before.dropped) + 2 * logonRequests >=
             s.udpRequests - before.udpRequests;
    };
    CHECK(test::eventually(accounted, 20s));
    totalTime = std::chrono::steady_clock::now() - t0;
    stopDrain = true;
    drain.join();
    growth = memory.finish();
  }
  ::close(fd);

  const auto after = kdc.server().stats();
  const std::uint64_t read = after.udpRequests - before.udpRequests;
  const std::uint64_t dropped = after.dropped - before.dropped;
  const std::uint64_t lostToKernel = kdcDrops();
  const std::uint64_t repliesLost = ourDrops();
  WARN("UDP: " << sent << " datagrams sent (" << notKerberos << " not Kerberos; at most " << kWindow
               << " in flight, the sender waited " << pauses << " times) in " << rate(sent, sendTime)
               << "; all accounted for after " << rate(sent, totalTime) << ". The KDC read " << read
               << " (incl. up to " << 2 * logonRequests << " of the logons), the kernel dropped "
               << lostToKernel << " (KDC receive buffer full); the KDC dropped " << dropped
               << " unanswered and answered " << read - dropped << "; " << received << " answers received ("
               << repliesLost << " lost in our buffer): " << replies.summary() << ". Handler exceptions: "
               << after.handlerExceptions - before.handlerExceptions << ". Log: " << logs.summary());
  CHECK(sendFailed == 0);
  CHECK(stalls == 0);
  CHECK(sent == kDatagrams);
  // The kernel and the KDC account for every datagram (the logons' are between one and two a request).
  CHECK(read + lostToKernel >= sent + logonRequests);
  CHECK(read + lostToKernel <= sent + 2 * logonRequests);
  CHECK(read * 2 >= sent);  // most datagrams got to the KDC
  CHECK(after.handlerExceptions == before.handlerExceptions);
  CHECK(logs.count(core::LogLevel::Warn) + logs.count(core::LogLevel::Error) == 0);
  // Every datagram read is answered (KRB-ERROR, or a ticket for a mutation that left a valid request) or
  // dropped as not Kerberos; nothing else comes back.
  CHECK(replies.other == 0);
  CHECK(received + repliesLost + dropped <= read);
  CHECK(received + repliesLost + dropped + 2 * logonRequests >= read);
  CHECK(dropped <= notKerberos);
  CHECK(replies.krbErrors > replies.asReps + replies.tgsReps);
  checkKinits(logons, 10);
  CHECK(growth < static_cast<long>(32 * kMiB));
  // And a normal logon afterwards.
  const auto last = kinit(port, false);
  INFO(last.error);
  CHECK(last.ok);
}

TEST_CASE(
    "kdc flood: TCP: 20000 hostile frames get a KRB-ERROR or a close, and logons over TCP work throughout",
    "[kdc][integration]") {
  test::needDescriptors(1024);
  test::KdcFixture kdc;
  const std::uint16_t port = kdc.port();
  const Seeds seeds = captureSeeds(port);
  REQUIRE(kinit(port, true).ok);

  constexpr std::uint64_t kFrames = 20'000;
  constexpr int kWorkers = 4;  // well under the per-source cap of 256
  const auto before = kdc.server().stats();
  TcpTally tally;
  std::vector<Kinit> logons;
  std::chrono::steady_clock::duration took{};
  LogCounter logs;
  long growth = 0;
  {
    RssWatch memory("TCP, 20,000 hostile frames");
    std::atomic<std::uint64_t> next{0};
    std::vector<TcpTally> tallies(kWorkers);
    std::vector<std::thread> workers;
    const auto t0 = std::chrono::steady_clock::now();
    {
      KinitsDuringAttack during(port, true);
      for (int w = 0; w < kWorkers; ++w) {
        workers.emplace_back(tcpWorker, port, std::cref(seeds), 1900 + w, std::ref(next), kFrames,
                             std::ref(tallies[w]));
      }
      // A logon over TCP every 2,000 frames, while the workers go on.
      for (std::uint64_t mark = 0; mark < kFrames; mark += 2'000) {
        CHECK(test::eventually([&] { return next.load() >= mark; }, 30s));
        during.start();
      }
      for (auto& w : workers) {
        w.join();
      }
      logons = during.finish();
    }
    took = std::chrono::steady_clock::now() - t0;
    for (const auto& t : tallies) {
      tally.merge(t);
    }
    growth = memory.finish();
  }
  const auto after = kdc.server().stats();
  std::uint64_t logonRequests = 0;
  for (const auto& k : logons) {
    logonRequests += k.requests;
  }
  WARN("TCP: " << tally.frames << " frames over " << tally.connections << " connections (" << kWorkers
               << " at a time) in " << rate(tally.frames, took)
               << ". Bad length (0, 0x7fffffff, top bit, over "
               << "64 KiB): " << tally.badLengthSent << " sent, " << tally.badLengthTooLong
               << " answered KRB_ERR_FIELD_TOOLONG and closed, " << tally.badLengthReset
               << " reset before the answer (garbage after the prefix), " << tally.badLengthWrong
               << " otherwise. Truncated: " << tally.truncatedSent << ". Well-framed hostile bodies: "
               << tally.bodiesSent << " sent, " << tally.bodiesAnswered << " answered, " << tally.bodiesClosed
               << " closed unanswered (not Kerberos), " << tally.unexpectedClose
               << " closed although Kerberos, " << tally.unexpectedReply << " odd answers, " << tally.noAnswer
               << " without answer. Answers: " << tally.replies.summary()
               << ". KDC: " << after.tcpConnections - before.tcpConnections << " connections, "
               << after.tcpRequests - before.tcpRequests << " requests, "
               << after.tcpFramingErrors - before.tcpFramingErrors << " framing errors, "
               << after.tcpRejected - before.tcpRejected << " rejected, "
               << after.handlerExceptions - before.handlerExceptions
               << " handler exceptions. Log: " << logs.summary());
  CHECK(tally.frames == kFrames);
  CHECK(tally.connectFailed == 0);
  CHECK(tally.badLengthWrong == 0);
  CHECK(tally.badLengthTooLong + tally.badLengthReset == tally.badLengthSent);
  CHECK(tally.badLengthTooLong * 2 > tally.badLengthSent);
  CHECK(tally.unexpectedClose == 0);
  CHECK(tally.unexpectedReply == 0);
  CHECK(tally.noAnswer == 0);
  CHECK(tally.replies.other == 0);
  CHECK(tally.bodiesAnswered + tally.bodiesClosed == tally.bodiesSent);
  // The KDC's counters: every bad length is a framing error (the truncated frames may be too, when the KDC
  // read the prefix before the close), every well-framed body was dispatched, nobody was over the cap.
  CHECK(after.tcpFramingErrors - before.tcpFramingErrors >= tally.badLengthSent);
  CHECK(after.tcpFramingErrors - before.tcpFramingErrors <= tally.badLengthSent + tally.truncatedSent);
  CHECK(after.tcpRequests - before.tcpRequests >= tally.bodiesSent);
  CHECK(after.tcpRequests - before.tcpRequests <= tally.bodiesSent + logonRequests);
  CHECK(after.tcpConnections - before.tcpConnections >= tally.connections);
  CHECK(after.tcpRejected == before.tcpRejected);
  CHECK(after.handlerExceptions == before.handlerExceptions);
  // Thousands of bad lengths are not thousands of warnings: the KDC logs 10 per 10 s and counts the rest.
  CHECK(logs.count(core::LogLevel::Warn) <= 100);
  checkKinits(logons, kFrames / 2'000);
  CHECK(growth < static_cast<long>(32 * kMiB));
  const auto last = kinit(port, true);
  INFO(last.error);
  CHECK(last.ok);
}

TEST_CASE("kdc flood: TCP cap: 300 held connections from one address are capped at 256, and logons go on",
          "[kdc][integration]") {
  test::needDescriptors(1024);
  test::KdcFixture kdc;
  const std::uint16_t port = kdc.port();
  const Seeds seeds = captureSeeds(port);
  // 127.0.0.2 must be a loopback source here, as in the frontend's limit tests.
  REQUIRE(servedFrom("127.0.0.2", port, seeds.requests[0]));

  const auto before = kdc.server().stats();
  constexpr std::size_t kHeld = 300;
  const std::size_t kPerSource = kdc::KdcServerConfig{}.maxTcpConnectionsPerSource;  // the fixture's: 256
  std::vector<int> held;
  long growth = 0;
  std::uint64_t closedByKdc = 0;
  Kinit during;
  {
    RssWatch memory("TCP, 300 held connections from 127.0.0.2");
    for (std::size_t i = 0; i < kHeld; ++i) {
      const int fd = test::connectFrom("127.0.0.2", port);
      REQUIRE(fd >= 0);
      test::sendAll(fd, std::string("\x00\x00\x10\x00", 4));  // announces 4 KiB, sends none of it
      held.push_back(fd);
    }
    const std::uint64_t overCap = kHeld - kPerSource;
    CHECK(test::eventually([&] { return kdc.server().stats().tcpRejected - before.tcpRejected >= overCap; }));
    // A logon from 127.0.0.1 over TCP is not affected by 127.0.0.2's full slots.
    during = kinit(port, true);
    // The rejected ones are closed by the KDC (its counter moves just before the close).
    std::vector<bool> closed(held.size(), false);
    CHECK(test::eventually([&] {
      for (std::size_t i = 0; i < held.size(); ++i) {
        if (!closed[i] && test::closedByPeer(held[i], 1ms)) {
          closed[i] = true;
          closedByKdc++;
        }
      }
      return closedByKdc >= kdc.server().stats().tcpRejected - before.tcpRejected;
    }));
    for (int fd : held) {
      resetClose(fd);
    }
    growth = memory.finish();
  }
  // The slots come back once the KDC sees the resets.
  CHECK(test::eventually([&] { return servedFrom("127.0.0.2", port, seeds.requests[0]); }));
  const auto after = kdc.server().stats();
  WARN("TCP over the cap: " << kHeld << " held connections from 127.0.0.2, "
                            << after.tcpRejected - before.tcpRejected << " rejected by the KDC ("
                            << closedByKdc << " seen closed); a logon over TCP meanwhile "
                            << (during.ok ? "succeeded" : "failed") << " in " << during.took.count()
                            << " ms");
  CHECK(after.tcpRejected - before.tcpRejected >= kHeld - kPerSource);
  CHECK(closedByKdc == after.tcpRejected - before.tcpRejected);
  CHECK(after.handlerExceptions == before.handlerExceptions);
  INFO(during.error);
  CHECK(during.ok);
  CHECK(growth < static_cast<long>(32 * kMiB));
}
