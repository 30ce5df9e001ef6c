#include "loadbalancer/proxy_rules.hpp"

#include <charconv>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include "core/common/http_text.hpp"
#include "loadbalancer/affinity.hpp"
#include "loadbalancer/http_relay.hpp"

namespace kerbpool::loadbalancer {

namespace http = beast::http;

namespace {

constexpr std::string_view kForwardedFor = "X-Forwarded-For";
constexpr std::string_view kForwardedProto = "X-Forwarded-Proto";

// Whether a message's framing fields are already what prepare_payload would leave for a body of `size`
// octets: no Transfer-Encoding, and one Content-Length spelling `size` when `withLength`, none otherwise
// (prepare_payload would erase and re-add them). One walk over the fields (see firstValue).
template <class Fields>
bool framedAs(const Fields& fields, std::size_t size, bool withLength) {
  std::optional<std::string_view> length;
  for (const auto& f : fields) {
    if (f.name() == http::field::transfer_encoding || (f.name() == http::field::content_length && length)) {
      return false;
    }
    if (f.name() == http::field::content_length) {
      length = sv(f.value());
    }
  }
  if (!withLength) {
    return !length;
  }
  char digits[24];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, size);
  return length && ec == std::errc{} && *length == std::string_view(digits, end - digits);
}

}  // namespace

bool rewriteForNode(ProxyRequest& req, std::string_view clientAddress, bool tls, ClientRequestFacts& facts) {
  facts.version = req.version();
  facts.keepAlive = req.keep_alive();
  facts.head = req.method() == http::verb::head;
  facts.idempotent = isIdempotentMethod(sv(req.method_string()));
  dropHopByHop(req);  // Connection goes too: HTTP/1.1 to the node keeps the connection alive by default
  // One walk over the fields instead of a lookup per name (see firstValue).
  bool expect = false;
  bool proto = false;
  std::string earlier;
  for (const auto& f : req) {
    if (f.name() == http::field::expect) {
      expect = true;
    } else if (f.name() == http::field::unknown) {
      const auto name = sv(f.name_string());
      if (core::equalsIgnoreAsciiCase(name, kForwardedFor)) {
        earlier += (earlier.empty() ? "" : ", ") + std::string(sv(f.value()));
      } else if (core::equalsIgnoreAsciiCase(name, kForwardedProto)) {
        proto = true;
      }
    }
  }
  if (expect) {
    req.erase(http::field::expect);
  }
  // A field already there is replaced; an absent one is inserted without set()'s lookup to erase it.
  const auto put = [&req](std::string_view name, bool present, std::string_view value) {
    present ? req.set(bsv(name), bsv(value)) : req.insert(bsv(name), bsv(value));
  };
  put(kForwardedFor, !earlier.empty(),
      appendForwardedFor(earlier.empty() ? std::nullopt : std::optional<std::string_view>(earlier),
                         clientAddress));
  put(kForwardedProto, proto, tls ? "https" : "http");
  req.version(11);
  const auto size = req.body().size();
  const auto method = req.method();
  // What prepare_payload would leave: a Content-Length for a body (or for the methods that always state
  // one), otherwise none; never chunked (the body was read whole).
  const bool withLength =
      size > 0 || method == http::verb::options || method == http::verb::put || method == http::verb::post;
  if (method != http::verb::trace && framedAs(req, size, withLength)) {
    return true;
  }
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
  const bool carriedAuth = firstValue(req, http::field::authorization).has_value() ||
                           firstValue(res, http::field::www_authenticate).has_value();
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
  const unsigned status = res.result_int();
  if (status >= 200 && status != 204 && status != 304 && framedAs(res, res.body().size(), true)) {
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
