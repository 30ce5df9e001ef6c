#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/acceptor/replay_cache.hpp"
#include "core/common/clock.hpp"
#include "core/common/rng.hpp"
#include "frontend/auth_filter.hpp"
#include "frontend/frontend_config.hpp"
#include "frontend/node_credentials.hpp"
#include "net/http_message.hpp"

namespace kerbpool::frontend {

// The HTTP exchange types a node works with come from the shared I/O library (net/http_message.hpp).
using net::ConnectionContext;
using net::HeaderList;
using net::HttpHandler;
using net::HttpRequest;
using net::HttpResponse;

struct NodeStats {
  std::uint64_t requests = 0;                               // every request handled
  std::uint64_t health = 0;                                 // /health answers
  std::uint64_t allowed = 0;                                // 200 on a protected path
  std::uint64_t allowedByConnection = 0;                    // of which without a token (PerConnection)
  std::uint64_t challenged = 0;                             // 401 inviting (another leg of) Negotiate
  std::uint64_t denied = 0;                                 // 401 refusing the credentials sent
  std::map<std::string, std::uint64_t> deniedByReason;      // code -> count
  std::map<std::string, std::uint64_t> allowedByUser;       // "alice@CONTOSO.TEST" -> count
  std::map<std::string, std::uint64_t> allowedByMechanism;  // "kerberos" / "ntlm" -> count

  std::uint64_t deniedFor(const std::string& code) const {
    auto it = deniedByReason.find(code);
    return it == deniedByReason.end() ? 0 : it->second;
  }
};

// One front-end of the pool: the HttpHandler a server hands requests to. It owns its name, keys, replay
// cache (one per node, never shared implicitly), authentication filter and counters; clock and rng are
// injected. Every refusal is logged once, as
//   "fe02: 401 for 127.0.0.1:5555 GET /WebTicket/WebTicketService.svc: no_key_for_spn: <detail>"
// with the node's name as the log component. Thread-safe.
class FrontendNode final : public HttpHandler {
 public:
  // clock and rng must outlive the node.
  FrontendNode(FrontendNodeConfig config, std::unique_ptr<NodeCredentials> credentials,
               const core::Clock& clock, core::Rng& rng);

  HttpResponse handle(const HttpRequest& request, ConnectionContext& connection) override;
  // With NTLM enabled: a request whose Authorization may be an NTLM AUTHENTICATE (a Netlogon pass-through
  // to the DC), decided from the header's first characters without decoding it.
  bool mayBlock(const HttpRequest& request) const override;

  const std::string& name() const { return config_.name; }
  const FrontendNodeConfig& config() const { return config_; }
  NodeCredentials& credentials() { return *credentials_; }
  core::acceptor::ReplayCache& replayCache() { return replayCache_; }
  // The pool's web-ticket keys this node holds (with config().webServices).
  PoolKeyHolder& webTicketKeys() { return webTicketKeys_; }
  NodeStats stats() const;

 private:
  void count(const HttpRequest& request, const Decision& decision, unsigned status);
  HttpResponse handleWebServices(const HttpRequest& request, ConnectionContext& connection);

  const FrontendNodeConfig config_;
  std::unique_ptr<NodeCredentials> credentials_;
  core::acceptor::ReplayCache replayCache_;
  AuthFilter filter_;
  PoolKeyHolder webTicketKeys_;
  std::unique_ptr<WebTicketService> webTickets_;  // config_.webServices only

  const core::Clock& clock_;
  mutable std::mutex mu_;
  NodeStats stats_;
};

}  // namespace kerbpool::frontend
