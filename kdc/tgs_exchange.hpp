#pragma once

#include <string>

#include "core/messages/kdc_req.hpp"
#include "kdc/kdc_context.hpp"

namespace kerbpool::kdc {

// The TGS exchange (RFC 4120 3.3), after MIT's do_tgs_req.c: gather (PA-TGS-REQ AP-REQ, TGT decrypted with
// the krbtgt key, authenticator) -> check (skew, TGT times, checksum over the request body, the service
// resolved with Active Directory's SPN rules) -> issue (new session key, service ticket with the client's
// groups). Event 4769 is recorded here; a duplicate SPN also produces event 11 (from the directory).
ExchangeResult processTgsReq(const core::messages::TgsReq& request, const KdcContext& ctx,
                             const std::string& peer);

}  // namespace kerbpool::kdc
