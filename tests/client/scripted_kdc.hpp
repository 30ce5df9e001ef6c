#pragma once

// A KDC dispatcher for transport tests: answers "U:<request>" over UDP and "T:<request>" over TCP; over UDP
// it answers KRB_ERR_RESPONSE_TOO_BIG to requests starting with 'B', and ignores requests starting with 'S'
// (silence); with `silent` it ignores everything.
#include <atomic>
#include <optional>

#include "core/iana/error_code.hpp"
#include "kdc/kdc_server.hpp"
#include "tests/client/fake_kdc.hpp"

namespace kerbpool::test {

class ScriptedKdc : public kdc::KdcDispatcher {
 public:
  std::optional<core::Bytes> dispatch(core::BytesView request, const kdc::RequestContext& ctx) override {
    const bool udp = ctx.transport == kdc::Transport::Udp;
    (udp ? udpCalls : tcpCalls)++;
    lastPeer = ctx.peer;
    if (silent || (udp && !request.empty() && request[0] == 'S')) {
      return std::nullopt;
    }
    if (udp && !request.empty() && request[0] == 'B') {
      return makeKrbError(core::iana::ErrorCode::KRB_ERR_RESPONSE_TOO_BIG, core::fromUnixSeconds(0),
                          "KERBPOOL.TEST", {});
    }
    core::Bytes out = core::toBytes(udp ? "U:" : "T:");
    core::append(out, request);
    return out;
  }
  core::Bytes fieldTooLong() override { return core::toBytes("TOOLONG"); }
  std::atomic<int> udpCalls{0};
  std::atomic<int> tcpCalls{0};
  bool silent = false;
  std::string lastPeer;  // of the last call (single-threaded tests only)
};

}  // namespace kerbpool::test
