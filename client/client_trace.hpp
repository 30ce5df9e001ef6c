#pragma once

#include <string>
#include <vector>

#include "client/dns.hpp"

// An optional observer of one workstation's HTTP sign-in (NegotiateHttpOptions::trace): the DNS answer and
// the SPN derived from it, every HTTP request with what its Authorization header carries, and every answer.
// The Kerberos exchanges are seen at the KdcTransport. The HTML report draws its sequence diagram from it.
namespace kerbpool::client {

class ClientTrace {
 public:
  virtual ~ClientTrace() = default;
  // The URL's host resolved (CNAMEs followed) and the SPN the workstation derived from it.
  virtual void resolved(const std::string& host, const DnsAnswer& answer, const std::string& spn) = 0;
  // "GET /" and what the Authorization header carries ("" for none: "Negotiate: SPNEGO NegTokenInit with
  // a Kerberos AP-REQ for HTTP/pool.contoso.test").
  virtual void request(const std::string& line, const std::string& authorization) = 0;
  // The answer: status, the node that answered (X-Kerbpool-Node, "" when absent) and the WWW-Authenticate
  // challenges as "Negotiate", "NTLM" or "Negotiate <token>" (a token's bytes are not repeated).
  virtual void response(unsigned status, const std::string& node,
                        const std::vector<std::string>& challenges) = 0;
};

}  // namespace kerbpool::client
