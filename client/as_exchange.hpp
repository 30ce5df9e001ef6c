#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "client/credential.hpp"
#include "client/principal.hpp"
#include "client/string_to_key_cache.hpp"
#include "core/common/clock.hpp"
#include "core/common/result.hpp"
#include "core/common/rng.hpp"
#include "core/crypto/enctype.hpp"
#include "core/iana/kdc_options.hpp"
#include "core/messages/kdc_req.hpp"
#include "core/messages/padata.hpp"

// The AS exchange (RFC 4120 3.1) as a protocol step without sockets, after gokrb5's client/ASExchange.go:
// the caller sends request bytes and feeds the replies back until a Credential (the TGT) comes out.
namespace kerbpool::client {

struct AsRequestOptions {
  std::vector<std::int32_t> etypes{18, 17};  // client preference order
  core::messages::KerberosFlags kdcOptions =
      core::iana::kdc_options::forwardable | core::iana::kdc_options::renewable |
      core::iana::kdc_options::renewable_ok | core::iana::kdc_options::canonicalize;
  std::chrono::seconds lifetime{std::chrono::hours(24)};           // till = now + lifetime
  std::chrono::seconds renewLifetime{std::chrono::hours(24 * 7)};  // rtime, sent when renewable is asked
  bool pacRequest = true;                                          // PA-PAC-REQUEST include-pac TRUE
  // Not owned; set: string-to-key results are memoized there (simulations logging one user on many times).
  StringToKeyCache* keyCache = nullptr;
};

// How the pre-authentication key is made: from PA-ETYPE-INFO2 (or the defaults).
struct PreauthHint {
  std::int32_t etype = 0;
  std::string salt;
  std::optional<core::Bytes> s2kparams;
};

struct AsResult {
  Credential credential;
  bool preauthUsed = false;     // the KDC asked for PA-ENC-TIMESTAMP and got it
  bool skewCorrected = false;   // a KRB_AP_ERR_SKEW was answered by retrying with corrected time
  core::Micros clockOffset{0};  // KDC time minus local time, learned from KRB_AP_ERR_SKEW (0 otherwise)
  int requests = 0;             // AS-REQs sent
};

// One step of the exchange: either the next request to send or the finished result.
struct AsStep {
  std::optional<core::Bytes> nextRequest;
  std::optional<AsResult> result;
};

// Pure building blocks, exposed for tests and the KDC's own checks.

// AS-REQ body: cname NT-PRINCIPAL, sname krbtgt/REALM NT-SRV-INST, till/rtime from `now`.
core::messages::AsReq buildAsReq(const Principal& client, const AsRequestOptions& options,
                                 core::TimePoint now, std::uint32_t nonce, core::messages::MethodData padata);
// PA-ENC-TIMESTAMP: DER(EncryptedData{etype, cipher}) of PA-ENC-TS-ENC{now}, key usage 1.
core::Result<core::messages::PaData> makeEncTimestamp(const core::crypto::Key& key, core::TimePoint now,
                                                      core::Rng& rng);
// The first ETYPE-INFO2 entry whose etype the client asked for (the KDC lists them in client order).
// The salt defaults to the MIT default salt of `client`. Errors: Decoding (bad ETYPE-INFO2), Protocol
// no_common_etype.
core::Result<PreauthHint> selectPreauthHint(const core::messages::MethodData& padata, const Principal& client,
                                            const std::vector<std::int32_t>& etypes);

// The exchange for one user. Holds the password (wiped on destruction) until the reply is processed.
// Handles KDC_ERR_PREAUTH_REQUIRED (once) and KRB_AP_ERR_SKEW (once, offset from the error's stime/susec).
// Any other KRB-ERROR ends it with krbErrorToError (client/kdc_error.hpp).
class AsExchange {
 public:
  AsExchange(Principal client, std::string_view password, const core::Clock& clock, core::Rng& rng,
             AsRequestOptions options = {});
  ~AsExchange();
  AsExchange(const AsExchange&) = delete;
  AsExchange& operator=(const AsExchange&) = delete;

  // The first AS-REQ, without PA-ENC-TIMESTAMP (as MIT kinit sends it).
  core::Result<core::Bytes> firstRequest();
  // Errors: KRB-ERROR codes (see kdc_error.hpp); Decoding for malformed replies; Integrity bad_integrity
  // when the enc-part does not decrypt (wrong password without pre-authentication); Protocol
  // nonce_mismatch, cname_mismatch, sname_mismatch, unexpected_reply, too_many_rounds.
  core::Result<AsStep> handleReply(core::BytesView reply);

 private:
  core::TimePoint now() const;
  core::Result<core::Bytes> makeRequest();
  core::Result<core::crypto::Key> deriveKey(const PreauthHint& hint);
  core::Result<AsResult> processAsRep(core::BytesView reply);

  Principal client_;
  core::Bytes password_;
  const core::Clock& clock_;
  core::Rng& rng_;
  AsRequestOptions options_;
  std::optional<PreauthHint> hint_;
  std::optional<core::crypto::Key> preauthKey_;
  core::Micros offset_{0};
  bool skewRetried_ = false;
  std::uint32_t nonce_ = 0;
  int requests_ = 0;
};

}  // namespace kerbpool::client
