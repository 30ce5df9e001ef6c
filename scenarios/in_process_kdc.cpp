#include "scenarios/in_process_kdc.hpp"

#include <optional>
#include <utility>

#include "client/kdc_error.hpp"

namespace kerbpool::scenarios {

InProcessKdcNetwork::InProcessKdcNetwork(std::vector<Dc> dcs, std::size_t udpPreferenceLimit)
    : dcs_(std::move(dcs)), udpPreferenceLimit_(udpPreferenceLimit) {}

InProcessKdcStats InProcessKdcNetwork::stats() const {
  return InProcessKdcStats{udp_.load(), tcp_.load(), tooBig_.load(), failures_.load()};
}

core::Result<core::Bytes> InProcessKdcNetwork::exchangeFrom(const std::string& source,
                                                            core::BytesView request) {
  if (dcs_.empty()) {
    ++failures_;
    return core::makeError(core::ErrorCategory::Io, "no_kdc", "no domain controller is configured");
  }
  // The source port a socket would have had: the KDC logs "address:port" and its events show the address.
  const auto port = 49152 + port_.fetch_add(1, std::memory_order_relaxed) % 16384;
  const kdc::RequestContext udp{kdc::Transport::Udp,
                                (source.empty() ? "127.0.0.1" : source) + ":" + std::to_string(port)};
  const kdc::RequestContext tcp{kdc::Transport::Tcp, udp.peer};
  const bool tcpFirst = request.size() > udpPreferenceLimit_;
  std::string failures;
  for (const auto& dc : dcs_) {
    std::optional<core::Bytes> reply;
    if (!tcpFirst) {
      reply = dc.kdc->dispatch(request, udp);
      if (reply && !client::isResponseTooBig(*reply)) {
        ++udp_;
        return std::move(*reply);
      }
      if (reply) {
        ++tooBig_;
      }
    }
    reply = dc.kdc->dispatch(request, tcp);
    if (reply) {
      ++tcp_;
      return std::move(*reply);
    }
    if (tcpFirst) {
      reply = dc.kdc->dispatch(request, udp);
      if (reply) {
        ++udp_;
        return std::move(*reply);
      }
    }
    failures += (failures.empty() ? "" : "; ") + dc.name +
                ": the KDC dropped the request over UDP and TCP (not a Kerberos message)";
  }
  ++failures_;
  return core::makeError(core::ErrorCategory::Io, "kdc_unreachable", "no KDC answered: " + failures);
}

}  // namespace kerbpool::scenarios
