// The server's two seams for a pool that runs for a while: a graceful recycle of every connection (what the
// scenario runner's iisreset does) and a pool of request threads for handlers that wait on the DC.
#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "net/http_server.hpp"
#include "tests/net/server_fixture.hpp"
#include "tests/support/http_client.hpp"

using namespace kerbpool;
using net::HttpServer;
using net::HttpServerConfig;
using namespace std::chrono_literals;

namespace {

// "/pending" leaves a handshake half-way on the connection (as an NTLM CHALLENGE does), "/block" says it may
// block and waits until release(); every answer names the thread that ran it.
class GateHandler : public net::HttpHandler {
 public:
  net::HttpResponse handle(const net::HttpRequest& req,
                                net::ConnectionContext& conn) override {
    conn.handshakePending = req.target == "/pending";
    if (req.target == "/block") {
      std::unique_lock lock(mu_);
      blocked_ = true;
      cv_.notify_all();
      cv_.wait(lock, [&] { return released_; });
    }
    net::HttpResponse r;
    r.body = std::this_thread::get_id() == ioThread() ? "io" : "pool";
    return r;
  }

  bool mayBlock(const net::HttpRequest& req) const override { return req.target == "/block"; }

  void connectionClosed(net::ConnectionContext&) override {
    std::lock_guard lock(mu_);
    ++closed_;
    cv_.notify_all();
  }

  bool waitBlocked() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 3s, [&] { return blocked_; });
  }
  bool waitClosed(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 3s, [&] { return closed_ >= n; });
  }
  void release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  // The I/O thread is the one that answered the first plain request.
  void setIoThread(std::thread::id id) {
    std::lock_guard lock(mu_);
    io_ = id;
  }
  std::thread::id ioThread() {
    std::lock_guard lock(mu_);
    return io_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool blocked_ = false;
  bool released_ = false;
  int closed_ = 0;
  std::thread::id io_;
};

// Records the thread of the first request it handles, then behaves like GateHandler.
class FirstThread : public GateHandler {
 public:
  net::HttpResponse handle(const net::HttpRequest& req,
                                net::ConnectionContext& conn) override {
    std::call_once(once_, [&] { setIoThread(std::this_thread::get_id()); });
    return GateHandler::handle(req, conn);
  }

 private:
  std::once_flag once_;
};

}  // namespace

TEST_CASE("http server: recycleConnections closes idle connections and waits for half-done handshakes",
          "[frontend][integration]") {
  FirstThread h;
  auto server = test::startServer(HttpServerConfig{}, h);
  test::HttpTestClient idle(server->port());
  test::HttpTestClient midway(server->port());
  REQUIRE(idle.get("/a").has_value());
  auto challenge = midway.get("/pending");
  REQUIRE(challenge.has_value());
  CHECK_FALSE(challenge->header("Connection").has_value());

  CHECK(server->recycleConnections() == 2);
  // The idle connection is closed at once; the one with a handshake half-way stays for its next leg.
  CHECK(idle.waitForClose());
  CHECK(h.waitClosed(1));
  auto leg = midway.get("/done");
  REQUIRE(leg.has_value());
  CHECK(leg->status == 200);
  CHECK(leg->header("Connection") == "close");
  CHECK(midway.waitForClose());
  CHECK(h.waitClosed(2));

  // The server keeps accepting, and a new connection is kept alive as usual.
  test::HttpTestClient fresh(server->port());
  auto first = fresh.get("/b");
  REQUIRE(first.has_value());
  CHECK_FALSE(first->header("Connection").has_value());
  REQUIRE(fresh.get("/c").has_value());
  CHECK(server->stats().connections == 3);
}

TEST_CASE(
    "http server: a request that may block runs on the blocking pool while the I/O thread serves others",
    "[frontend][integration]") {
  FirstThread h;
  HttpServerConfig config;
  config.threads = 1;
  config.blockingThreads = 2;
  auto server = test::startServer(config, h);
  test::HttpTestClient fast(server->port());
  auto io = fast.get("/fast");
  REQUIRE(io.has_value());
  CHECK(io->body == "io");

  test::HttpTestClient slow(server->port());
  REQUIRE(slow.send("GET /block HTTP/1.1\r\nHost: t\r\n\r\n"));
  REQUIRE(h.waitBlocked());
  // The single I/O thread is free: another connection is answered while /block waits.
  auto other = fast.get("/fast");
  REQUIRE(other.has_value());
  CHECK(other->body == "io");
  h.release();
  auto blocked = slow.readResponse();
  REQUIRE(blocked.has_value());
  CHECK(blocked->status == 200);
  CHECK(blocked->body == "pool");
  // The connection goes on as usual after the pool's answer.
  auto after = slow.get("/after");
  REQUIRE(after.has_value());
  CHECK(after->body == "io");
}

TEST_CASE("http server: stop waits for a handler on the blocking pool", "[frontend][integration]") {
  FirstThread h;
  HttpServerConfig config;
  config.blockingThreads = 1;
  auto server = test::startServer(config, h);
  test::HttpTestClient slow(server->port());
  REQUIRE(slow.send("GET /block HTTP/1.1\r\nHost: t\r\n\r\n"));
  REQUIRE(h.waitBlocked());
  bool closedWhileRunning = false;
  std::thread releaser([&] {
    closedWhileRunning = slow.waitForClose();  // stop() closes the socket while the handler still runs
    h.release();
  });
  server->stop();  // returns only after the handler has finished
  releaser.join();
  CHECK(closedWhileRunning);
  CHECK(h.waitClosed(1));
}
