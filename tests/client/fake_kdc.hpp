#pragma once

// An in-process mini KDC for the client's unit tests: AS with PA-ENC-TIMESTAMP, TGS with the req-body
// checksum, renewal. Built from core/messages and core/crypto, independently of the client code, so that
// the client's requests are checked by a second implementation of the same rules.
#include <catch2/catch.hpp>

#include <map>
#include <optional>
#include <string>

#include "client/kdc_transport.hpp"
#include "core/common/clock.hpp"
#include "core/common/rng.hpp"
#include "core/crypto/enctype.hpp"
#include "core/iana/error_code.hpp"
#include "core/iana/kdc_options.hpp"
#include "core/iana/key_usage.hpp"
#include "core/iana/ticket_flags.hpp"
#include "core/messages/ap_req.hpp"
#include "core/messages/authenticator.hpp"
#include "core/messages/kdc_rep.hpp"
#include "core/messages/kdc_req.hpp"
#include "core/messages/krb_error.hpp"
#include "core/messages/padata.hpp"
#include "core/messages/ticket.hpp"

namespace kerbpool::test {

namespace msg = core::messages;
using core::iana::ErrorCode;
using core::iana::KeyUsage;
using core::iana::toUsage;

inline core::crypto::Key requireKey(core::Result<core::crypto::Key> k) {
  INFO((k.ok() ? std::string("ok") : k.error().message()));
  REQUIRE(k.ok());
  return std::move(k).value();
}

inline core::Bytes requireBytes(core::Result<core::Bytes> b) {
  INFO((b.ok() ? std::string("ok") : b.error().message()));
  REQUIRE(b.ok());
  return std::move(b).value();
}

inline core::Bytes makeKrbError(ErrorCode code, core::TimePoint now, const std::string& realm,
                                const msg::PrincipalName& sname, std::optional<msg::MethodData> eData = {},
                                std::optional<std::string> eText = {}) {
  msg::KrbError e;
  const auto us = now.time_since_epoch().count();
  e.stime = us / 1000000;
  e.susec = static_cast<msg::Microseconds>(us % 1000000);
  e.errorCode = code;
  e.realm = realm;
  e.sname = sname;
  e.eText = std::move(eText);
  if (eData) {
    msg::setMethodData(e, *eData);
  }
  return msg::encode(e);
}

class FakeKdc final : public client::KdcTransport {
 public:
  struct User {
    std::string password;
    std::string salt;  // empty: MIT default
    std::optional<core::Bytes> s2kparams;
  };

  FakeKdc(const core::Clock& clock, std::string realm = "KERBPOOL.TEST")
      : clock_(clock), realm_(std::move(realm)), rng_(42) {
    krbtgtKey_ = requireKey(core::crypto::generateKey(18, rng_));
  }

  void addUser(const std::string& name, std::string password, std::string salt = "",
               std::optional<core::Bytes> s2kparams = std::nullopt) {
    users_[name] = User{std::move(password), std::move(salt), std::move(s2kparams)};
  }
  void addService(const std::string& name) {
    services_[name] = requireKey(core::crypto::generateKey(18, rng_));
  }
  const core::crypto::Key& serviceKey(const std::string& name) { return services_.at(name); }
  const core::crypto::Key& krbtgtKey() const { return krbtgtKey_; }

  bool requirePreauth = true;
  std::int64_t skewSeconds = 300;
  std::int64_t maxLifeSeconds = 10 * 3600;
  msg::EncKdcRepPartTag asTag = msg::EncKdcRepPartTag::EncASRepPart;
  int asRequests = 0;
  int tgsRequests = 0;
  std::vector<core::Bytes> requests;

  core::Result<core::Bytes> exchange(core::BytesView request) override {
    requests.emplace_back(request.begin(), request.end());
    const auto type = msg::peekMsgType(request);
    if (type == core::iana::MsgType::KRB_AS_REQ) {
      ++asRequests;
      return handleAs(request);
    }
    ++tgsRequests;
    return handleTgs(request);
  }

  std::string defaultSalt(const std::string& name) const { return realm_ + name; }

  core::crypto::Key userKey(const std::string& name, std::int32_t etype) const {
    const User& u = users_.at(name);
    std::optional<core::BytesView> params;
    if (u.s2kparams) {
      params = core::BytesView(*u.s2kparams);
    }
    return requireKey(
        core::crypto::stringToKey(etype, u.password, u.salt.empty() ? defaultSalt(name) : u.salt, params));
  }

 private:
  msg::PrincipalName tgsName() const {
    return msg::PrincipalName{core::iana::NameType::KRB_NT_SRV_INST, {"krbtgt", realm_}};
  }

  core::Bytes error(ErrorCode code, const msg::PrincipalName& sname,
                    std::optional<msg::MethodData> eData = {}, std::optional<std::string> eText = {}) {
    return makeKrbError(code, clock_.now(), realm_, sname, std::move(eData), std::move(eText));
  }

