#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "client/client_trace.hpp"
#include "client/kdc_transport.hpp"

// The sign-in sequence of one sample client per phase, for the HTML report's sequence diagrams: the first
// request that begins in each phase is traced, from the DNS answer through the Kerberos exchanges (seen at
// the KDC transport: AS-REQ, KDC_ERR_PREAUTH_REQUIRED, AS-REP, TGS-REQ and its answer) and the HTTP legs to
// the node that answered and, for NTLM, its Netlogon pass-through to the DC (from the DC's event 4776).
namespace kerbpool::scenarios {

struct TraceMessage {
  std::string from;  // a participant: "WS10001", "DNS", "DC01 (KDC)", "load balancer", "fe02"
  std::string to;
  std::string text;  // "KRB-ERROR KDC_ERR_S_PRINCIPAL_UNKNOWN for HTTP/pool.contoso.test"
  bool reply = false;
  bool error = false;  // a KRB-ERROR, an HTTP 401 or a failed status
};

struct SignInTrace {
  std::size_t phase = 0;
  std::string user;         // "CONTOSO\\user001"
  std::string workstation;  // "WS10001"
  std::string profile;
  std::string outcome;  // "kerberos", "ntlm", ...
  std::string reason;
  std::vector<TraceMessage> messages;
};

// What the tap needs to know about the world.
struct SignInTraceContext {
  std::string kdc;        // "DC01 (KDC)": the DC the workstation asks first
  std::string frontDoor;  // "load balancer" or the node the URL's host names
  bool throughLoadBalancer = true;
  // node name -> its computer account and the DC of its secure channel ("FE01$", "DC01")
  std::map<std::string, std::pair<std::string, std::string>> nodes;
  // The Status of the latest event 4776 for this user ("0x0"), "" when none is retained.
  std::function<std::string(const std::string& user)> netlogonStatusOf;
};

// One workstation's tap: a ClientTrace for its HTTP client and a KdcTransport around its KDC network. Silent
// (it only forwards) until armed; not thread-safe, as the workstation it belongs to.
class SignInTap final : public client::ClientTrace, public client::KdcTransport {
 public:
  SignInTap(client::KdcTransport* inner, const SignInTraceContext& context, std::string workstation,
            std::string user);

  void arm() { armed_ = true; }
  bool armed() const { return armed_; }
  // The messages so far; disarms.
  std::vector<TraceMessage> take();

  void resolved(const std::string& host, const client::DnsAnswer& answer, const std::string& spn) override;
  void request(const std::string& line, const std::string& authorization) override;
  void response(unsigned status, const std::string& node,
                const std::vector<std::string>& challenges) override;
  core::Result<core::Bytes> exchange(core::BytesView request) override;

 private:
  void add(std::string from, std::string to, std::string text, bool reply, bool error = false);

  client::KdcTransport* inner_;
  const SignInTraceContext& context_;
  std::string workstation_;
  std::string user_;
  bool armed_ = false;
  std::string pendingRequest_;  // the HTTP request waiting for its answer
  std::string pendingAuthorization_;
  std::vector<TraceMessage> messages_;
};

// One trace per phase, the first to claim it.
class SignInTraceRecorder {
 public:
  explicit SignInTraceRecorder(std::size_t phases) : claimed_(phases) {}
  // True once per phase: the caller traces its next request.
  bool claim(std::size_t phase);
  void store(SignInTrace trace);
  std::vector<SignInTrace> traces() const;  // by phase

 private:
  std::vector<std::atomic<bool>> claimed_;
  mutable std::mutex mu_;
  std::vector<SignInTrace> traces_;
};

}  // namespace kerbpool::scenarios
