#include "kdc/netlogon.hpp"

#include <utility>

#include "core/ntlm/ntlmv2.hpp"
#include "kdc/name_case.hpp"

namespace kerbpool::kdc {

namespace {

constexpr std::int32_t kRc4Hmac = 23;  // its key is the NT hash
constexpr std::size_t kServerChallengeBytes = 8;

PassThroughResponse refused(NtStatus status, std::string detail) {
  PassThroughResponse r;
  r.status = status;
  r.detail = std::move(detail);
  return r;
}

std::string firstLabelUpper(const std::string& dnsDomain) {
  std::string label = dnsDomain.substr(0, dnsDomain.find('.'));
  if (label.size() > 15) {
    label.resize(15);  // NetBIOS names are at most 15 characters
  }
  return toUpperAscii(label);
}

}  // namespace

std::uint64_t NetlogonCounters::count(NtStatus status) const {
  auto it = byStatus.find(status);
  return it == byStatus.end() ? 0 : it->second;
}

NetlogonService::NetlogonService(const Directory& directory, EventLog& events, NetlogonOptions options)
    : directory_(directory), events_(events), options_(std::move(options)) {
  netbiosDomain_ =
      options_.netbiosDomain.empty() ? firstLabelUpper(directory_.dnsDomain()) : options_.netbiosDomain;
}

bool NetlogonService::servesDomain(const std::string& domain) const {
  // An empty domain is the DC's own (clients sending a UPN as the user name leave it empty).
  return domain.empty() || equalsIgnoreCase(domain, netbiosDomain_) ||
         equalsIgnoreCase(domain, directory_.dnsDomain()) || equalsIgnoreCase(domain, directory_.realm());
}

PassThroughResponse NetlogonService::decide(const PassThroughRequest& request) const {
  if (request.serverChallenge.size() != kServerChallengeBytes) {
    return refused(NtStatus::STATUS_INVALID_PARAMETER, "bad_server_challenge_length");
  }
  if (request.ntChallengeResponse.size() < core::ntlm::kMinNtlmv2ResponseBytes) {
    return refused(NtStatus::STATUS_LOGON_FAILURE,
                   request.ntChallengeResponse.empty() ? "anonymous_refused" : "not_ntlmv2_response");
  }
  if (!servesDomain(request.domain)) {
    return refused(NtStatus::STATUS_NO_SUCH_USER, "foreign_domain");
  }
  auto resolution = directory_.lookupClient({request.user}, {kRc4Hmac});
  if (!resolution.ok()) {
    return refused(NtStatus::STATUS_NO_SUCH_USER, resolution.error().code);
  }
  auto account = directory_.account(resolution->samAccountName);
  const KeySet* keys = account ? account->currentKeys() : nullptr;
  const core::crypto::Key* ntHash = keys ? keys->keyFor(kRc4Hmac) : nullptr;
  if (ntHash == nullptr) {
    // No password was ever set: no response can match.
    return refused(NtStatus::STATUS_WRONG_PASSWORD, "account_has_no_nt_hash");
  }
  // NTOWFv2 is derived from the names exactly as the client typed them (MS-NLMP 3.3.2).
  auto sessionBaseKey = core::ntlm::validateNtlmv2(ntHash->value, request.user, request.domain,
                                                   request.serverChallenge, request.ntChallengeResponse);
  if (!sessionBaseKey.ok()) {
    const auto& e = sessionBaseKey.error();
    return refused(e.category == core::ErrorCategory::Integrity ? NtStatus::STATUS_WRONG_PASSWORD
                                                                : NtStatus::STATUS_LOGON_FAILURE,
                   e.code);
  }
  if (!account->enabled) {
    return refused(NtStatus::STATUS_ACCOUNT_DISABLED, "account_disabled");
  }
  PassThroughResponse ok;
  ok.status = NtStatus::STATUS_SUCCESS;
  ok.sessionBaseKey = std::move(sessionBaseKey).value();
  ok.accountName = account->samAccountName;
  ok.logonDomain = netbiosDomain_;
  ok.userPrincipalName = account->userPrincipalName.empty()
                             ? account->samAccountName + "@" + directory_.dnsDomain()
                             : account->userPrincipalName;
  ok.groups = account->memberOf;
  ok.detail = "validated";
  return ok;
}

void NetlogonService::record(const PassThroughRequest& request, const PassThroughResponse& response) {
  {
    std::lock_guard lock(mu_);
    ++counters_.requests;
    ++counters_.byStatus[response.status];
  }
  // Event 4776 names the account as the client sent it, the client's workstation and the raw status.
  events_.append(event_id::kNtlmCredentialValidation, event_source::kSecurityAuditing,
                 {{"PackageName", "MICROSOFT_AUTHENTICATION_PACKAGE_V1_0"},
                  {"TargetUserName", request.user},
                  {"Workstation", request.workstation},
                  {"Status", toEventHex(response.status)}},
                 "The computer attempted to validate the credentials for an account.");
}

PassThroughResponse NetlogonService::validate(const PassThroughRequest& request) {
  PassThroughResponse response = decide(request);
  record(request, response);
  return response;
}

NetlogonCounters NetlogonService::counters() const {
  std::lock_guard lock(mu_);
  return counters_;
}

}  // namespace kerbpool::kdc
