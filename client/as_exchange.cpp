#include "client/as_exchange.hpp"

#include <algorithm>

#include "client/kdc_error.hpp"
#include "core/iana/key_usage.hpp"
#include "core/iana/msg_type.hpp"
#include "core/messages/kdc_rep.hpp"
#include "core/messages/krb_error.hpp"

namespace kerbpool::client {
namespace {

namespace msg = core::messages;
using core::ErrorCategory;
using core::iana::ErrorCode;
using core::iana::PaType;

// Replies processed before giving up: PREAUTH_REQUIRED and SKEW are each answered once.
constexpr int kMaxRequests = 3;

}  // namespace

msg::AsReq buildAsReq(const Principal& client, const AsRequestOptions& options, core::TimePoint now,
                      std::uint32_t nonce, msg::MethodData padata) {
  msg::AsReq req;
  if (!padata.empty()) {
    req.padata = std::move(padata);
  }
  auto& body = req.reqBody;
  body.kdcOptions = options.kdcOptions;
  body.cname = msg::PrincipalName{core::iana::NameType::KRB_NT_PRINCIPAL, client.name.nameString};
  body.realm = client.realm;
  body.sname = tgsPrincipal(client.realm).name;
  const auto seconds = toKerberosTimestamp(now).seconds;
  body.till = seconds + options.lifetime.count();
  if ((options.kdcOptions & core::iana::kdc_options::renewable) != 0 && options.renewLifetime.count() > 0) {
    body.rtime = seconds + options.renewLifetime.count();
  }
  body.nonce = nonce;
  body.etype = options.etypes;
  return req;
}

core::Result<msg::PaData> makeEncTimestamp(const core::crypto::Key& key, core::TimePoint now,
                                           core::Rng& rng) {
  const auto ts = toKerberosTimestamp(now);
  const msg::PaEncTsEnc plain{ts.seconds, ts.micros};
  KP_TRY(core::Bytes cipher,
         core::crypto::encrypt(key, core::iana::toUsage(core::iana::KeyUsage::AS_REQ_PA_ENC_TIMESTAMP),
                               msg::encode(plain), rng));
  const msg::EncryptedData enc{key.enctype, std::nullopt, std::move(cipher)};
  return msg::PaData{PaType::PA_ENC_TIMESTAMP, msg::encode(enc)};
}

core::Result<PreauthHint> selectPreauthHint(const msg::MethodData& padata, const Principal& client,
                                            const std::vector<std::int32_t>& etypes) {
  const std::string defaultSalt = core::crypto::mitDefaultSalt(client.realm, client.name.nameString);
  const msg::PaData* info2 = msg::findPaData(padata, PaType::PA_ETYPE_INFO2);
  if (info2 == nullptr) {
    // No hint: RFC 4120 says the first requested etype with the default salt.
    if (etypes.empty()) {
      return core::makeError(ErrorCategory::Protocol, "no_common_etype", "no etypes were requested");
    }
    return PreauthHint{etypes.front(), defaultSalt, std::nullopt};
  }
  KP_TRY(auto entries, msg::decode<msg::EtypeInfo2>(info2->padataValue));
  for (const auto& entry : entries) {
    if (std::find(etypes.begin(), etypes.end(), entry.etype) != etypes.end() &&
        core::crypto::findEnctype(entry.etype) != nullptr) {
      return PreauthHint{entry.etype, entry.salt.value_or(defaultSalt), entry.s2kparams};
    }
  }
  return core::makeError(ErrorCategory::Protocol, "no_common_etype",
                         "PA-ETYPE-INFO2 offers none of the requested etypes for " + client.text());
}

AsExchange::AsExchange(Principal client, std::string_view password, const core::Clock& clock, core::Rng& rng,
                       AsRequestOptions options)
    : client_(std::move(client)),
      password_(core::toBytes(password)),
      clock_(clock),
      rng_(rng),
      options_(std::move(options)) {}

AsExchange::~AsExchange() {
  core::secureWipe(password_);
  if (preauthKey_) {
    core::secureWipe(preauthKey_->value);
  }
}

core::TimePoint AsExchange::now() const {
  return clock_.now() + offset_;
}

core::Result<core::Bytes> AsExchange::firstRequest() {
  requests_ = 0;
  return makeRequest();
}

core::Result<core::Bytes> AsExchange::makeRequest() {
  if (requests_ >= kMaxRequests) {
    return core::makeError(ErrorCategory::Protocol, "too_many_rounds",
                           "AS exchange for " + client_.text() + " did not finish after " +
                               std::to_string(kMaxRequests) + " requests");
  }
  msg::MethodData padata;
  if (preauthKey_) {
    KP_TRY(auto ts, makeEncTimestamp(*preauthKey_, now(), rng_));
    padata.push_back(std::move(ts));
  }
  if (options_.pacRequest) {
    padata.push_back(msg::PaData{PaType::PA_PAC_REQUEST, msg::encode(msg::PaPacRequest{true})});
  }
  nonce_ = freshNonce(rng_);
  ++requests_;
  return msg::encode(buildAsReq(client_, options_, now(), nonce_, std::move(padata)));
}

core::Result<core::crypto::Key> AsExchange::deriveKey(const PreauthHint& hint) {
  const std::string_view password(reinterpret_cast<const char*>(password_.data()), password_.size());
  std::optional<core::BytesView> params;
  if (hint.s2kparams) {
    params = core::BytesView(*hint.s2kparams);
  }
  auto key = options_.keyCache != nullptr
                 ? options_.keyCache->derive(hint.etype, password, hint.salt, params)
                 : core::crypto::stringToKey(hint.etype, password, hint.salt, params);
  if (!key.ok()) {
    return std::move(key).error().within("string-to-key for " + client_.text());
  }
  return key;
}

core::Result<AsStep> AsExchange::handleReply(core::BytesView reply) {
  KP_TRY(auto krbError, asKrbError(reply));
  if (!krbError) {
    if (core::messages::peekMsgType(reply) != core::iana::MsgType::KRB_AS_REP) {
      return core::makeError(ErrorCategory::Protocol, "unexpected_reply",
                             "the KDC answered an AS-REQ with neither AS-REP nor KRB-ERROR");
    }
    KP_TRY(AsResult result, processAsRep(reply));
    return AsStep{std::nullopt, std::move(result)};
  }
  const ErrorCode code = krbError->errorCode;
  if (code == ErrorCode::KDC_ERR_PREAUTH_REQUIRED && !preauthKey_) {
    msg::MethodData hints;
    if (krbError->eData) {
      KP_TRY(hints, msg::methodData(*krbError));
    }
    KP_TRY(PreauthHint hint, selectPreauthHint(hints, client_, options_.etypes));
    KP_TRY(core::crypto::Key key, deriveKey(hint));
    hint_ = std::move(hint);
    preauthKey_ = std::move(key);
    KP_TRY(core::Bytes next, makeRequest());
    return AsStep{std::move(next), std::nullopt};
  }
  if (code == ErrorCode::KRB_AP_ERR_SKEW && !skewRetried_) {
    skewRetried_ = true;
    offset_ = fromKerberosTimestamp(krbError->stime, krbError->susec) - clock_.now();
    KP_TRY(core::Bytes next, makeRequest());
    return AsStep{std::move(next), std::nullopt};
  }
  return krbErrorToError(*krbError, client_.text());
}

core::Result<AsResult> AsExchange::processAsRep(core::BytesView reply) {
  KP_TRY(msg::AsRep rep, msg::decode<msg::AsRep>(reply));

  // The reply key: ETYPE-INFO2 in the reply wins, then the pre-authentication key, then the defaults.
  std::optional<PreauthHint> hint;
  if (rep.padata && msg::findPaData(*rep.padata, PaType::PA_ETYPE_INFO2) != nullptr) {
    KP_TRY(PreauthHint fromReply, selectPreauthHint(*rep.padata, client_, {rep.encPart.etype}));
    hint = std::move(fromReply);
  }
  core::crypto::Key key;
  if (hint) {
    KP_TRY(key, deriveKey(*hint));
  } else if (preauthKey_ && preauthKey_->enctype == rep.encPart.etype) {
    key = *preauthKey_;
  } else {
    const PreauthHint defaults{
        rep.encPart.etype,
        hint_ ? hint_->salt : core::crypto::mitDefaultSalt(client_.realm, client_.name.nameString),
        hint_ ? hint_->s2kparams : std::nullopt};
    KP_TRY(key, deriveKey(defaults));
  }

  auto plain = core::crypto::decrypt(key, core::iana::toUsage(core::iana::KeyUsage::AS_REP_ENCPART),
                                     rep.encPart.cipher);
  core::secureWipe(key.value);
  if (!plain.ok()) {
    return std::move(plain).error().within("AS-REP.enc-part for " + client_.text());
  }
  auto part = msg::decode<msg::EncKdcRepPart>(*plain);
  core::secureWipe(*plain);
  if (!part.ok()) {
    return std::move(part).error();
  }

  if (part->nonce != nonce_) {
    return core::makeError(ErrorCategory::Protocol, "nonce_mismatch",
                           "AS-REP.enc-part.nonce " + std::to_string(part->nonce) + " is not the nonce " +
                               std::to_string(nonce_) + " sent");
  }
  const bool canonicalize = (options_.kdcOptions & core::iana::kdc_options::canonicalize) != 0;
  const bool cnameOk =
      canonicalize ? sameNameIgnoreCase(rep.cname, client_.name) : sameName(rep.cname, client_.name);
  const bool crealmOk =
      canonicalize ? equalsIgnoreCase(rep.crealm, client_.realm) : rep.crealm == client_.realm;
  if (!cnameOk || !crealmOk) {
    return core::makeError(
        ErrorCategory::Protocol, "cname_mismatch",
        "AS-REP names " + Principal{rep.cname, rep.crealm}.text() + ", asked for " + client_.text());
  }
  const auto expected = tgsPrincipal(client_.realm);
  if (!sameNameIgnoreCase(part->sname, expected.name) || !equalsIgnoreCase(part->srealm, expected.realm) ||
      !sameName(part->sname, rep.ticket.sname)) {
    return core::makeError(ErrorCategory::Protocol, "sname_mismatch",
                           "AS-REP.enc-part.sname " + Principal{part->sname, part->srealm}.text() +
                               " is not " + expected.text() + " or differs from the ticket's");
  }

  AsResult result;
  result.credential = makeCredential(rep, *part);
  result.preauthUsed = preauthKey_.has_value();
  result.skewCorrected = skewRetried_;
  result.clockOffset = offset_;
  result.requests = requests_;
  return result;
}

}  // namespace kerbpool::client