  std::int64_t nowSeconds() const { return core::toUnixSeconds(clock_.now()); }

  // Issues a ticket for sname under key and the matching EncKdcRepPart.
  std::pair<msg::Ticket, msg::EncKdcRepPart> issue(const msg::KdcReqBody& body,
                                                   const msg::PrincipalName& cname,
                                                   const msg::PrincipalName& sname,
                                                   const core::crypto::Key& key, std::uint32_t flags,
                                                   std::int64_t authtime,
                                                   std::optional<std::int64_t> renewCap) {
    const auto session = requireKey(core::crypto::generateKey(18, rng_));
    const std::int64_t now = nowSeconds();
    std::int64_t end = std::min(body.till, now + maxLifeSeconds);
    std::optional<std::int64_t> renewTill;
    if ((body.kdcOptions & core::iana::kdc_options::renewable) != 0 && body.rtime) {
      renewTill = renewCap ? std::min(*body.rtime, *renewCap) : *body.rtime;
      flags |= core::iana::ticket_flags::renewable;
    }
    if (renewTill) {
      end = std::min(end, *renewTill);
    }
    msg::EncTicketPart etp;
    etp.flags = flags;
    etp.key = msg::EncryptionKey{session.enctype, session.value};
    etp.crealm = realm_;
    etp.cname = cname;
    etp.authtime = authtime;
    etp.starttime = now;
    etp.endtime = end;
    etp.renewTill = renewTill;
    msg::Ticket t;
    t.realm = realm_;
    t.sname = sname;
    t.encPart = msg::EncryptedData{
        key.enctype, 2,
        requireBytes(core::crypto::encrypt(key, toUsage(KeyUsage::KDC_REP_TICKET), msg::encode(etp), rng_))};
    t.raw = msg::encode(t);

    msg::EncKdcRepPart part;
    part.key = etp.key;
    part.lastReq = {msg::LastReqEntry{0, now}};
    part.nonce = body.nonce;
    part.flags = flags;
    part.authtime = authtime;
    part.starttime = now;
    part.endtime = end;
    part.renewTill = renewTill;
    part.srealm = realm_;
    part.sname = sname;
    return {t, part};
  }

  core::Result<core::Bytes> handleAs(core::BytesView request) {
    auto req = msg::decode<msg::AsReq>(request);
    REQUIRE(req.ok());
    const auto& body = req->reqBody;
    REQUIRE(body.cname.has_value());
    const std::string name = body.cname->nameString.empty() ? "" : body.cname->nameString[0];
    if (users_.count(name) == 0) {
      return error(ErrorCode::KDC_ERR_C_PRINCIPAL_UNKNOWN, tgsName(), {},
                   "Client not found in Kerberos database");
    }
    const std::int32_t etype = body.etype.empty() ? 18 : body.etype.front();
    const core::crypto::Key key = userKey(name, etype);
    const msg::PaData* ts =
        req->padata ? msg::findPaData(*req->padata, core::iana::PaType::PA_ENC_TIMESTAMP) : nullptr;
    bool preauthenticated = false;
    if (ts != nullptr) {
      auto enc = msg::decode<msg::EncryptedData>(ts->padataValue);
      REQUIRE(enc.ok());
      auto plain = core::crypto::decrypt(key, toUsage(KeyUsage::AS_REQ_PA_ENC_TIMESTAMP), enc->cipher);
      if (!plain.ok()) {
        return error(ErrorCode::KDC_ERR_PREAUTH_FAILED, tgsName());
      }
      auto stamp = msg::decode<msg::PaEncTsEnc>(*plain);
      REQUIRE(stamp.ok());
      if (std::llabs(stamp->patimestamp - nowSeconds()) > skewSeconds) {
        return error(ErrorCode::KRB_AP_ERR_SKEW, tgsName());
      }
      preauthenticated = true;
    } else if (requirePreauth) {
      const User& u = users_.at(name);
      msg::EtypeInfo2 info{
          msg::EtypeInfo2Entry{etype, u.salt.empty() ? defaultSalt(name) : u.salt, u.s2kparams}};
      msg::MethodData hints{msg::PaData{core::iana::PaType::PA_ETYPE_INFO2, msg::encode(info)},
                            msg::PaData{core::iana::PaType::PA_ENC_TIMESTAMP, {}}};
      return error(ErrorCode::KDC_ERR_PREAUTH_REQUIRED, tgsName(), hints);
    }
    std::uint32_t flags = core::iana::ticket_flags::initial;
    if (preauthenticated) {
      flags |= core::iana::ticket_flags::pre_authent;
    }
    auto [ticket, part] = issue(body, *body.cname, tgsName(), krbtgtKey_, flags, nowSeconds(), std::nullopt);
    part.tag = asTag;
    msg::AsRep rep;
    rep.crealm = realm_;
    rep.cname = *body.cname;
    rep.ticket = ticket;
    rep.encPart = msg::EncryptedData{
        key.enctype, 1,
        requireBytes(core::crypto::encrypt(key, toUsage(KeyUsage::AS_REP_ENCPART), msg::encode(part), rng_))};
    return msg::encode(rep);
  }

