// http_negotiate_loadgen: drives an HTTP server that wants `Authorization: Negotiate` with MIT's own
// GSS-API library, so kerbpool's front-end and Apache's mod_auth_gssapi see exactly the same requests.
//
//   http_negotiate_loadgen --port N [--host 127.0.0.1] [--path /bench] [--host-header pool.contoso.test]
//                          [--service HTTP@pool.contoso.test] [--threads N] [--duration S]
//                          [--mech spnego|krb5] [--ccache memory|file] [--no-mutual] [--no-verify]
//
// Each thread holds ONE keep-alive TCP connection (plain sockets, minimal HTTP/1.1) and, until a common
// deadline, sends GET requests each carrying a fresh security context: gss_init_sec_context() for the
// GSS_C_NT_HOSTBASED_SERVICE name, with GSS_C_MUTUAL_FLAG unless --no-mutual, through SPNEGO (as browsers
// and curl send it) or the bare krb5 mechanism. The credentials come from the ccache named by KRB5CCNAME
// (kinit, then kvno for the service): it already holds the service ticket, so a request costs the client a
// new authenticator (a new AP-REQ), never a KDC exchange. With --ccache memory (the default) each thread
// copies that ccache into a MEMORY: ccache of its own first, so requests do not reread the file.
// The response is read by its Content-Length. A 200 with mutual authentication must carry the server's
// token in `WWW-Authenticate: Negotiate`, which the second gss_init_sec_context() call verifies (AP-REP
// inside a SPNEGO NegTokenResp) unless --no-verify. When the server closes the connection (or any error
// leaves its state unknown) the thread reconnects and counts a reconnect.
// The last line on stdout is machine-readable:
//   http_negotiate_loadgen mech=spnego threads=4 seconds=5.001 requests=N ok=N failures=0 reconnects=0
//   rate=2468.5
// (one line), rate being 200s with a verified context per second. Exit status: 0 when at least one
// request succeeded and none failed, 1 otherwise, 2 on bad usage.
#include <arpa/inet.h>
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

enum class Mech { Spnego, Krb5 };
enum class CcacheMode { Memory, File };

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string path = "/bench";
  std::string hostHeader = "pool.contoso.test";
  std::string service = "HTTP@pool.contoso.test";
  unsigned threads = 4;
  double duration = 5.0;
  Mech mech = Mech::Spnego;
  CcacheMode ccache = CcacheMode::Memory;
  bool mutual = true;
  bool verify = true;
};

struct ThreadResult {
  unsigned long long requests = 0;
  unsigned long long ok = 0;
  unsigned long long failures = 0;
  unsigned long long reconnects = 0;
  std::string firstError;
};

gss_OID_desc spnegoOid = {6, const_cast<char*>("\x2b\x06\x01\x05\x05\x02")};

void usage(const char* argv0) {
  std::fprintf(stderr,
               "usage: %s --port N [--host ADDR] [--path P] [--host-header H] [--service HTTP@HOST] "
               "[--threads N] [--duration S] [--mech spnego|krb5] [--ccache memory|file] [--no-mutual] "
               "[--no-verify]\n"
               "  Credentials come from the ccache named by KRB5CCNAME; it should hold the service ticket.\n",
               argv0);
}

