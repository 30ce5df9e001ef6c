#include "scenarios/sign_in_trace.hpp"

#include <algorithm>

#include "core/crypto/enctype.hpp"
#include "core/iana/error_code.hpp"
#include "core/iana/msg_type.hpp"
#include "core/iana/pa_type.hpp"
#include "core/messages/codec.hpp"
#include "core/messages/kdc_rep.hpp"
#include "core/messages/kdc_req.hpp"
#include "core/messages/krb_error.hpp"
#include "netlogon/nt_status.hpp"

namespace kerbpool::scenarios {

namespace {

namespace msg = core::messages;
using core::iana::MsgType;

std::string etypeName(std::int32_t etype) {
  const auto* info = core::crypto::findEnctype(etype);
  return info != nullptr ? std::string(info->name) : "etype " + std::to_string(etype);
}

std::string etypeList(const std::vector<std::int32_t>& etypes) {
  std::string out;
  for (auto e : etypes) {
    out += (out.empty() ? "" : ", ") + std::to_string(e);
  }
  return out;
}

std::string principal(const std::optional<msg::PrincipalName>& name, const std::string& realm) {
  return (name ? msg::displayName(*name) : std::string("?")) + "@" + realm;
}

bool hasPaData(const std::optional<msg::MethodData>& padata, core::iana::PaType type) {
  return padata && std::any_of(padata->begin(), padata->end(),
                               [type](const msg::PaData& p) { return p.padataType == type; });
}

std::string describeRequest(core::BytesView bytes) {
  const auto type = msg::peekMsgType(bytes);
  if (type == MsgType::KRB_AS_REQ) {
    if (auto req = msg::decode<msg::AsReq>(bytes); req.ok()) {
      std::string text = "AS-REQ " + principal(req->reqBody.cname, req->reqBody.realm) + " for " +
                         principal(req->reqBody.sname, req->reqBody.realm) + " (etypes " +
                         etypeList(req->reqBody.etype) + ")";
      text += hasPaData(req->padata, core::iana::PaType::PA_ENC_TIMESTAMP) ? " with PA-ENC-TIMESTAMP"
                                                                           : " without pre-authentication";
      return text;
    }
    return "AS-REQ";
  }
  if (type == MsgType::KRB_TGS_REQ) {
    if (auto req = msg::decode<msg::TgsReq>(bytes); req.ok()) {
      return "TGS-REQ for " +
             (req->reqBody.sname ? msg::displayName(*req->reqBody.sname) : std::string("?")) +
             " (PA-TGS-REQ: the TGT, etypes " + etypeList(req->reqBody.etype) + ")";
    }
    return "TGS-REQ";
  }
  return "KDC request";
}

std::pair<std::string, bool> describeReply(core::BytesView bytes) {
  const auto type = msg::peekMsgType(bytes);
  if (type == MsgType::KRB_ERROR) {
    if (auto e = msg::decode<msg::KrbError>(bytes); e.ok()) {
      std::string text = "KRB-ERROR " + std::string(core::iana::rfcName(e->errorCode));
      if (e->errorCode == core::iana::ErrorCode::KDC_ERR_PREAUTH_REQUIRED) {
        text += " (PA-ETYPE-INFO2: the salt)";
      } else {
        text += " for " + msg::displayName(e->sname);
      }
      return {text, true};
    }
    return {"KRB-ERROR", true};
  }
  if (type == MsgType::KRB_AS_REP) {
    if (auto rep = msg::decode<msg::AsRep>(bytes); rep.ok()) {
      return {"AS-REP: TGT " + msg::displayName(rep->ticket.sname) + " for " + msg::displayName(rep->cname) +
                  " (ticket " + etypeName(rep->ticket.encPart.etype) + ")",
              false};
    }
    return {"AS-REP", false};
  }
  if (type == MsgType::KRB_TGS_REP) {
    if (auto rep = msg::decode<msg::TgsRep>(bytes); rep.ok()) {
      const auto& enc = rep->ticket.encPart;
      return {"TGS-REP: service ticket for " + msg::displayName(rep->ticket.sname) + " (" +
                  etypeName(enc.etype) + (enc.kvno ? ", kvno " + std::to_string(*enc.kvno) : std::string()) +
                  ")",
              false};
    }
    return {"TGS-REP", false};
  }
  return {"reply", false};
}

std::string ntStatusName(const std::string& hex) {
  try {
    return netlogon::toString(static_cast<netlogon::NtStatus>(std::stoul(hex, nullptr, 16)));
  } catch (...) {
    return hex;
  }
}

}  // namespace

SignInTap::SignInTap(client::KdcTransport* inner, const SignInTraceContext& context, std::string workstation,
                     std::string user)
    : inner_(inner), context_(context), workstation_(std::move(workstation)), user_(std::move(user)) {}

std::vector<TraceMessage> SignInTap::take() {
  armed_ = false;
  return std::move(messages_);
}

void SignInTap::add(std::string from, std::string to, std::string text, bool reply, bool error) {
  messages_.push_back(TraceMessage{std::move(from), std::move(to), std::move(text), reply, error});
}

void SignInTap::resolved(const std::string& host, const client::DnsAnswer& answer, const std::string& spn) {
  if (!armed_) {
    return;
  }
  add(workstation_, "DNS", "A? " + host, false);
  std::string text;
  for (std::size_t i = 1; i < answer.cnameChain.size(); ++i) {
    text += "CNAME " + answer.cnameChain[i] + ", ";
  }
  text += "A " + answer.canonicalName + " = " + answer.address + " (SPN " + spn + ")";
  add("DNS", workstation_, text, true);
}

void SignInTap::request(const std::string& line, const std::string& authorization) {
  if (!armed_) {
    return;
  }
  pendingRequest_ = line;
  pendingAuthorization_ = authorization;
  add(workstation_, context_.frontDoor,
      line + (authorization.empty() ? " (no Authorization)" : ", Authorization: " + authorization), false);
}

void SignInTap::response(unsigned status, const std::string& node,
                         const std::vector<std::string>& challenges) {
  if (!armed_) {
    return;
  }
  std::string text = status == 0 ? "no answer" : "HTTP " + std::to_string(status);
  if (!challenges.empty()) {
    text += status == 0 ? ": " : ", WWW-Authenticate: ";
    for (std::size_t i = 0; i < challenges.size(); ++i) {
      text += (i == 0 ? "" : " + ") + challenges[i];
    }
  }
  if (pendingAuthorization_.find("NTLMSSP NEGOTIATE") != std::string::npos && status == 401) {
    text += " (NTLMSSP CHALLENGE)";
  } else if (pendingAuthorization_.find("Kerberos AP-REQ") != std::string::npos && status == 200) {
    text += " (AP-REP: mutual authentication)";
  }
  const bool error = status == 0 || status >= 400;
  const std::string answered = node.empty() ? context_.frontDoor : node;
  if (context_.throughLoadBalancer && !node.empty()) {
    add(context_.frontDoor, node, "forwards " + pendingRequest_, false);
  }
  if (!node.empty() && pendingAuthorization_.find("NTLMSSP AUTHENTICATE") != std::string::npos) {
    const auto it = context_.nodes.find(node);
    if (it != context_.nodes.end()) {
      const auto& [account, dc] = it->second;
      add(node, dc + " (Netlogon)",
          "NetrLogonSamLogonEx: pass-through of " + user_ + " over " + account + "'s secure channel", false);
      const std::string hex = context_.netlogonStatusOf ? context_.netlogonStatusOf(user_) : "";
      add(dc + " (Netlogon)", node,
          hex.empty() ? "answer (event 4776)" : ntStatusName(hex) + " (event 4776, Status " + hex + ")", true,
          !hex.empty() && hex != "0x0");
    }
  }
  if (context_.throughLoadBalancer && !node.empty()) {
    add(node, context_.frontDoor, text, true, error);
  }
  add(context_.throughLoadBalancer || node.empty() ? context_.frontDoor : answered, workstation_,
      text + (node.empty() ? "" : " (node " + node + ")"), true, error);
  pendingRequest_.clear();
  pendingAuthorization_.clear();
}

core::Result<core::Bytes> SignInTap::exchange(core::BytesView request) {
  if (inner_ == nullptr) {
    return core::makeError(core::ErrorCategory::Io, "kdc_unreachable", "no KDC network");
  }
  if (!armed_) {
    return inner_->exchange(request);
  }
  add(workstation_, context_.kdc, describeRequest(request), false);
  auto reply = inner_->exchange(request);
  if (!reply.ok()) {
    add(context_.kdc, workstation_, "no answer: " + reply.error().message(), true, true);
    return reply;
  }
  auto [text, error] = describeReply(*reply);
  add(context_.kdc, workstation_, std::move(text), true, error);
  return reply;
}

bool SignInTraceRecorder::claim(std::size_t phase) {
  if (phase >= claimed_.size() || claimed_[phase].load()) {
    return false;
  }
  return !claimed_[phase].exchange(true);
}

void SignInTraceRecorder::store(SignInTrace trace) {
  std::lock_guard lock(mu_);
  traces_.push_back(std::move(trace));
  std::sort(traces_.begin(), traces_.end(),
            [](const SignInTrace& a, const SignInTrace& b) { return a.phase < b.phase; });
}

std::vector<SignInTrace> SignInTraceRecorder::traces() const {
  std::lock_guard lock(mu_);
  return traces_;
}

}  // namespace kerbpool::scenarios
