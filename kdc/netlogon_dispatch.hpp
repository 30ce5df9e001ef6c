#pragma once

#include "core/common/bytes.hpp"
#include "kdc/netlogon.hpp"

namespace kerbpool::kdc {

// One frame body from a front-end in, the reply body out (the socket layer adds the length prefix). A body
// that does not decode gets a reply with STATUS_INVALID_PARAMETER, request-id 0 and the decoding error's
// code as detail; it never reaches the service and never throws.
core::Bytes handleNetlogonFrame(NetlogonService& service, core::BytesView body);

// The reply to a frame whose length prefix is 0 or too large (the connection is closed after it).
core::Bytes netlogonFramingErrorReply();

}  // namespace kerbpool::kdc