bool parseArgs(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--no-mutual") {
      o.mutual = false;
      continue;
    }
    if (arg == "--no-verify") {
      o.verify = false;
      continue;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "http_negotiate_loadgen: %s needs a value\n", arg.c_str());
      return false;
    }
    const std::string value = argv[++i];
    if (arg == "--host") {
      o.host = value;
    } else if (arg == "--port") {
      o.port = static_cast<int>(std::strtol(value.c_str(), nullptr, 10));
    } else if (arg == "--path") {
      o.path = value;
    } else if (arg == "--host-header") {
      o.hostHeader = value;
    } else if (arg == "--service") {
      o.service = value;
    } else if (arg == "--threads") {
      const long n = std::strtol(value.c_str(), nullptr, 10);
      if (n < 1 || n > 256) {
        std::fprintf(stderr, "http_negotiate_loadgen: --threads must be 1..256\n");
        return false;
      }
      o.threads = static_cast<unsigned>(n);
    } else if (arg == "--duration") {
      o.duration = std::strtod(value.c_str(), nullptr);
      if (!(o.duration > 0 && o.duration <= 3600)) {
        std::fprintf(stderr, "http_negotiate_loadgen: --duration must be in (0, 3600] seconds\n");
        return false;
      }
    } else if (arg == "--mech") {
      if (value == "spnego") {
        o.mech = Mech::Spnego;
      } else if (value == "krb5") {
        o.mech = Mech::Krb5;
      } else {
        std::fprintf(stderr, "http_negotiate_loadgen: --mech is spnego or krb5, not '%s'\n", value.c_str());
        return false;
      }
    } else if (arg == "--ccache") {
      if (value == "memory") {
        o.ccache = CcacheMode::Memory;
      } else if (value == "file") {
        o.ccache = CcacheMode::File;
      } else {
        std::fprintf(stderr, "http_negotiate_loadgen: --ccache is memory or file, not '%s'\n", value.c_str());
        return false;
      }
    } else {
      std::fprintf(stderr, "http_negotiate_loadgen: unknown option %s\n", arg.c_str());
      return false;
    }
  }
  if (o.port < 1 || o.port > 65535) {
    std::fprintf(stderr, "http_negotiate_loadgen: --port 1..65535 is required\n");
    return false;
  }
  if (o.path.empty() || o.path[0] != '/') {
    std::fprintf(stderr, "http_negotiate_loadgen: --path must start with /\n");
    return false;
  }
  return true;
}

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void base64Encode(const unsigned char* in, std::size_t n, std::string& out) {
  out.clear();
  out.reserve((n + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const unsigned v = (in[i] << 16) | (in[i + 1] << 8) | in[i + 2];
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += kB64[v & 63];
  }
  if (i < n) {
    const unsigned v = (in[i] << 16) | (i + 1 < n ? in[i + 1] << 8 : 0);
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += i + 1 < n ? kB64[(v >> 6) & 63] : '=';
    out += '=';
  }
}

// Strict decoding (padding required); nullopt on any stray character.
std::optional<std::string> base64Decode(std::string_view in) {
  if (in.size() % 4 != 0) {
    return std::nullopt;
  }
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    }
    return c == '+' ? 62 : c == '/' ? 63 : -1;
  };
  std::string out;
  out.reserve(in.size() / 4 * 3);
  for (std::size_t i = 0; i < in.size(); i += 4) {
    const int a = value(in[i]);
    const int b = value(in[i + 1]);
    const bool last = i + 4 == in.size();
    const int c = last && in[i + 2] == '=' ? -2 : value(in[i + 2]);
    const int d = last && in[i + 3] == '=' ? -2 : value(in[i + 3]);
    if (a < 0 || b < 0 || c == -1 || d == -1 || (c == -2 && d != -2)) {
      return std::nullopt;
    }
    out += static_cast<char>((a << 2) | (b >> 4));
    if (c >= 0) {
      out += static_cast<char>(((b & 15) << 4) | (c >> 2));
      if (d >= 0) {
        out += static_cast<char>(((c & 3) << 6) | d);
      }
    }
  }
  return out;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') {
      x = static_cast<char>(x - 'A' + 'a');
    }
    if (y >= 'A' && y <= 'Z') {
      y = static_cast<char>(y - 'A' + 'a');
    }
    if (x != y) {
      return false;
    }
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string gssMessage(OM_uint32 major, OM_uint32 minor) {
  std::string text;
  for (int type : {GSS_C_GSS_CODE, GSS_C_MECH_CODE}) {
    const OM_uint32 code = type == GSS_C_GSS_CODE ? major : minor;
    if (type == GSS_C_MECH_CODE && minor == 0) {
      break;
    }
    OM_uint32 ctx = 0;
    do {
      OM_uint32 m = 0;
      gss_buffer_desc buf = GSS_C_EMPTY_BUFFER;
      if (gss_display_status(&m, code, type, GSS_C_NO_OID, &ctx, &buf) != GSS_S_COMPLETE) {
        break;
      }
      text += (text.empty() ? "" : "; ") + std::string(static_cast<const char*>(buf.value), buf.length);
      gss_release_buffer(&m, &buf);
    } while (ctx != 0);
  }
  return text;
}

struct Response {
  int status = 0;
  bool close = false;
  std::optional<std::string> negotiateToken;  // base64, from WWW-Authenticate: Negotiate <token>
};

