#pragma once

#include <cstdint>
#include <optional>

#include "core/acceptor/ap_req_verifier.hpp"
#include "core/common/bytes.hpp"
#include "core/common/result.hpp"
#include "core/common/rng.hpp"
#include "core/crypto/enctype.hpp"
#include "core/spnego/oids.hpp"

// The AP-REP of mutual authentication (RFC 4120 3.2.4, 5.5.2) wrapped as a krb5 GSS token (RFC 4121 4.1).
namespace kerbpool::core::acceptor {

struct ApRepOptions {
  // Send a fresh acceptor subkey (of the session key's enctype), as MIT does for AES contexts. Per-message
  // tokens of the context then use it (RFC 4121 2) and carry the AcceptorSubkey flag.
  bool acceptorSubkey = true;
  // The acceptor's initial sequence number; default: 30 random bits, never 0 (MIT gen_seqnum.c).
  std::optional<std::uint32_t> seqNumber;
};

struct BuiltApRep {
  Bytes apRep;  // DER of the AP-REP (6f ..)
  Bytes token;  // 60 .. <mech OID> 02 00 <AP-REP>
  std::optional<crypto::Key> acceptorSubkey;
  std::uint32_t seqNumber = 0;
  // RFC 4121 2: the key for this context's per-message tokens (acceptor subkey, else initiator subkey,
  // else session key) and whether it is the acceptor's subkey (the tokens' AcceptorSubkey flag).
  crypto::Key contextKey;
  bool contextKeyIsAcceptorSubkey = false;
};

// EncAPRepPart { ctime, cusec repeated from the authenticator, subkey?, seq-number } encrypted with the
// ticket session key (usage 12). mechOid frames the token: use the OID of the client's AP-REQ token.
// Errors come from crypto (unsupported session key enctype) and are Crypto-category.
Result<BuiltApRep> buildApRep(const AcceptedContext& context, Rng& rng, const ApRepOptions& options = {},
                              BytesView mechOid = spnego::krb5Oid());

}  // namespace kerbpool::core::acceptor
