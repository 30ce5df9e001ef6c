#pragma once

#include <string>
#include <vector>

#include "core/common/bytes.hpp"
#include "netlogon/nt_status.hpp"

// NTLM pass-through as both ends of a Netlogon secure channel see it (what NetrLogonSamLogonEx carries for a
// network logon, MS-NRPC 3.5.4.5.1 / MS-APDS 3.1.5.1): the front-end, which has no password, forwards what
// the client sent and gets back an NTSTATUS, the SessionBaseKey and the user's identity. The DC's side of
// the check (kdc::NetlogonService) implements PassThroughValidator; the front-end's secure channel calls the
// interface and never the DC class.
namespace kerbpool::netlogon {

// One NETLOGON_NETWORK_INFO, as the front-end copies it out of the AUTHENTICATE message.
struct PassThroughRequest {
  std::string user;             // UserName as the client sent it ("alice", "alice@contoso.test")
  std::string domain;           // DomainName as the client sent it ("CONTOSO", "contoso.test", "")
  std::string workstation;      // the client's Workstation field
  core::Bytes serverChallenge;  // the 8 bytes of the front-end's CHALLENGE
  core::Bytes ntChallengeResponse;
  core::Bytes lmChallengeResponse;
  std::string channel;  // which front-end's secure channel carried it ("FE01$")
};

// NETLOGON_VALIDATION_SAM_INFO4, reduced to what a front-end uses.
struct PassThroughResponse {
  NtStatus status = NtStatus::STATUS_LOGON_FAILURE;
  // The SessionBaseKey (UserSessionKey) on success, for the MIC and session keys; empty otherwise.
  core::Bytes sessionBaseKey;
  std::string accountName;        // sAMAccountName as stored ("alice")
  std::string logonDomain;        // NetBIOS domain ("CONTOSO")
  std::string userPrincipalName;  // explicit UPN, or sAMAccountName@dnsDomain
  std::vector<std::string> groups;
  // A snake_case reason for logs and transcripts ("ntlmv2_proof_mismatch", "semaphore_timeout"); never
  // secret.
  std::string detail;
};

// Whoever answers a pass-through at the DC's end of the channel. Every outcome is an NTSTATUS in the
// response (no error path). Implementations are thread-safe: a channel's calls run concurrently.
class PassThroughValidator {
 public:
  virtual ~PassThroughValidator() = default;
  virtual PassThroughResponse validate(const PassThroughRequest& request) = 0;
};

}  // namespace kerbpool::netlogon
