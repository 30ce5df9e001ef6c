#include "kdc/netlogon_dispatch.hpp"

#include "netlogon/netlogon_wire.hpp"

namespace kerbpool::kdc {

namespace {

using netlogon::decodeNetlogonRequest;
using netlogon::encodeNetlogonReply;
using netlogon::NetlogonWireReply;

core::Bytes invalid(std::string detail) {
  NetlogonWireReply reply;
  reply.response.status = NtStatus::STATUS_INVALID_PARAMETER;
  reply.response.detail = std::move(detail);
  return encodeNetlogonReply(reply);
}

}  // namespace

core::Bytes handleNetlogonFrame(NetlogonService& service, core::BytesView body) {
  auto request = decodeNetlogonRequest(body);
  if (!request.ok()) {
    return invalid(request.error().code);
  }
  NetlogonWireReply reply;
  reply.requestId = request->requestId;
  reply.response = service.validate(request->request);
  return encodeNetlogonReply(reply);
}

core::Bytes netlogonFramingErrorReply() {
  return invalid("bad_frame_length");
}

}  // namespace kerbpool::kdc
