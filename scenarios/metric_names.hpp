#pragma once

#include <string>
#include <vector>

// The metrics a scenario's "expect" may name: the loader refuses any other, RunReport::metric answers each
// (a test holds the two together). docs/scenario-file.md explains them.
namespace kerbpool::scenarios {

inline const std::vector<std::string>& knownMetrics() {
  static const std::vector<std::string> k{
      "kerberos_percent", "ntlm_percent", "prompt_percent", "failed_percent", "internal_kerberos_percent",
      "internal_ntlm_percent", "requests", "violations",
      // Windows events the run records (docs/scenario-file.md lists what writes each)
      "event_11", "event_14", "event_16", "event_26", "event_27", "event_2974", "event_4768", "event_4769",
      "event_4771", "event_4776", "event_5816", "event_5817", "event_5818", "event_5819",
      // the DC's Netlogon and KDC
      "netlogon_calls", "netlogon_timeouts", "kdc_s_principal_unknown",
      // the nodes' refusals, by reason (every node)
      "no_key_for_spn", "no_key_for_kvno", "clock_skew",
      // latency of every request, client side
      "p99_ms",
      // Lync's web tickets: requests answered with one, sign-ins (POST /WebTicket/oauthtoken) by how they
      // authenticated, tickets nodes refused, NTLM per user-hour (web-ticket clients' sign-ins; the others'
      // requests)
      "webticket_percent", "signins", "signin_kerberos", "signin_ntlm", "signin_failed", "ticket_refusals",
      "ntlm_signins_per_user_hour", "other_ntlm_per_user_hour",
      // Lync's client certificates: web tickets bought with one (no DC), certificates bought, certificates
      // refused; for users the timeline disabled: requests served after that, tickets their certificate
      // bought after that, requests served after their certificates were revoked
      "signin_certificate", "certificates_issued", "certificate_refusals", "disabled_account_served",
      "disabled_account_certificate_signins", "revoked_account_served"};
  return k;
}

}  // namespace kerbpool::scenarios
