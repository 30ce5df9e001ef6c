#pragma once

#include <gssapi/gssapi.h>
#include <krb5.h>

#include <optional>
#include <string>
#include <string_view>

#include "bench/negotiate_loadgen_options.hpp"

// One load-generator thread's client: its GSS-API credentials and target name, one keep-alive TCP connection
// and its buffers. The security contexts are in negotiate_load_client.cpp, the socket and the minimal
// HTTP/1.1 exchange in negotiate_load_client_http.cpp. Errors: the first one is kept (error()).
namespace kerbpool::bench {

struct Response {
  int status = 0;
  bool close = false;
  std::optional<std::string> negotiateToken;  // base64, from WWW-Authenticate: Negotiate <token>
};

class NegotiateLoadClient {
 public:
  explicit NegotiateLoadClient(const Options& o) : o_(o) {}
  NegotiateLoadClient(const NegotiateLoadClient&) = delete;
  NegotiateLoadClient& operator=(const NegotiateLoadClient&) = delete;
  ~NegotiateLoadClient();

  // Name, credentials (copied into a MEMORY: ccache unless --ccache file) and the first connection.
  bool open();

  // One request with a fresh context: true on a 200 whose mutual-authentication token (when asked for)
  // verified.
  bool request();

  unsigned long long reconnects() const { return reconnects_; }
  const std::string& error() const { return error_; }

 private:
  bool fail(const std::string& what);
  bool copyCcacheToMemory(std::string& name);
  bool verifyMutual(gss_ctx_id_t& ctx, const Response& response);

  bool connect();
  void disconnect();
  bool sendAll(std::string_view data);
  // Appends what the socket has to buffer_; false on EOF or error.
  bool fill();
  // Status line, header fields and a Content-Length body (no chunked encoding: neither server uses it for
  // these responses).
  bool readResponse(Response& r);

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

}  // namespace kerbpool::bench
