#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/acceptor/acceptor_keys.hpp"
#include "core/acceptor/channel_bindings.hpp"
#include "core/acceptor/replay_cache.hpp"
#include "core/common/bytes.hpp"
#include "core/common/clock.hpp"
#include "core/common/result.hpp"
#include "core/crypto/enctype.hpp"
#include "core/messages/types.hpp"

// Verification of a krb5 AP-REQ by a service (RFC 4120 3.2.3, RFC 4121 4.1.1), after MIT's
// krb5_rd_req_decoded and krb5_gss_accept_sec_context. Pure: keys, replay cache and clock are passed in.
namespace kerbpool::core::acceptor {

struct VerifyOptions {
  // Allowed |authenticator time - now|, also the allowance on the ticket's start and end times.
  std::chrono::seconds maxSkew{300};
  // Refuse an authenticator without a well-formed 0x8003 checksum (always true for GSS-API/SPNEGO).
  bool requireGssChecksum = true;
  // This connection's bindings (a TLS connection's: tlsServerEndPointBindings). With extendedProtection Off,
  // the checksum's Bnd must then be all zero (client sent none) or match, as MIT checks them; without them
  // Bnd is not looked at (MIT with GSS_C_NO_CHANNEL_BINDINGS).
  std::optional<ChannelBindings> channelBindings;
  // IIS's Extended Protection (checkChannelBindings): Allow or Require check Bnd even without
  // channelBindings, which then means a connection without a TLS channel.
  ExtendedProtection extendedProtection = ExtendedProtection::Off;
};

// What a successful verification establishes. Holds keys: never log it whole.
struct AcceptedContext {
  messages::PrincipalName clientName;  // from the ticket
  std::string clientRealm;
  std::string clientPrincipal;  // MIT text form, "alice@CONTOSO.TEST"
  // Group memberships from the ticket's kerbpool group authdata (messages/group_authdata.hpp); nullopt
  // when the ticket carries none (an MIT or AD ticket).
  std::optional<std::vector<std::string>> groups;
  // The account the KDC resolved the client name to ("alice@CONTOSO.TEST" for a ticket asked as ALICE or as
  // the enterprise name alice@contoso.com), from kerbpool's logon-name authdata; empty when the ticket
  // carries none (an MIT or AD ticket): then clientPrincipal is all there is.
  std::string accountPrincipal;

  messages::PrincipalName serviceName;  // the ticket's sname as sent
  std::string serviceRealm;             // the ticket's realm as sent
  std::string servicePrincipal;         // sname components joined by '/', "HTTP/pool.contoso.test"
  std::uint32_t kvno = 0;               // of the key that decrypted the ticket
  std::int32_t ticketEnctype = 0;

  crypto::Key sessionKey;                           // EncTicketPart.key
  std::optional<crypto::Key> initiatorSubkey;       // Authenticator.subkey
  std::optional<std::uint32_t> initiatorSeqNumber;  // Authenticator.seq-number
  std::uint32_t gssFlags = 0;                // 0x8003 Flags (spnego::gss_flags), 0 without a GSS checksum
  std::uint32_t apOptions = 0;               // iana::ap_options
  bool mutualRequested = false;              // ap-options mutual-required or GSS_C_MUTUAL_FLAG
  std::optional<Bytes> delegatedCredential;  // the KRB-CRED when GSS_C_DELEG_FLAG is set

  std::uint32_t ticketFlags = 0;  // iana::ticket_flags
  TimePoint authTime;
  TimePoint startTime;  // starttime, or authtime when the ticket has none
  TimePoint endTime;
  std::optional<TimePoint> renewTill;

  // The authenticator's ctime/cusec, which the AP-REP repeats.
  messages::KerberosTime ctime = 0;
  messages::Microseconds cusec = 0;

  // RFC 4121 section 2: the key of per-message tokens when the acceptor sends no subkey: the initiator's
  // subkey, else the ticket session key.
  const crypto::Key& initiatorContextKey() const { return initiatorSubkey ? *initiatorSubkey : sessionKey; }
};

// Verifies the DER of an AP-REQ (the Kerberos message inside a krb5 GSS token, starting 6e), in these
// steps, each refusing with a typed Error (codes in acceptor_error.hpp):
//   1. decode the AP-REQ                                      malformed_token
//   2. find the key: ticket sname@realm, enc-part kvno, etype no_key_for_spn / _kvno / _enctype
//   3. decrypt the EncTicketPart (usage 2)                    bad_integrity, malformed_token
//   4. decrypt the Authenticator (usage 11, session key)      bad_integrity, malformed_token
//   5. authenticator crealm/cname = ticket crealm/cname       client_mismatch
//   6. |ctime.cusec - now| <= maxSkew                         clock_skew
//   7. ticket (starttime or authtime) <= now + skew, now <= endtime + skew
//                                                             ticket_not_yet_valid / ticket_expired
//   8. the 0x8003 checksum: present, >= 24 octets, Lgth 16, well-formed delegation, Bnd zero or equal to
//      the bindings                                           bad_gss_checksum
//   9. the replay cache (only authenticators that passed 1-8 are recorded)  replay / replay_cache_full
// Never throws, never logs.
Result<AcceptedContext> verifyApReq(BytesView apReqDer, const AcceptorKeys& keys, ReplayCache& replayCache,
                                    const Clock& clock, const VerifyOptions& options = {});

}  // namespace kerbpool::core::acceptor
