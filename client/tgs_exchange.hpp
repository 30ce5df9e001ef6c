#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "client/credential.hpp"
#include "client/principal.hpp"
#include "core/common/clock.hpp"
#include "core/common/result.hpp"
#include "core/common/rng.hpp"
#include "core/iana/kdc_options.hpp"

// The TGS exchange (RFC 4120 3.3) as a protocol step without sockets, after gokrb5's client/TGSExchange.go.
namespace kerbpool::client {

struct TgsRequestOptions {
  std::vector<std::int32_t> etypes{18, 17};
  core::messages::KerberosFlags kdcOptions = core::iana::kdc_options::forwardable |
                                             core::iana::kdc_options::renewable |
                                             core::iana::kdc_options::canonicalize;
  // Put a random subkey (the session key's enctype) in the authenticator; the reply then comes under it
  // (key usage 9 instead of 8).
  bool useSubkey = false;
  // Bind the request body with a checksum in the authenticator (RFC 4120 5.5.1, OPTIONAL there). Impacket's
  // getST leaves it out; AD answers such requests, MIT's KDC does not.
  bool bodyChecksum = true;
};

// A TGS-REQ as sent, with what is needed to check its reply.
struct TgsRequest {
  core::Bytes bytes;    // the whole TGS-REQ
  core::Bytes bodyDer;  // the req-body bytes the authenticator checksum covers
  std::uint32_t nonce = 0;
  Principal server;  // the service asked for (krbtgt/REALM for a TGT renewal)
  std::optional<core::crypto::Key> subkey;
  bool renewal = false;
};

// A TGS-REQ for `server`: PA-TGS-REQ holds an AP-REQ with the TGT and an authenticator (key usage 7) whose
// cksum is the session key's keyed checksum (usage 6) over the exact req-body bytes sent; till = the TGT's
// endtime, rtime = its renew-till when renewable is asked.
core::Result<TgsRequest> buildTgsRequest(const Credential& tgt, const Principal& server,
                                         const core::Clock& clock, core::Rng& rng,
                                         const TgsRequestOptions& options = {});
// Renewal (RFC 4120 3.3.1): the renew option, and `ticket` is both the ticket presented and the one
// renewed (a TGT: sname krbtgt/REALM).
core::Result<TgsRequest> buildRenewalRequest(const Credential& ticket, const core::Clock& clock,
                                             core::Rng& rng, const TgsRequestOptions& options = {});

// Checks a TGS-REP against its request: enc-part under the subkey (usage 9) or the TGT session key
// (usage 8), nonce, sname/srealm (case-insensitive), cname/crealm. Errors: KRB-ERROR codes
// (kdc_error.hpp), Decoding, Integrity bad_integrity, Protocol unexpected_reply, nonce_mismatch,
// sname_mismatch, cname_mismatch, referral_not_followed (the KDC sent a cross-realm TGT).
core::Result<Credential> processTgsReply(const TgsRequest& request, const Credential& tgt,
                                         core::BytesView reply);

}  // namespace kerbpool::client
