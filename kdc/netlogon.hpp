#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "kdc/directory.hpp"
#include "kdc/event_log.hpp"
#include "netlogon/nt_status.hpp"
#include "netlogon/pass_through.hpp"

// The domain controller's side of NTLM pass-through (what NetrLogonSamLogonEx does for a network logon,
// MS-NRPC 3.5.4.5.1 / MS-APDS 3.1.5.1): the front-end, which has no password, forwards what the client sent
// and gets back an NTSTATUS, the SessionBaseKey and the user's identity (the request and response types are
// netlogon/pass_through.hpp's). Pure logic over the directory; no sockets, no waiting (the secure channel's
// MaxConcurrentApi throttle lives in netlogon/netlogon_semaphore.hpp).
namespace kerbpool::kdc {

// The shared types by their short names, as the DC code and its tests use them.
using netlogon::NtStatus;
using netlogon::PassThroughRequest;
using netlogon::PassThroughResponse;

// Counters of one NetlogonService: every validation and its outcome.
struct NetlogonCounters {
  std::uint64_t requests = 0;
  std::map<NtStatus, std::uint64_t> byStatus;

  std::uint64_t count(NtStatus status) const;
};

struct NetlogonOptions {
  // NetBIOS name of the domain; empty: the first label of the directory's DNS domain, upper case.
  std::string netbiosDomain;
  // Name of this domain controller in events and logs.
  std::string dcName = "DC01";
};

// Thread-safe: validations run concurrently (the directory takes a shared lock).
class NetlogonService final : public netlogon::PassThroughValidator {
 public:
  NetlogonService(const Directory& directory, EventLog& events, NetlogonOptions options = {});

  // Validates an NTLMv2 response against the account's NT hash (its rc4-hmac key). Every outcome is an
  // NTSTATUS, and each one is recorded as event 4776 (TargetUserName, Workstation, Status):
  //   STATUS_SUCCESS (0x0)                  the NTProofStr matches; the response carries the SessionBaseKey
  //   STATUS_WRONG_PASSWORD (0xc000006a)    it does not (checked before the account's state, as MSV1_0 does:
  //                                         a disabled account with a wrong password reports the password)
  //   STATUS_NO_SUCH_USER (0xc0000064)      no such account, or a domain name this DC does not serve
  //   STATUS_ACCOUNT_DISABLED (0xc0000072)  right password, disabled account
  //   STATUS_LOGON_FAILURE (0xc000006d)     not an NTLMv2 response (NTLMv1, anonymous, truncated)
  //   STATUS_INVALID_PARAMETER (0xc000000d) the server challenge is not 8 bytes
  PassThroughResponse validate(const PassThroughRequest& request) override;

  NetlogonCounters counters() const;
  const std::string& netbiosDomain() const { return netbiosDomain_; }
  const std::string& dcName() const { return options_.dcName; }

 private:
  PassThroughResponse decide(const PassThroughRequest& request) const;
  bool servesDomain(const std::string& domain) const;
  void record(const PassThroughRequest& request, const PassThroughResponse& response);

  const Directory& directory_;
  EventLog& events_;
  NetlogonOptions options_;
  std::string netbiosDomain_;
  mutable std::mutex mu_;
  NetlogonCounters counters_;
};

}  // namespace kerbpool::kdc
