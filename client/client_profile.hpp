#pragma once

#include <string>
#include <string_view>

// How a kind of workstation authenticates to an intranet web site, after the classic Lync/Skype web services
// table: a domain PC inside reaches a DC and uses Kerberos (NTLM inside Negotiate when no ticket can be had),
// a domain PC outside reaches no DC and uses NTLM, a phone speaks NTLM only.
namespace kerbpool::client {

// How NTLM travels when it is used.
enum class NtlmCarrier {
  Negotiate,   // `Authorization: Negotiate <SPNEGO NegTokenInit{NTLMSSP}>`, as Windows falls back (MS-SPNG)
  NtlmScheme,  // `Authorization: NTLM <NTLMSSP>` (MS-NTHT): clients without SPNEGO
};

inline std::string_view toString(NtlmCarrier c) {
  return c == NtlmCarrier::Negotiate ? "negotiate" : "ntlm";
}

struct ClientProfile {
  std::string name = "custom";
  bool kdcReachable = true;  // the workstation can reach a KDC (inside the network, or through KKDCP)
  bool tryKerberos = true;   // it asks for a service ticket when the server offers Negotiate
  bool ntlmAllowed = true;   // it may use NTLM (not blocked by "Restrict NTLM" policy)
  NtlmCarrier ntlmCarrier = NtlmCarrier::Negotiate;
  // A ticket was sent but the server refused it (401 again): the user sees a credential prompt (the pop-up).
  // false: a non-interactive client, the request simply fails.
  bool promptOnKerberosFailure = true;
  bool includePortInSpn = false;  // HTTP/host:port for non-default ports (IE's KB908209 feature)
  bool canonicalizeCname = true;  // SPN from the canonical name after CNAME resolution (Windows default)
  bool spnFromAddress = false;    // SPN from the resolved address (Chromium on Linux, no canonical name)
  // Keep the TCP connection between requests (HTTP keep-alive). false: a new connection for every request;
  // the legs of one handshake still share their connection, as every NTLM client must.
  bool persistentConnection = true;
  // Over HTTPS, bind Kerberos (the 0x8003 checksum's Bnd) and NTLM (MsvAvChannelBindings) to the TLS channel
  // (tls-server-end-point of the certificate it saw), as Windows does since Extended Protection.
  bool channelBindings = true;

  // A domain-joined PC on the internal network: Kerberos first, NTLM inside Negotiate as the fallback.
  static ClientProfile internalPc() {
    ClientProfile p;
    p.name = "InternalPc";
    return p;
  }
  // A domain-joined PC outside (no DC reachable): it would try Kerberos but gets no ticket, so NTLM.
  static ClientProfile externalPc() {
    ClientProfile p;
    p.name = "ExternalPc";
    p.kdcReachable = false;
    return p;
  }
  // A phone or tablet: NTLM only, with the NTLM scheme.
  static ClientProfile mobile() {
    ClientProfile p;
    p.name = "Mobile";
    p.kdcReachable = false;
    p.tryKerberos = false;
    p.ntlmCarrier = NtlmCarrier::NtlmScheme;
    return p;
  }
};

}  // namespace kerbpool::client
