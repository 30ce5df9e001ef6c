#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/bytes.hpp"
#include "core/common/clock.hpp"
#include "core/common/result.hpp"
#include "core/iana/error_code.hpp"
#include "core/messages/krb_error.hpp"

// Why an acceptor refuses a token. Every refusal of verifyApReq / acceptNegotiate is an Error whose `code`
// is one of the strings below and whose `detail` is a plain sentence naming the SPN, kvno and enctype
// concerned (never key material). The code set is closed: a front-end may switch on it.
namespace kerbpool::core::acceptor {

namespace codes {
// No key at all for the ticket's service principal on this node (Kerberos 45 KRB_AP_ERR_NOKEY).
inline constexpr std::string_view kNoKeyForSpn = "no_key_for_spn";
// Keys for the service principal, but not with the ticket's kvno (44 KRB_AP_ERR_BADKEYVER).
inline constexpr std::string_view kNoKeyForKvno = "no_key_for_kvno";
// The kvno is held, but not with the ticket's enctype (45 KRB_AP_ERR_NOKEY).
inline constexpr std::string_view kNoKeyForEnctype = "no_key_for_enctype";
// The ticket or the authenticator did not decrypt (31 KRB_AP_ERR_BAD_INTEGRITY).
inline constexpr std::string_view kBadIntegrity = "bad_integrity";
// Authenticator cname/crealm differ from the ticket's (36 KRB_AP_ERR_BADMATCH).
inline constexpr std::string_view kClientMismatch = "client_mismatch";
// |authenticator ctime - now| > max skew (37 KRB_AP_ERR_SKEW).
inline constexpr std::string_view kClockSkew = "clock_skew";
// now > ticket endtime + skew (32 KRB_AP_ERR_TKT_EXPIRED).
inline constexpr std::string_view kTicketExpired = "ticket_expired";
// ticket starttime (or authtime) > now + skew (33 KRB_AP_ERR_TKT_NYV).
inline constexpr std::string_view kTicketNotYetValid = "ticket_not_yet_valid";
// The same authenticator was already accepted within the window (34 KRB_AP_ERR_REPEAT).
inline constexpr std::string_view kReplay = "replay";
// The replay cache is full of unexpired entries: the node fails closed (60 KRB_ERR_GENERIC).
inline constexpr std::string_view kReplayCacheFull = "replay_cache_full";
// Missing/short/ill-formed 0x8003 checksum or channel bindings mismatch (41 KRB_AP_ERR_MODIFIED).
inline constexpr std::string_view kBadGssChecksum = "bad_gss_checksum";
// Extended Protection: the token is bound to another TLS channel than this connection's, or to a channel
// where this connection has none (TLS ended at a load balancer): Windows' SEC_E_BAD_BINDINGS (41
// KRB_AP_ERR_MODIFIED).
inline constexpr std::string_view kChannelBindingsMismatch = "channel_bindings_mismatch";
// Extended Protection set to Require, and the client bound its token to no channel (SEC_E_BAD_BINDINGS).
inline constexpr std::string_view kChannelBindingsMissing = "channel_bindings_missing";
// SPNEGO mechListMIC did not verify (41 KRB_AP_ERR_MODIFIED).
inline constexpr std::string_view kBadMechListMic = "bad_mech_list_mic";
// The client offers no mechanism this acceptor speaks (no Kerberos error; SPNEGO reject).
inline constexpr std::string_view kNoCommonMech = "no_common_mech";
// Bytes that do not parse: base64, GSS framing, SPNEGO, AP-REQ, decrypted parts (60 KRB_ERR_GENERIC).
inline constexpr std::string_view kMalformedToken = "malformed_token";
}  // namespace codes

// All the codes above, for tables and tests.
const std::vector<std::string_view>& allCodes();

// The category each code is reported with (NotFound for the no_key_* codes, Integrity for bad_integrity,
// bad_gss_checksum and bad_mech_list_mic, Decoding for malformed_token, Protocol for the rest).
ErrorCategory categoryFor(std::string_view code);

// An acceptor error: makeError(categoryFor(code), code, detail).
Error acceptorError(std::string_view code, std::string detail);

// The RFC 4120 7.5.9 error code a KRB-ERROR reports for an acceptor code; KRB_ERR_GENERIC for codes that
// have no closer match (malformed_token, replay_cache_full, no_common_mech and anything unknown).
iana::ErrorCode krbErrorCodeFor(std::string_view code);

// A KRB-ERROR (RFC 4120 5.9.1) for a refused AP-REQ: stime/susec from `now` (so that a skewed client can
// correct itself), realm and sname of the ticket's service, error-code from krbErrorCodeFor. e-text is the
// RFC description of that code, not the detail: the detail lists the keys a node holds, which is for the
// node's log, not for an unauthenticated peer.
messages::KrbError makeKrbError(const Error& error, TimePoint now, std::string_view serviceRealm,
                                const messages::PrincipalName& serviceName);

}  // namespace kerbpool::core::acceptor