// One thread's connection, credentials and buffers.
class Client {
 public:
  explicit Client(const Options& o) : o_(o) {}
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  ~Client() {
    disconnect();
    OM_uint32 minor = 0;
    if (cred_ != GSS_C_NO_CREDENTIAL) {
      gss_release_cred(&minor, &cred_);
    }
    if (target_ != GSS_C_NO_NAME) {
      gss_release_name(&minor, &target_);
    }
    if (memCcache_ != nullptr) {
      krb5_cc_destroy(kctx_, memCcache_);
    }
    if (kctx_ != nullptr) {
      krb5_free_context(kctx_);
    }
  }

  // Name, credentials (copied into a MEMORY: ccache unless --ccache file) and the first connection.
  bool open() {
    OM_uint32 minor = 0;
    gss_buffer_desc nameBuf{o_.service.size(), const_cast<char*>(o_.service.data())};
    OM_uint32 major = gss_import_name(&minor, &nameBuf, GSS_C_NT_HOSTBASED_SERVICE, &target_);
    if (GSS_ERROR(major)) {
      return fail("gss_import_name: " + gssMessage(major, minor));
    }
    mech_ = o_.mech == Mech::Spnego ? &spnegoOid : gss_mech_krb5;
    gss_OID_set_desc mechs{1, mech_};
    if (o_.ccache == CcacheMode::Memory) {
      std::string name;
      if (!copyCcacheToMemory(name)) {
        return false;
      }
      gss_key_value_element_desc element{"ccache", name.c_str()};
      gss_key_value_set_desc store{1, &element};
      major = gss_acquire_cred_from(&minor, GSS_C_NO_NAME, GSS_C_INDEFINITE, &mechs, GSS_C_INITIATE, &store,
                                    &cred_, nullptr, nullptr);
    } else {
      major = gss_acquire_cred(&minor, GSS_C_NO_NAME, GSS_C_INDEFINITE, &mechs, GSS_C_INITIATE, &cred_,
                               nullptr, nullptr);
    }
    if (GSS_ERROR(major)) {
      return fail("gss_acquire_cred: " + gssMessage(major, minor));
    }
    return connect();
  }

  // One request with a fresh context: true on a 200 whose mutual-authentication token (when asked for)
  // verified.
  bool request() {
    if (fd_ < 0) {
      ++reconnects_;
      if (!connect()) {
        return false;
      }
    }
    OM_uint32 minor = 0;
    gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
    gss_buffer_desc out = GSS_C_EMPTY_BUFFER;
    const OM_uint32 flags = o_.mutual ? GSS_C_MUTUAL_FLAG : 0;
    OM_uint32 major =
        gss_init_sec_context(&minor, cred_, &ctx, target_, mech_, flags, GSS_C_INDEFINITE,
                             GSS_C_NO_CHANNEL_BINDINGS, GSS_C_NO_BUFFER, nullptr, &out, nullptr, nullptr);
    if (GSS_ERROR(major)) {
      gss_delete_sec_context(&minor, &ctx, GSS_C_NO_BUFFER);
      return fail("gss_init_sec_context: " + gssMessage(major, minor));
    }
    const bool continueNeeded = (major & GSS_S_CONTINUE_NEEDED) != 0;
    base64Encode(static_cast<const unsigned char*>(out.value), out.length, token_);
    gss_release_buffer(&minor, &out);

    request_.clear();
    request_ += "GET ";
    request_ += o_.path;
    request_ += " HTTP/1.1\r\nHost: ";
    request_ += o_.hostHeader;
    request_ += "\r\nAuthorization: Negotiate ";
    request_ += token_;
    request_ += "\r\n\r\n";
    Response response;
    if (!sendAll(request_) || !readResponse(response)) {
      gss_delete_sec_context(&minor, &ctx, GSS_C_NO_BUFFER);
      disconnect();
      return false;
    }
    if (response.close) {
      disconnect();
    }
    bool good = response.status == 200;
    if (!good) {
      fail("HTTP status " + std::to_string(response.status));
    } else if (continueNeeded && o_.verify) {
      good = verifyMutual(ctx, response);
    }
    gss_delete_sec_context(&minor, &ctx, GSS_C_NO_BUFFER);
    return good;
  }

  unsigned long long reconnects() const { return reconnects_; }
  const std::string& error() const { return error_; }

 private:
  bool fail(const std::string& what) {
    if (error_.empty()) {
      error_ = what;
    }
    return false;
  }

