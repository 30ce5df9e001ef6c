#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/clock.hpp"
#include "core/common/result.hpp"
#include "core/common/rng.hpp"
#include "core/crypto/enctype.hpp"

// Lync's web ticket (the `cwt=...` token of UCWA's `Authorization: Bearer cwt=...`): who signed in, how, for
// which pool, until when. The pool, not a node, vouches for it: it is sealed with a key every front-end of
// the pool holds (Lync's OAuth/web services certificate, shared across the pool), so any node can open a
// ticket another node issued, and a node that lacks that key cannot. The lab's form:
//   cwt=BASE64( key version, 4 octets big-endian || RFC 3961 encrypt(pool key, kKeyUsage, claims JSON) )
// The encryption is aes256-cts-hmac-sha1-96 (RFC 3962): confidentiality and integrity in one, the MAC checked
// in constant time. Opening a ticket checks, in order: its form, the key version (held by this node?), the
// integrity, the claims' fields, the audience, the validity window (with a skew allowance), revocation.
namespace kerbpool::core::webticket {

// RFC 4120 7.5.1 leaves key usages 1024-2047 to applications.
inline constexpr std::uint32_t kKeyUsage = 1041;
inline constexpr std::string_view kPrefix = "cwt=";
// A ticket is at most this long (its claims are small); longer input is refused before any decoding.
inline constexpr std::size_t kMaxTicketChars = 8192;

// A client certificate (CertProv's) buys a web ticket with no directory check: the holder POSTs
// grant_type=kCertificateGrant, the certificate, a Unix time and its key's signature over
// certificateGrantSignedData(the pool's audience, that time); the time must be within the skew allowance.
inline constexpr std::string_view kCertificateGrant = "urn:kerbpool:client_certificate";
inline std::string certificateGrantSignedData(std::string_view audience, std::int64_t unixSeconds) {
  return "kerbpool-webticket-certificate-grant\n" + std::string(audience) + "\n" +
         std::to_string(unixSeconds);
}

// Refusal codes (ErrorCategory in brackets).
namespace codes {
inline constexpr std::string_view kMalformed = "webticket_malformed";           // [Decoding]
inline constexpr std::string_view kUnknownKey = "webticket_unknown_pool_key";   // [NotFound]
inline constexpr std::string_view kBadIntegrity = "webticket_bad_integrity";    // [Integrity]
inline constexpr std::string_view kWrongAudience = "webticket_wrong_audience";  // [Protocol]
inline constexpr std::string_view kExpired = "webticket_expired";               // [Protocol]
inline constexpr std::string_view kNotYetValid = "webticket_not_yet_valid";     // [Protocol]
inline constexpr std::string_view kRevoked = "webticket_revoked";               // [Protocol]
}  // namespace codes

struct WebTicketClaims {
  std::string user;                 // "user001@CONTOSO.TEST"
  std::vector<std::string> groups;  // from the logon that bought it
  std::string mechanism;            // how the user proved who they are: kerberos, ntlm, certificate
  std::string audience;             // the pool it is good for: "https://pool.contoso.test"
  std::string issuer;               // the node that issued it: "fe01"
  std::string id;                   // 32 hex digits, unique per ticket
  std::string scope;                // "internal" | "external" (its lifetime's origin)
  TimePoint issued{};
  TimePoint expires{};
};

// One version of the pool's key (aes256-cts-hmac-sha1-96).
struct PoolKey {
  std::uint32_t version = 0;
  crypto::Key key;
};

// A fresh pool key of `version` (from rng).
Result<PoolKey> generatePoolKey(std::uint32_t version, Rng& rng);

// Seals `claims` with `key`. Errors: Encoding for claims that do not fit (an empty user or audience).
Result<std::string> sealWebTicket(const WebTicketClaims& claims, const PoolKey& key, Rng& rng);

struct OpenOptions {
  std::string audience;                                 // what this pool answers to; must match exactly
  Micros skew = std::chrono::seconds(300);              // allowed clock difference between nodes
  std::function<bool(const WebTicketClaims&)> revoked;  // may be empty
};

// Opens a ticket (`cwt=...`, as after "Bearer ") with the keys this node holds (any version). Errors carry
// one of codes::*, with a detail that names the key version, the audience or the times concerned, never key
// material.
Result<WebTicketClaims> openWebTicket(std::string_view ticket, const std::vector<PoolKey>& keys,
                                      TimePoint now, const OpenOptions& options);

// The key version a ticket says it was sealed with, without opening it (for messages); nullopt when it is
// not a ticket's form.
std::optional<std::uint32_t> ticketKeyVersion(std::string_view ticket);

}  // namespace kerbpool::core::webticket
