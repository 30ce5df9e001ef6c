// The Netlogon listener over real loopback sockets: valid frames are answered, malformed ones get an error
// reply and the server keeps serving.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "kdc/netlogon_server.hpp"
#include "netlogon/netlogon_wire.hpp"
#include "tests/kdc/pool_fixture.hpp"
#include "tests/netlogon/ntlm_pass_through.hpp"

using namespace kerbpool;
using namespace kerbpool::kdc;
using kerbpool::kdc::pooltest::PoolFixture;
using kerbpool::netlogon::decodeNetlogonReply;
using kerbpool::netlogon::encodeNetlogonRequest;
using kerbpool::netlogon::frameNetlogon;
using kerbpool::netlogon::netlogonFrameLength;
using kerbpool::netlogon::NetlogonWireReply;
using kerbpool::netlogon::NetlogonWireRequest;
using kerbpool::netlogon::test::ntlmExchange;

namespace {

// A blocking loopback connection with a 10 s receive timeout (only reached if the server hangs).
class Connection {
 public:
  explicit Connection(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    timeval tv{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  }
  ~Connection() { ::close(fd_); }

  void send(const core::Bytes& b) {
    REQUIRE(::send(fd_, b.data(), b.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(b.size()));
  }

  // One reply frame's body, or nullopt when the server closed the connection.
  std::optional<core::Bytes> receive() {
    core::Bytes header(4);
    if (!readExactly(header)) {
      return std::nullopt;
    }
    auto n = netlogonFrameLength(header);
    REQUIRE(n.ok());
    core::Bytes body(*n);
    REQUIRE(readExactly(body));
    return body;
  }

  bool closedByPeer() {
    std::uint8_t b;
    return ::recv(fd_, &b, 1, 0) == 0;
  }

 private:
  bool readExactly(core::Bytes& out) {
    std::size_t got = 0;
    while (got < out.size()) {
      ssize_t n = ::recv(fd_, out.data() + got, out.size() - got, 0);
      if (n <= 0) {
        return false;
      }
      got += static_cast<std::size_t>(n);
    }
    return true;
  }
  int fd_ = -1;
};

NetlogonWireReply ask(Connection& c, const NetlogonWireRequest& req) {
  c.send(frameNetlogon(encodeNetlogonRequest(req)));
  auto body = c.receive();
  REQUIRE(body);
  auto reply = decodeNetlogonReply(*body);
  REQUIRE(reply.ok());
  return *reply;
}

}  // namespace

TEST_CASE("netlogon server: binds loopback only", "[kdc][netlogon][server]") {
  PoolFixture f;
  NetlogonService service(f.dir, f.events);
  NetlogonServerConfig c;
  c.address = "0.0.0.0";
  CHECK(startNetlogonServer(c, service).error().code == "not_loopback");
  c.address = "not-an-ip";
  CHECK(startNetlogonServer(c, service).error().code == "bad_address");
}

TEST_CASE("netlogon server: answers pass-through requests on one connection", "[kdc][netlogon][server]") {
  PoolFixture f;
  NetlogonService service(f.dir, f.events);
  auto server = startNetlogonServer({}, service);
  REQUIRE(server.ok());
  Connection c((*server)->port());
  NetlogonWireRequest good{41, ntlmExchange("alice", "CONTOSO", "Passw0rd!").request};
  NetlogonWireRequest bad{42, ntlmExchange("alice", "CONTOSO", "guess").request};
  auto r1 = ask(c, good);
  CHECK(r1.requestId == 41);
  CHECK(r1.response.status == NtStatus::STATUS_SUCCESS);
  CHECK(r1.response.sessionBaseKey.size() == 16);
  auto r2 = ask(c, bad);
  CHECK(r2.requestId == 42);
  CHECK(r2.response.status == NtStatus::STATUS_WRONG_PASSWORD);
  CHECK(f.events.count(event_id::kNtlmCredentialValidation) == 2);
  CHECK((*server)->stats().requests == 2);
}

TEST_CASE("netlogon server: a malformed frame gets an error reply and the server keeps serving",
          "[kdc][netlogon][server]") {
  PoolFixture f;
  NetlogonService service(f.dir, f.events);
  auto server = startNetlogonServer({}, service);
  REQUIRE(server.ok());
  const NetlogonWireRequest good{5, ntlmExchange("alice", "CONTOSO", "Passw0rd!").request};

  SECTION("garbage body: error reply, same connection still usable") {
    Connection c((*server)->port());
    core::Bytes truncated = encodeNetlogonRequest(good);
    truncated.resize(20);
    for (const core::Bytes& junk : {core::Bytes{0xde, 0xad}, core::Bytes(300, 0x30), truncated}) {
      c.send(frameNetlogon(junk));
      auto body = c.receive();
      REQUIRE(body);
      auto reply = decodeNetlogonReply(*body);
      REQUIRE(reply.ok());
      CHECK(reply->response.status == NtStatus::STATUS_INVALID_PARAMETER);
      CHECK(reply->requestId == 0);
    }
    CHECK(ask(c, good).response.status == NtStatus::STATUS_SUCCESS);
  }
  SECTION("bad length prefix: error reply, connection closed, server still serves others") {
    for (const core::Bytes& header : {core::Bytes{0, 0, 0, 0}, core::Bytes{0x7f, 0xff, 0xff, 0xff}}) {
      Connection c((*server)->port());
      c.send(header);
      auto body = c.receive();
      REQUIRE(body);
      auto reply = decodeNetlogonReply(*body);
      REQUIRE(reply.ok());
      CHECK(reply->response.detail == "bad_frame_length");
      CHECK(c.closedByPeer());
    }
    CHECK((*server)->stats().framingErrors == 2);
    Connection fresh((*server)->port());
    CHECK(ask(fresh, good).response.status == NtStatus::STATUS_SUCCESS);
  }
  SECTION("a peer that leaves mid-frame does not disturb the others") {
    {
      Connection c((*server)->port());
      c.send(core::Bytes{0, 0, 1, 0, 0x30, 0x82});  // announces 256 octets, sends 2, leaves
    }
    Connection other((*server)->port());
    CHECK(ask(other, good).response.status == NtStatus::STATUS_SUCCESS);
  }
  (*server)->stop();
  (*server)->stop();  // idempotent
}
