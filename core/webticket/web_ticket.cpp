#include "core/webticket/web_ticket.hpp"

#include <nlohmann/json.hpp>

#include "core/common/base64.hpp"
#include "core/common/hex.hpp"

namespace kerbpool::core::webticket {

namespace {

using nlohmann::json;

constexpr std::int32_t kEnctype = 18;  // aes256-cts-hmac-sha1-96

Error refuse(ErrorCategory category, std::string_view code, std::string detail) {
  return makeError(category, std::string(code), std::move(detail));
}

std::int64_t micros(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

// The ticket's decoded bytes: key version || ciphertext.
Result<Bytes> decodeTicket(std::string_view ticket) {
  if (ticket.size() > kMaxTicketChars) {
    return refuse(ErrorCategory::Decoding, codes::kMalformed,
                  "the token is " + std::to_string(ticket.size()) + " characters, more than a web ticket's " +
                      std::to_string(kMaxTicketChars));
  }
  if (ticket.substr(0, kPrefix.size()) != kPrefix) {
    return refuse(ErrorCategory::Decoding, codes::kMalformed, "the bearer token does not start with cwt=");
  }
  auto bytes = base64Decode(ticket.substr(kPrefix.size()));
  if (!bytes.ok()) {
    return refuse(ErrorCategory::Decoding, codes::kMalformed, "the web ticket is not base64");
  }
  if (bytes->size() < 4 + 16 + 12) {  // version, confounder, MAC at least
    return refuse(ErrorCategory::Decoding, codes::kMalformed,
                  "the web ticket is " + std::to_string(bytes->size()) + " octets, too short to be sealed");
  }
  return bytes;
}

std::uint32_t versionOf(const Bytes& b) {
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
}

std::string versions(const std::vector<PoolKey>& keys) {
  if (keys.empty()) {
    return "none";
  }
  std::string out;
  for (const auto& k : keys) {
    out += (out.empty() ? "" : ", ") + std::to_string(k.version);
  }
  return out;
}

// A claim of the expected type, or a malformed-ticket error naming it.
template <typename T>
Result<T> claim(const json& j, const char* name) {
  const auto it = j.find(name);
  const bool ok = it != j.end() && (std::is_same_v<T, std::string>    ? it->is_string()
                                    : std::is_same_v<T, std::int64_t> ? it->is_number_integer()
                                                                      : false);
  if (!ok) {
    return refuse(ErrorCategory::Decoding, codes::kMalformed,
                  std::string("the web ticket's claims lack a valid '") + name + "'");
  }
  return it->get<T>();
}

}  // namespace

Result<PoolKey> generatePoolKey(std::uint32_t version, Rng& rng) {
  KP_TRY(crypto::Key key, crypto::generateKey(kEnctype, rng));
  return PoolKey{version, std::move(key)};
}

Result<std::string> sealWebTicket(const WebTicketClaims& c, const PoolKey& key, Rng& rng) {
  if (c.user.empty() || c.audience.empty()) {
    return makeError(ErrorCategory::Encoding, "webticket_incomplete",
                     "a web ticket names a user and an audience");
  }
  const json claims{{"sub", c.user},     {"groups", c.groups},      {"amr", c.mechanism},
                    {"aud", c.audience}, {"iss", c.issuer},         {"jti", c.id},
                    {"scope", c.scope},  {"iat", micros(c.issued)}, {"exp", micros(c.expires)}};
  const std::string text = claims.dump(-1, ' ', false, json::error_handler_t::replace);
  KP_TRY(Bytes sealed,
         crypto::encrypt(key.key, kKeyUsage,
                         BytesView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()), rng));
  Bytes out{static_cast<std::uint8_t>(key.version >> 24), static_cast<std::uint8_t>(key.version >> 16),
            static_cast<std::uint8_t>(key.version >> 8), static_cast<std::uint8_t>(key.version)};
  out.insert(out.end(), sealed.begin(), sealed.end());
  return std::string(kPrefix) + base64Encode(out);
}

std::optional<std::uint32_t> ticketKeyVersion(std::string_view ticket) {
  auto bytes = decodeTicket(ticket);
  if (!bytes.ok()) {
    return std::nullopt;
  }
  return versionOf(*bytes);
}

Result<WebTicketClaims> openWebTicket(std::string_view ticket, const std::vector<PoolKey>& keys,
                                      TimePoint now, const OpenOptions& options) {
  KP_TRY(Bytes bytes, decodeTicket(ticket));
  const std::uint32_t version = versionOf(bytes);
  const PoolKey* key = nullptr;
  for (const auto& k : keys) {
    if (k.version == version) {
      key = &k;
    }
  }
  if (key == nullptr) {
    return refuse(ErrorCategory::NotFound, codes::kUnknownKey,
                  "the web ticket is sealed with the pool's key version " + std::to_string(version) +
                      "; this node holds version(s) " + versions(keys));
  }
  auto plain = crypto::decrypt(key->key, kKeyUsage, BytesView(bytes).subspan(4));
  if (!plain.ok()) {
    return refuse(ErrorCategory::Integrity, codes::kBadIntegrity,
                  "the web ticket does not verify with the pool's key version " + std::to_string(version) +
                      ": altered, or sealed by a pool with another key of that version");
  }
  const auto j = json::parse(plain->begin(), plain->end(), nullptr, false);
  if (!j.is_object()) {
    return refuse(ErrorCategory::Decoding, codes::kMalformed,
                  "the web ticket's claims are not a JSON object");
  }
  WebTicketClaims c;
  KP_TRY(c.user, claim<std::string>(j, "sub"));
  if (c.user.empty()) {
    return refuse(ErrorCategory::Decoding, codes::kMalformed, "the web ticket names no user");
  }
  KP_TRY(c.mechanism, claim<std::string>(j, "amr"));
  KP_TRY(c.audience, claim<std::string>(j, "aud"));
  KP_TRY(c.issuer, claim<std::string>(j, "iss"));
  KP_TRY(c.id, claim<std::string>(j, "jti"));
  KP_TRY(c.scope, claim<std::string>(j, "scope"));
  KP_TRY(std::int64_t iat, claim<std::int64_t>(j, "iat"));
  KP_TRY(std::int64_t exp, claim<std::int64_t>(j, "exp"));
  // 1970..2200: anything else is no time a pool writes (and would overflow the checks below).
  constexpr std::int64_t kLatest = 7258118400LL * 1000000;
  if (iat < 0 || exp < 0 || iat > kLatest || exp > kLatest) {
    return refuse(ErrorCategory::Decoding, codes::kMalformed, "the web ticket's times are out of range");
  }
  c.issued = TimePoint(Micros(iat));
  c.expires = TimePoint(Micros(exp));
  if (const auto g = j.find("groups"); g != j.end() && g->is_array()) {
    for (const auto& e : *g) {
      if (!e.is_string()) {
        return refuse(ErrorCategory::Decoding, codes::kMalformed, "the web ticket's groups are not names");
      }
      c.groups.push_back(e.get<std::string>());
    }
  }
  if (c.audience != options.audience) {
    return refuse(ErrorCategory::Protocol, codes::kWrongAudience,
                  "the web ticket is for " + c.audience + ", this pool is " + options.audience);
  }
  if (now >= c.expires + options.skew) {
    const auto ago = std::chrono::duration_cast<std::chrono::seconds>(now - c.expires).count();
    return refuse(ErrorCategory::Protocol, codes::kExpired,
                  "the web ticket of " + c.user + " expired " + std::to_string(ago) + " s ago (issued by " +
                      c.issuer + ")");
  }
  if (now + options.skew < c.issued) {
    const auto ahead = std::chrono::duration_cast<std::chrono::seconds>(c.issued - now).count();
    return refuse(ErrorCategory::Protocol, codes::kNotYetValid,
                  "the web ticket was issued " + std::to_string(ahead) + " s in this node's future by " +
                      c.issuer + " (clock skew beyond " +
                      std::to_string(std::chrono::duration_cast<std::chrono::seconds>(options.skew).count()) +
                      " s)");
  }
  if (options.revoked && options.revoked(c)) {
    return refuse(ErrorCategory::Protocol, codes::kRevoked,
                  "the web ticket " + c.id + " of " + c.user + " was revoked");
  }
  return c;
}

}  // namespace kerbpool::core::webticket
