#include "core/acceptor/ap_rep_builder.hpp"

#include "core/iana/key_usage.hpp"
#include "core/messages/ap_rep.hpp"
#include "core/spnego/gss_framing.hpp"

namespace kerbpool::core::acceptor {

namespace {

std::uint32_t randomSeqNumber(Rng& rng) {
  const auto seq = static_cast<std::uint32_t>(rng.next64() & 0x3fffffff);
  return seq == 0 ? 1 : seq;
}

}  // namespace

Result<BuiltApRep> buildApRep(const AcceptedContext& context, Rng& rng, const ApRepOptions& options,
                              BytesView mechOid) {
  BuiltApRep out;
  messages::EncApRepPart part;
  part.ctime = context.ctime;
  part.cusec = context.cusec;
  if (options.acceptorSubkey) {
    KP_TRY(crypto::Key subkey, crypto::generateKey(context.sessionKey.enctype, rng));
    part.subkey = messages::EncryptionKey{subkey.enctype, subkey.value};
    out.acceptorSubkey = std::move(subkey);
  }
  out.seqNumber = options.seqNumber.value_or(randomSeqNumber(rng));
  part.seqNumber = out.seqNumber;

  Bytes plain = messages::encode(part);
  auto cipher =
      crypto::encrypt(context.sessionKey, iana::toUsage(iana::KeyUsage::AP_REP_ENCPART), plain, rng);
  secureWipe(plain);
  if (part.subkey) {
    secureWipe(part.subkey->keyvalue);
  }
  if (!cipher.ok()) {
    return std::move(cipher).error();
  }
  messages::ApRep apRep;
  apRep.encPart =
      messages::EncryptedData{context.sessionKey.enctype, std::nullopt, std::move(cipher).value()};
  out.apRep = messages::encode(apRep);
  out.token = spnego::wrapKrb5Token(spnego::TokId::ApRep, out.apRep, mechOid);
  if (out.acceptorSubkey) {
    out.contextKey = *out.acceptorSubkey;
    out.contextKeyIsAcceptorSubkey = true;
  } else {
    out.contextKey = context.initiatorContextKey();
  }
  return out;
}

}  // namespace kerbpool::core::acceptor
