// kerbpool lb's connection models against the real thing: Debian's HAProxy 2.6 and kerbpool lb, each in front
// of a fresh pool of three kerbpool front-ends, get the same sequence of requests from kerbpool's
// workstations (NTLM and Kerberos); each request's node, mechanism and status must be the same behind both.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "tests/loadbalancer/pool_fixture.hpp"
#include "tests/support/process.hpp"
#include "tests/support/tools.hpp"

using namespace kerbpool;
using test::Pool;
using test::Workstation;

namespace {

// A listening socket on 127.0.0.1 (port chosen by the kernel) that a child process can inherit.
struct InheritableListener {
  InheritableListener() {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);  // no SOCK_CLOEXEC: HAProxy takes it as fd@3
    REQUIRE(fd >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(fd, 64) == 0);
    socklen_t len = sizeof a;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    port = ntohs(a.sin_port);
  }
  ~InheritableListener() { ::close(fd); }
  InheritableListener(const InheritableListener&) = delete;
  InheritableListener& operator=(const InheritableListener&) = delete;
  int fd = -1;
  std::uint16_t port = 0;
};

// One request's result as a user of the pool sees it.
struct Seen {
  std::string node;
  client::OutcomeKind kind;
  unsigned status;
  bool operator==(const Seen&) const = default;
};

std::string describe(const std::vector<Seen>& seen) {
  std::string out;
  for (const auto& s : seen) {
    out += (out.empty() ? "" : ", ") + (s.node.empty() ? std::string("?") : s.node) + " " +
           std::string(client::toString(s.kind)) + " " + std::to_string(s.status);
  }
  return out;
}

// The same sequence behind whichever balancer listens on `port`: an external PC (NTLM inside Negotiate) makes
// three requests on its connection, an internal PC (Kerberos) three, another external PC two.
std::vector<Seen> requestSequence(test::KdcFixture& kdc, std::uint16_t port) {
  const std::string url = "http://pool.contoso.test:" + std::to_string(port) + "/WebTicket/x";
  std::vector<Seen> seen;
  auto browse = [&](client::ClientProfile profile, int requests) {
    Workstation ws(kdc, "alice", "Passw0rd!", profile);
    for (int i = 0; i < requests; ++i) {
      const auto o = ws.http->get(url);
      seen.push_back(Seen{o.node, o.kind, o.status});
    }
  };
  browse(client::ClientProfile::externalPc(), 3);
  browse(client::ClientProfile::internalPc(), 3);
  browse(client::ClientProfile::externalPc(), 2);
  return seen;
}

// HAProxy in http mode, round robin over the pool's nodes, no stickiness, no health checks (kerbpool lb runs
// without them too, so neither balancer skips a node); its log (option httplog) goes to its output.
std::string haproxyConfig(const Pool& pool, bool serverClose) {
  std::string c =
      "global\n"
      "  log stdout format raw local0 info\n"
      "defaults\n"
      "  mode http\n"
      "  log global\n"
      "  option httplog\n"
      "  timeout connect 5s\n"
      "  timeout client 30s\n"
      "  timeout server 30s\n"
      "frontend pool\n"
      "  bind fd@3\n"
      "  default_backend nodes\n"
      "backend nodes\n"
      "  balance roundrobin\n";
  if (serverClose) {
    c += "  option http-server-close\n";
  }
  const char* names[] = {"fe01", "fe02", "fe03"};
  for (std::size_t i = 0; i < pool.servers.size(); ++i) {
    c += "  server " + std::string(names[i]) + " 127.0.0.1:" + std::to_string(pool.servers[i]->port()) + "\n";
  }
  return c;
}

std::vector<Seen> throughHaproxy(test::KdcFixture& kdc, bool serverClose, std::string& log) {
  const std::string haproxy = test::requireTool("haproxy");
  Pool pool(kdc);
  const auto config = kdc.dir() / (serverClose ? "haproxy-server-close.cfg" : "haproxy.cfg");
  std::ofstream(config) << haproxyConfig(pool, serverClose);
  InheritableListener listener;
  {
    // haproxy -c needs the inherited socket too, to accept `bind fd@3`.
    test::BackgroundProcess check({haproxy, "-c", "-f", config.string()}, kdc.dir() / "haproxy-check.out", {},
                                  listener.fd);
    INFO(check.output());
    REQUIRE(check.waitForOutput("Configuration file is valid"));
  }
  test::BackgroundProcess process({haproxy, "-db", "-f", config.string()}, kdc.dir() / "haproxy.out", {},
                                  listener.fd);
  auto seen = requestSequence(kdc, listener.port);
  process.stop();
  log = process.output();
  return seen;
}

std::vector<Seen> throughKerbpool(test::KdcFixture& kdc, loadbalancer::ConnectionModel model) {
  Pool pool(kdc);
  auto config = pool.lbConfig(loadbalancer::LbMode::Http);
  config.connectionModel = model;
  config.health.interval = std::chrono::milliseconds(0);
  core::SeededRng lbRng(10);
  auto lb = loadbalancer::LbServer::start(config, lbRng);
  REQUIRE(lb.ok());
  return requestSequence(kdc, (*lb)->port());
}

}  // namespace

TEST_CASE(
    "HAProxy 2.6 and kerbpool lb --connection-model haproxy: the same node and outcome for every request",
    "[loadbalancer][integration][interop]") {
  test::KdcFixture kdc;
  std::string log;
  const auto real = throughHaproxy(kdc, false, log);
  const auto ours = throughKerbpool(kdc, loadbalancer::ConnectionModel::Private);
  INFO("HAProxy: " << describe(real));
  INFO("kerbpool lb: " << describe(ours));
  INFO("HAProxy's log:\n" << log);
  // Round robin without stickiness, and still every NTLM and Kerberos logon succeeds behind HAProxy: a node's
  // NTLM/Negotiate challenge made its connection private to the client connection.
  REQUIRE(real.size() == 8);
  for (const auto& s : real) {
    CHECK(s.status == 200);
  }
  CHECK(real[0].kind == client::OutcomeKind::Ntlm);
  CHECK(real[3].kind == client::OutcomeKind::Kerberos);
  CHECK(ours == real);
}

TEST_CASE("HAProxy 2.6 with option http-server-close and kerbpool lb --connection-model server-close agree",
          "[loadbalancer][integration][interop]") {
  test::KdcFixture kdc;
  std::string log;
  const auto real = throughHaproxy(kdc, true, log);
  const auto ours = throughKerbpool(kdc, loadbalancer::ConnectionModel::ServerClose);
  INFO("HAProxy: " << describe(real));
  INFO("kerbpool lb: " << describe(ours));
  INFO("HAProxy's log:\n" << log);
  REQUIRE(real.size() == 8);
  // NTLM breaks: the AUTHENTICATE goes out on a new server connection, to the next node in turn.
  CHECK(real[0].status != 200);
  CHECK(real[6].status != 200);
  CHECK(ours == real);
}