  core::Result<core::Bytes> handleTgs(core::BytesView request) {
    auto req = msg::decode<msg::TgsReq>(request);
    REQUIRE(req.ok());
    const auto& body = req->reqBody;
    REQUIRE(req->padata.has_value());
    const msg::PaData* pa = msg::findPaData(*req->padata, core::iana::PaType::PA_TGS_REQ);
    REQUIRE(pa != nullptr);
    auto apReq = msg::decode<msg::ApReq>(pa->padataValue);
    REQUIRE(apReq.ok());
    // The TGT: decrypted with the krbtgt key, usage 2.
    auto tktPlain =
        core::crypto::decrypt(krbtgtKey_, toUsage(KeyUsage::KDC_REP_TICKET), apReq->ticket.encPart.cipher);
    REQUIRE(tktPlain.ok());
    auto tgt = msg::decode<msg::EncTicketPart>(*tktPlain);
    REQUIRE(tgt.ok());
    const core::crypto::Key session{tgt->key.keytype, tgt->key.keyvalue};
    // The authenticator, usage 7, and its checksum over the req-body as received, usage 6.
    auto authPlain = core::crypto::decrypt(
        session, toUsage(KeyUsage::TGS_REQ_PA_TGS_REQ_AP_REQ_AUTHENTICATOR), apReq->authenticator.cipher);
    REQUIRE(authPlain.ok());
    auto auth = msg::decode<msg::Authenticator>(*authPlain);
    REQUIRE(auth.ok());
    REQUIRE(auth->cksum.has_value());
    CHECK(auth->cksum->cksumtype == 16);
    const auto verified = core::crypto::verifyChecksum(
        session, toUsage(KeyUsage::TGS_REQ_PA_TGS_REQ_AP_REQ_AUTHENTICATOR_CHKSUM), auth->cksum->cksumtype,
        body.raw, auth->cksum->checksum);
    if (!verified.ok()) {
      return error(ErrorCode::KRB_AP_ERR_MODIFIED, tgsName());
    }
    if (std::llabs(auth->ctime - nowSeconds()) > skewSeconds) {
      return error(ErrorCode::KRB_AP_ERR_SKEW, tgsName());
    }
    if (nowSeconds() >= tgt->endtime) {
      return error(ErrorCode::KRB_AP_ERR_TKT_EXPIRED, tgsName());
    }
    REQUIRE(body.sname.has_value());
    const msg::PrincipalName& sname = *body.sname;
    std::pair<msg::Ticket, msg::EncKdcRepPart> issued;
    if ((body.kdcOptions & core::iana::kdc_options::renew) != 0) {
      if ((tgt->flags & core::iana::ticket_flags::renewable) == 0 || !tgt->renewTill) {
        return error(ErrorCode::KDC_ERR_BADOPTION, sname);
      }
      msg::KdcReqBody renewBody = body;
      renewBody.till = *tgt->renewTill;
      renewBody.rtime = *tgt->renewTill;
      renewBody.kdcOptions |= core::iana::kdc_options::renewable;
      issued = issue(renewBody, tgt->cname, tgsName(), krbtgtKey_, tgt->flags, tgt->authtime, tgt->renewTill);
    } else {
      const std::string key =
          sname.nameString.size() == 2 ? sname.nameString[0] + "/" + sname.nameString[1] : "";
      const auto it = services_.find(key);
      if (it == services_.end()) {
        return error(ErrorCode::KDC_ERR_S_PRINCIPAL_UNKNOWN, sname, {},
                     "Server not found in Kerberos database");
      }
      issued = issue(body, tgt->cname, sname, it->second, core::iana::ticket_flags::forwardable,
                     tgt->authtime, tgt->renewTill);
    }
    auto& [ticket, part] = issued;
    part.tag = msg::EncKdcRepPartTag::EncTGSRepPart;
    const bool subkey = auth->subkey.has_value();
    const core::crypto::Key replyKey =
        subkey ? core::crypto::Key{auth->subkey->keytype, auth->subkey->keyvalue} : session;
    const auto usage =
        subkey ? KeyUsage::TGS_REP_ENCPART_AUTHENTICATOR_SUB_KEY : KeyUsage::TGS_REP_ENCPART_SESSION_KEY;
    msg::TgsRep rep;
    rep.crealm = realm_;
    rep.cname = tgt->cname;
    rep.ticket = ticket;
    rep.encPart = msg::EncryptedData{
        replyKey.enctype, std::nullopt,
        requireBytes(core::crypto::encrypt(replyKey, toUsage(usage), msg::encode(part), rng_))};
    return msg::encode(rep);
  }

  const core::Clock& clock_;
  std::string realm_;
  core::SeededRng rng_;
  core::crypto::Key krbtgtKey_;
  std::map<std::string, User> users_;
  std::map<std::string, core::crypto::Key> services_;
};

}  // namespace kerbpool::test
