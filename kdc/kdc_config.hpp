#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace kerbpool::kdc {

// Per-realm KDC policy (after MIT's realm_data.h and AD's default domain Kerberos policy).
struct KdcConfig {
  std::string realm;                                // "CONTOSO.TEST"
  std::chrono::seconds maxSkew{300};                // "Maximum tolerance for computer clock synchronization"
  std::chrono::seconds ticketLifetime{10 * 3600};   // "Maximum lifetime for user ticket": 10 hours
  std::chrono::seconds serviceLifetime{10 * 3600};  // "Maximum lifetime for service ticket" (600 min)
  std::chrono::seconds renewLifetime{7 * 24 * 3600};  // "Maximum lifetime for user ticket renewal": 7 days
  // A UDP reply larger than this becomes KRB_ERR_RESPONSE_TOO_BIG so the client retries over TCP
  // (AD's MaxDatagramReplySize default is 1465).
  std::size_t maxUdpReply = 1465;
  // Enctypes this KDC issues session keys and tickets with, strongest first: AES and RC4, as a Windows DC
  // before RC4's removal (KB5073381). Which of them a ticket uses is each account's
  // msDS-SupportedEncryptionTypes (AES only unless the realm file says otherwise, krbtgt's included).
  std::vector<std::int32_t> enctypes{18, 17, 23};
  // A TGS-REQ whose authenticator has no checksum of the request body: AD answers it (RFC 4120 makes the
  // checksum optional; Impacket sends none), MIT's and Samba's KDCs refuse it with KRB_AP_ERR_INAPP_CKSUM.
  bool requireTgsBodyChecksum = false;
};

}  // namespace kerbpool::kdc
