#include "core/spnego/neg_token.hpp"

#include <algorithm>

#include "core/der/der_writer.hpp"
#include "core/spnego/decoding_error.hpp"

namespace kerbpool::core::spnego {
namespace {

constexpr std::uint8_t kNegTokenInitTag = 0xa0;  // [0] constructed
constexpr std::uint8_t kNegTokenRespTag = 0xa1;  // [1] constructed
constexpr std::string_view kNtlmsspSignature{"NTLMSSP\0", 8};

void writeOctetStringField(der::Writer& w, std::uint32_t n, const std::optional<Bytes>& v) {
  if (v) {
    w.context(n, [&](der::Writer& c) { c.octetString(*v); });
  }
}

Result<std::optional<Bytes>> readOptionalOctetString(der::Reader& r, std::uint32_t n,
                                                     std::string_view field) {
  KP_TRY(std::optional<der::Reader> c, r.enterOptionalContext(n, field));
  if (!c) {
    return std::optional<Bytes>();
  }
  KP_TRY(Bytes v, c->readOctetString(""));
  KP_CHECK(c->expectEnd());
  return std::optional<Bytes>(std::move(v));
}

Result<NegHints> readNegHints(der::Reader& ctx) {
  KP_TRY(der::Reader seq, ctx.enterSequence("negHints"));
  NegHints hints;
  KP_TRY(std::optional<der::Reader> name, seq.enterOptionalContext(0, "hintName"));
  if (name) {
    KP_TRY(std::string v, name->readGeneralString(""));
    KP_CHECK(name->expectEnd());
    hints.hintName = std::move(v);
  }
  KP_TRY(hints.hintAddress, readOptionalOctetString(seq, 1, "hintAddress"));
  KP_CHECK(seq.expectEnd());
  KP_CHECK(ctx.expectEnd());
  return hints;
}

// The SEQUENCE inside the [0] choice.
Result<NegTokenInit> readNegTokenInitBody(der::Reader& choice) {
  KP_TRY(der::Reader seq, choice.enterSequence(""));
  NegTokenInit init;

  KP_TRY(der::Reader mechTypesCtx, seq.enterContext(0, "mechTypes"));
  KP_TRY(der::Tlv listTlv, mechTypesCtx.readExpected(der::Tag::sequence(), ""));
  KP_CHECK(mechTypesCtx.expectEnd());
  init.mechTypesDer.assign(listTlv.encoded.begin(), listTlv.encoded.end());
  der::Reader list(listTlv.content, mechTypesCtx.path(), 2);
  while (!list.atEnd()) {
    KP_TRY(Bytes oid, list.readOid("MechType[" + std::to_string(init.mechTypes.size()) + "]"));
    init.mechTypes.push_back(std::move(oid));
  }

  KP_TRY(std::optional<der::Reader> flags, seq.enterOptionalContext(1, "reqFlags"));
  if (flags) {
    KP_TRY(der::BitString bits, flags->readBitString(""));
    KP_CHECK(flags->expectEnd());
    init.reqFlags = std::move(bits);
  }

  KP_TRY(init.mechToken, readOptionalOctetString(seq, 2, "mechToken"));

  // [3] is mechListMIC (OCTET STRING) in RFC 4178 and negHints (SEQUENCE) in NegTokenInit2.
  KP_TRY(std::optional<der::Reader> third, seq.enterOptionalContext(3, "mechListMIC"));
  if (third) {
    if (third->peekIs(der::Tag::sequence())) {
      KP_TRY(init.negHints, readNegHints(*third));
    } else {
      KP_TRY(Bytes mic, third->readOctetString(""));
      KP_CHECK(third->expectEnd());
      init.mechListMic = std::move(mic);
    }
  }
  if (!init.mechListMic) {
    KP_TRY(init.mechListMic, readOptionalOctetString(seq, 4, "mechListMIC"));
  }
  KP_CHECK(seq.expectEnd());
  KP_CHECK(choice.expectEnd());
  return init;
}

Result<NegTokenResp> readNegTokenRespBody(der::Reader& choice) {
  KP_TRY(der::Reader seq, choice.enterSequence(""));
  NegTokenResp resp;
  KP_TRY(std::optional<der::Reader> state, seq.enterOptionalContext(0, "negState"));
  if (state) {
    KP_TRY(std::int64_t v, state->readEnumerated(""));
    KP_CHECK(state->expectEnd());
    if (v < 0 || v > 3) {
      return decodingError("bad_neg_state", "NegTokenResp.negState " + std::to_string(v) + " is not 0..3");
    }
    resp.negState = static_cast<NegState>(v);
  }
  KP_TRY(std::optional<der::Reader> mech, seq.enterOptionalContext(1, "supportedMech"));
  if (mech) {
    KP_TRY(Bytes oid, mech->readOid(""));
    KP_CHECK(mech->expectEnd());
    resp.supportedMech = std::move(oid);
  }
  KP_TRY(resp.responseToken, readOptionalOctetString(seq, 2, "responseToken"));
  KP_TRY(resp.mechListMic, readOptionalOctetString(seq, 3, "mechListMIC"));
  KP_CHECK(seq.expectEnd());
  KP_CHECK(choice.expectEnd());
  return resp;
}

}  // namespace

std::string_view toString(NegState s) {
  switch (s) {
    case NegState::AcceptCompleted:
      return "accept-completed";
    case NegState::AcceptIncomplete:
      return "accept-incomplete";
    case NegState::Reject:
      return "reject";
    case NegState::RequestMic:
      return "request-mic";
  }
  return "unknown";
}

std::string_view toString(InitialTokenKind k) {
  switch (k) {
    case InitialTokenKind::Spnego:
      return "spnego";
    case InitialTokenKind::Krb5:
      return "krb5";
    case InitialTokenKind::RawNtlmssp:
      return "raw-ntlmssp";
  }
  return "unknown";
}

Bytes encodeMechTypeList(const std::vector<Bytes>& mechTypes) {
  der::Writer w;
  w.sequence([&](der::Writer& s) {
    for (const Bytes& oid : mechTypes) {
      s.oid(oid);
    }
  });
  return w.take();
}

Bytes encodeNegTokenInit(const NegTokenInit& init) {
  der::Writer w;
  w.context(0, [&](der::Writer& choice) {
    choice.sequence([&](der::Writer& s) {
      s.context(0, [&](der::Writer& c) { c.raw(encodeMechTypeList(init.mechTypes)); });
      if (init.reqFlags) {
        s.context(1, [&](der::Writer& c) { c.bitString(init.reqFlags->bits, init.reqFlags->unusedBits); });
      }
      writeOctetStringField(s, 2, init.mechToken);
      if (init.negHints) {
        s.context(3, [&](der::Writer& c) {
          c.sequence([&](der::Writer& h) {
            if (init.negHints->hintName) {
              h.context(0, [&](der::Writer& n) { n.generalString(*init.negHints->hintName); });
            }
            writeOctetStringField(h, 1, init.negHints->hintAddress);
          });
        });
        writeOctetStringField(s, 4, init.mechListMic);
      } else {
        writeOctetStringField(s, 3, init.mechListMic);
      }
    });
  });
  return w.take();
}

Bytes encodeNegTokenResp(const NegTokenResp& resp) {
  der::Writer w;
  w.context(1, [&](der::Writer& choice) {
    choice.sequence([&](der::Writer& s) {
      if (resp.negState) {
        s.context(0, [&](der::Writer& c) { c.enumerated(static_cast<std::int64_t>(*resp.negState)); });
      }
      if (resp.supportedMech) {
        s.context(1, [&](der::Writer& c) { c.oid(*resp.supportedMech); });
      }
      writeOctetStringField(s, 2, resp.responseToken);
      writeOctetStringField(s, 3, resp.mechListMic);
    });
  });
  return w.take();
}

Bytes encodeNegotiationToken(const NegotiationToken& token) {
  if (const auto* init = std::get_if<NegTokenInit>(&token)) {
    return encodeNegTokenInit(*init);
  }
  return encodeNegTokenResp(std::get<NegTokenResp>(token));
}

Result<NegTokenInit> decodeNegTokenInit(BytesView token) {
  der::Reader r(token, "NegTokenInit");
  KP_TRY(der::Reader choice, r.enterContext(0, ""));
  KP_CHECK(r.expectEnd());
  return readNegTokenInitBody(choice);
}

Result<NegTokenResp> decodeNegTokenResp(BytesView token) {
  der::Reader r(token, "NegTokenResp");
  KP_TRY(der::Reader choice, r.enterContext(1, ""));
  KP_CHECK(r.expectEnd());
  return readNegTokenRespBody(choice);
}

Result<NegotiationToken> decodeNegotiationToken(BytesView token) {
  if (!token.empty() && token[0] == kNegTokenInitTag) {
    KP_TRY(NegTokenInit init, decodeNegTokenInit(token));
    return NegotiationToken(std::move(init));
  }
  if (!token.empty() && token[0] == kNegTokenRespTag) {
    KP_TRY(NegTokenResp resp, decodeNegTokenResp(token));
    return NegotiationToken(std::move(resp));
  }
  return decodingError("bad_choice",
                       "NegotiationToken must start with a0 (negTokenInit) or a1 (negTokenResp)");
}

Bytes encodeInitialToken(const NegTokenInit& init) {
  return wrapInitialContextToken(spnegoOid(), encodeNegTokenInit(init));
}

Result<InitialToken> decodeInitialToken(BytesView token) {
  if (token.empty()) {
    return decodingError("empty_token", "initial context token is empty");
  }
  if (token.size() >= kNtlmsspSignature.size() &&
      std::equal(kNtlmsspSignature.begin(), kNtlmsspSignature.end(), token.begin())) {
    InitialToken out;
    out.kind = InitialTokenKind::RawNtlmssp;
    out.ntlmssp.assign(token.begin(), token.end());
    return out;
  }
  KP_TRY(InitialContextToken framed, unwrapInitialContextToken(token));
  if (oidEqual(framed.mechOid, spnegoOid())) {
    if (framed.innerToken.empty() || framed.innerToken[0] != kNegTokenInitTag) {
      return decodingError("expected_neg_token_init", "SPNEGO initial token must carry negTokenInit [0]");
    }
    KP_TRY(NegTokenInit init, decodeNegTokenInit(framed.innerToken));
    InitialToken out;
    out.kind = InitialTokenKind::Spnego;
    out.negTokenInit = std::move(init);
    return out;
  }
  if (isKerberosMech(framed.mechOid)) {
    KP_TRY(Krb5Token krb5, unwrapKrb5Token(token));
    InitialToken out;
    out.kind = InitialTokenKind::Krb5;
    out.krb5Token = std::move(krb5);
    return out;
  }
  return decodingError("unsupported_mech", "initial context token is framed with mechanism " +
                                               std::string(mechName(framed.mechOid).value_or("(unknown)")));
}

}  // namespace kerbpool::core::spnego