  bool copyCcacheToMemory(std::string& name) {
    krb5_error_code rc = krb5_init_context(&kctx_);
    if (rc != 0) {
      kctx_ = nullptr;
      return fail("krb5_init_context failed");
    }
    krb5_ccache source = nullptr;
    krb5_principal client = nullptr;
    if ((rc = krb5_cc_default(kctx_, &source)) == 0 &&
        (rc = krb5_cc_get_principal(kctx_, source, &client)) == 0 &&
        (rc = krb5_cc_new_unique(kctx_, "MEMORY", nullptr, &memCcache_)) == 0 &&
        (rc = krb5_cc_initialize(kctx_, memCcache_, client)) == 0) {
      rc = krb5_cc_copy_creds(kctx_, source, memCcache_);
    }
    if (client != nullptr) {
      krb5_free_principal(kctx_, client);
    }
    if (source != nullptr) {
      krb5_cc_close(kctx_, source);
    }
    if (rc != 0) {
      const char* msg = krb5_get_error_message(kctx_, rc);
      fail(std::string("copying the default ccache into MEMORY: ") + msg);
      krb5_free_error_message(kctx_, msg);
      return false;
    }
    name = std::string("MEMORY:") + krb5_cc_get_name(kctx_, memCcache_);
    return true;
  }

  bool verifyMutual(gss_ctx_id_t& ctx, const Response& response) {
    if (!response.negotiateToken) {
      return fail("200 without a WWW-Authenticate: Negotiate token (mutual authentication)");
    }
    const auto bytes = base64Decode(*response.negotiateToken);
    if (!bytes) {
      return fail("WWW-Authenticate: Negotiate token is not base64");
    }
    OM_uint32 minor = 0;
    gss_buffer_desc in{bytes->size(), const_cast<char*>(bytes->data())};
    gss_buffer_desc out = GSS_C_EMPTY_BUFFER;
    OM_uint32 retFlags = 0;
    const OM_uint32 major =
        gss_init_sec_context(&minor, cred_, &ctx, target_, mech_, GSS_C_MUTUAL_FLAG, GSS_C_INDEFINITE,
                             GSS_C_NO_CHANNEL_BINDINGS, &in, nullptr, &out, &retFlags, nullptr);
    gss_release_buffer(&minor, &out);
    if (major != GSS_S_COMPLETE) {
      return fail("mutual authentication (second gss_init_sec_context): " + gssMessage(major, minor));
    }
    if ((retFlags & GSS_C_MUTUAL_FLAG) == 0) {
      return fail("context completed without mutual authentication");
    }
    return true;
  }

