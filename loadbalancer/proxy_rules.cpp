#include "loadbalancer/proxy_rules.hpp"

#include <charconv>
#include <exception>
#include <optional>
#include <string_view>

#include "loadbalancer/affinity.hpp"
#include "loadbalancer/http_relay.hpp"

namespace kerbpool::loadbalancer {

namespace http = beast::http;

bool rewriteForNode(ProxyRequest& req, std::string_view clientAddress, bool tls, ClientRequestFacts& facts) {
  facts.version = req.version();
  facts.keepAlive = req.keep_alive();
  facts.head = req.method() == http::verb::head;
  facts.idempotent = isIdempotentMethod(sv(req.method_string()));
  dropHopByHop(req);
  req.erase(http::field::expect);
  std::string earlier;
  const auto [xffBegin, xffEnd] = req.equal_range("X-Forwarded-For");
  for (auto it = xffBegin; it != xffEnd; ++it) {
    earlier += (earlier.empty() ? "" : ", ") + std::string(sv(it->value()));
  }
  req.set("X-Forwarded-For",
          appendForwardedFor(earlier.empty() ? std::nullopt : std::optional<std::string_view>(earlier),
                             clientAddress));
  req.set("X-Forwarded-Proto", tls ? "https" : "http");
  req.version(11);
  req.keep_alive(true);
  try {
    req.prepare_payload();  // Beast refuses some shapes (a TRACE with a body) by throwing
  } catch (const std::exception&) {
    return false;
  }
  return true;
}

UpstreamFate upstreamFate(const LbConfig& config, const ProxyRequest& req, const ProxyResponse& res,
                          bool isPrivate) {
  // A connection that carried an authentication exchange is never handed to another client: IIS (and a
  // kerbpool node) keeps an authenticated connection authenticated, so pooling it would let the next client
  // ride on this user's logon.
  const bool carriedAuth = req.find(http::field::authorization) != req.end() ||
                           res.find(http::field::www_authenticate) != res.end();
  if (!res.keep_alive() || config.connectionModel == ConnectionModel::ServerClose) {
    return UpstreamFate::Close;
  }
  if (config.connectionModel == ConnectionModel::Private) {
    const auto field =
        res.result_int() == 407 ? http::field::proxy_authenticate : http::field::www_authenticate;
    std::vector<std::string_view> challenges;
    const auto [begin, end] = res.equal_range(field);
    for (auto it = begin; it != end; ++it) {
      challenges.push_back(sv(it->value()));
    }
    if (isConnectionAuthChallenge(res.result_int(), challenges)) {
      return UpstreamFate::KeepPrivate;
    }
    // Kept with its client rather than shared when it is private or carried a logon; shared otherwise.
    return isPrivate || carriedAuth ? UpstreamFate::KeepForClient : UpstreamFate::Release;
  }
  // Per request: like a load balancer without an NTLM profile, a connection that carried authentication is
  // closed, which is also why NTLM's legs cannot meet on one node behind it. With affinity the session
  // keeps its connection while the node stays the same.
  if (config.affinity == AffinityMode::None) {
    return carriedAuth ? UpstreamFate::Close : UpstreamFate::Release;
  }
  return UpstreamFate::KeepForClient;
}

void rewriteForClient(ProxyResponse& res, const LbState& state, std::optional<std::size_t> cookieFor) {
  dropHopByHop(res);
  if (cookieFor) {
    res.insert(http::field::set_cookie,
               affinityCookie(state.chooser.cookieName(), state.pool.spec(*cookieFor).name));
  }
}

void localResponse(ProxyResponse& res, unsigned status, std::string body) {
  res = {};
  res.result(status);
  res.set(http::field::content_type, "text/plain");
  res.set(http::field::server, "kerbpool-lb");
  res.body() = std::move(body);
}

namespace {

// A node's answer that already has the framing prepare_payload would give it: a status that may carry a body,
// no Transfer-Encoding, and one Content-Length that spells the body's size as prepare_payload would.
// One walk over the fields: Beast looks a field up by comparing names without regard to case in a tree,
// which costs more than the walk.
bool framedByLength(const ProxyResponse& res) {
  const unsigned status = res.result_int();
  if (status < 200 || status == 204 || status == 304) {
    return false;
  }
  std::optional<std::string_view> length;
  for (const auto& f : res) {
    if (f.name() == http::field::transfer_encoding || (f.name() == http::field::content_length && length)) {
      return false;
    }
    if (f.name() == http::field::content_length) {
      length = sv(f.value());
    }
  }
  char digits[24];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, res.body().size());
  return length && ec == std::errc{} && *length == std::string_view(digits, end - digits);
}

}  // namespace

bool frameForClient(ProxyResponse& res, unsigned clientVersion, bool keepAlive, bool head) {
  res.version(clientVersion);
  res.keep_alive(keepAlive);
  if (head) {
    if (!res.has_content_length() && !res.body().empty()) {
      res.content_length(res.body().size());
    }
    res.body().clear();
    return keepAlive;
  }
  if (framedByLength(res)) {
    return keepAlive;  // what prepare_payload would write is already there (it would erase and re-add it)
  }
  try {
    res.prepare_payload();
  } catch (const std::exception&) {  // an upstream answer Beast cannot frame: never relay it
    res = {};
    res.version(clientVersion);
    res.result(502);
    res.body() = "bad gateway: unframeable response\n";
    res.prepare_payload();
    res.keep_alive(false);
    return false;
  }
  return keepAlive;
}

}  // namespace kerbpool::loadbalancer
