#pragma once

#include <optional>
#include <string>
#include <utility>

#include "client/negotiate_http_client.hpp"
#include "client/spn.hpp"

// One GET's working state, shared by NegotiateHttpClient's files (negotiate_http_client.cpp for the request
// and the Kerberos leg, negotiate_http_ntlm.cpp for the NTLM handshake).
namespace kerbpool::client {

struct NegotiateHttpClient::Attempt {
  RequestOutcome out;
  Url url;
  SpnDerivation spn;
  Origin* origin = nullptr;
  std::string method = "GET";
  std::string body;
  std::string contentType;
  core::Stopwatch watch;

  void fail(std::string reason, std::optional<core::Error> error = std::nullopt) {
    out.kind = OutcomeKind::Failed;
    out.reason = std::move(reason);
    if (error) {
      out.error = std::move(error);
    }
  }
};

}  // namespace kerbpool::client