  bool connect() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
      return fail(std::string("socket: ") + std::strerror(errno));
    }
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(o_.port));
    if (::inet_pton(AF_INET, o_.host.c_str(), &addr.sin_addr) != 1) {
      disconnect();
      return fail("--host is not an IPv4 address: " + o_.host);
    }
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
      const int e = errno;
      disconnect();
      return fail(std::string("connect: ") + std::strerror(e));
    }
    buffer_.clear();
    return true;
  }

  void disconnect() {
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }

  bool sendAll(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n <= 0) {
        return fail(std::string("send: ") + std::strerror(errno));
      }
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // Appends what the socket has to buffer_; false on EOF or error.
  bool fill() {
    char chunk[16384];
    for (;;) {
      const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n == 0) {
        return fail("connection closed by the server mid-response");
      }
      if (n < 0) {
        return fail(std::string("recv: ") + std::strerror(errno));
      }
      buffer_.append(chunk, static_cast<std::size_t>(n));
      return true;
    }
  }

  // Status line, header fields and a Content-Length body (no chunked encoding: neither server uses it for
  // these responses).
  bool readResponse(Response& r) {
    std::size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (buffer_.size() > 65536) {
        return fail("response header over 64 KiB");
      }
      if (!fill()) {
        return false;
      }
    }
    const std::string_view head(buffer_.data(), end);
    std::size_t lineEnd = head.find("\r\n");
    const std::string_view statusLine = head.substr(0, lineEnd);
    if (statusLine.size() < 12 || statusLine.substr(0, 5) != "HTTP/") {
      return fail("bad status line");
    }
    r.status = std::atoi(std::string(statusLine.substr(9, 3)).c_str());
    r.close = statusLine.substr(0, 8) == "HTTP/1.0";
    std::optional<std::size_t> contentLength;
    bool chunked = false;
    while (lineEnd != std::string_view::npos) {
      const std::size_t start = lineEnd + 2;
      lineEnd = head.find("\r\n", start);
      const std::string_view line =
          head.substr(start, lineEnd == std::string_view::npos ? head.npos : lineEnd - start);
      const std::size_t colon = line.find(':');
      if (colon == std::string_view::npos) {
        continue;
      }
      const std::string_view name = line.substr(0, colon);
      const std::string_view value = trim(line.substr(colon + 1));
      if (equalsIgnoreCase(name, "content-length")) {
        contentLength = static_cast<std::size_t>(std::strtoull(std::string(value).c_str(), nullptr, 10));
      } else if (equalsIgnoreCase(name, "transfer-encoding")) {
        chunked = true;
      } else if (equalsIgnoreCase(name, "connection")) {
        if (equalsIgnoreCase(value, "close")) {
          r.close = true;
        } else if (equalsIgnoreCase(value, "keep-alive")) {
          r.close = false;
        }
      } else if (equalsIgnoreCase(name, "www-authenticate") && value.size() > 10 &&
                 equalsIgnoreCase(value.substr(0, 10), "negotiate ")) {
        r.negotiateToken = std::string(trim(value.substr(10)));
      }
    }
    if (chunked || !contentLength) {
      return fail("response without Content-Length (status " + std::to_string(r.status) + ")");
    }
    const std::size_t total = end + 4 + *contentLength;
    while (buffer_.size() < total) {
      if (!fill()) {
        return false;
      }
    }
    buffer_.erase(0, total);
    return true;
  }

  const Options& o_;
  int fd_ = -1;
  gss_name_t target_ = GSS_C_NO_NAME;
  gss_cred_id_t cred_ = GSS_C_NO_CREDENTIAL;
  gss_OID mech_ = GSS_C_NO_OID;
  krb5_context kctx_ = nullptr;
  krb5_ccache memCcache_ = nullptr;
  std::string token_;
  std::string request_;
  std::string buffer_;
  unsigned long long reconnects_ = 0;
  std::string error_;
};

// Setup happens before the start signal so that only requests are timed.
void worker(const Options& o, std::atomic<int>& ready, std::atomic<bool>& go, Clock::time_point& deadline,
            ThreadResult& result) {
  Client c(o);
  const bool usable = c.open();
  ready.fetch_add(1);
  while (!go.load(std::memory_order_acquire)) {
    std::this_thread::yield();
  }
  if (!usable) {
    result.failures = 1;
    result.firstError = c.error();
    return;
  }
  while (Clock::now() < deadline) {
    ++result.requests;
    if (c.request()) {
      ++result.ok;
    } else {
      ++result.failures;
    }
  }
  result.reconnects = c.reconnects();
  result.firstError = c.error();
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parseArgs(argc, argv, o)) {
    usage(argv[0]);
    return 2;
  }
  std::vector<ThreadResult> results(o.threads);
  std::vector<std::thread> threads;
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  Clock::time_point deadline{};
  for (unsigned i = 0; i < o.threads; ++i) {
    threads.emplace_back(worker, std::cref(o), std::ref(ready), std::ref(go), std::ref(deadline),
                         std::ref(results[i]));
  }
  while (ready.load() < static_cast<int>(o.threads)) {
    std::this_thread::yield();
  }
  const Clock::time_point start = Clock::now();
  deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.duration));
  go.store(true, std::memory_order_release);
  for (auto& t : threads) {
    t.join();
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();

  ThreadResult total;
  for (const auto& r : results) {
    total.requests += r.requests;
    total.ok += r.ok;
    total.failures += r.failures;
    total.reconnects += r.reconnects;
    if (!r.firstError.empty()) {
      std::fprintf(stderr, "http_negotiate_loadgen: %s\n", r.firstError.c_str());
    }
  }
  std::printf(
      "http_negotiate_loadgen mech=%s threads=%u seconds=%.3f requests=%llu ok=%llu failures=%llu "
      "reconnects=%llu rate=%.1f\n",
      o.mech == Mech::Spnego ? "spnego" : "krb5", o.threads, seconds, total.requests, total.ok,
      total.failures, total.reconnects, static_cast<double>(total.ok) / seconds);
  return total.ok > 0 && total.failures == 0 ? 0 : 1;
}
