#pragma once

#include <cstddef>
#include <map>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.hpp"

// The scenario's DNS: A records (name -> address) and CNAME records (alias -> canonical name), as the
// workstations of the lab see them. A browser asks this zone for the URL's host; the canonical name it gets
// back is what Windows puts in the SPN (client/spn.hpp), hence the classic CNAME-to-the-load-balancer trap.
namespace kerbpool::client {

struct DnsAnswer {
  std::string canonicalName;            // the name that holds the A record (lower case)
  std::string address;                  // "127.0.0.1", "::1"
  std::vector<std::string> cnameChain;  // the names followed, from the name asked to the canonical one
                                        // (excluded); empty for a direct A record or an address literal
};

struct DnsZoneOptions {
  std::size_t maxCnameChain = 8;  // CNAMEs followed at most (resolvers stop at a handful)
};

// Names are compared ASCII case-insensitively and a trailing dot is ignored. A name holds either one A record
// or one CNAME (RFC 1034 3.6.2: a CNAME excludes other data); adding a record replaces the name's previous
// one. Thread-safe: 10,000 workstations read while a scenario may rewrite a record.
class DnsZone {
 public:
  explicit DnsZone(DnsZoneOptions options = {}) : options_(options) {}

  // Errors (Config): bad_dns_name (empty, label not 1..63 of letters, digits, '-', '_', name over 253),
  // bad_address (not an IPv4 or IPv6 literal).
  core::Status addA(std::string_view name, std::string_view address);
  // Errors (Config): bad_dns_name, cname_to_self.
  core::Status addCname(std::string_view alias, std::string_view canonicalName);
  // Drops the name's record; false when there was none.
  bool remove(std::string_view name);

  // Follows CNAMEs to an A record. An address literal resolves to itself. Errors: Decoding bad_dns_name;
  // NotFound nxdomain ("no record for pool.contoso.test", naming the alias that led there); Protocol
  // cname_loop (the chain comes back to a name), cname_chain_too_long (more than maxCnameChain).
  core::Result<DnsAnswer> resolve(std::string_view name) const;

 private:
  struct Record {
    bool isCname = false;
    std::string value;  // address, or the canonical name (lower case)
  };

  DnsZoneOptions options_;
  mutable std::shared_mutex mu_;
  std::map<std::string, Record> records_;  // lower-case name without trailing dot
};

// "Pool.Contoso.Test." -> "pool.contoso.test"; nullopt-like empty string when it is not a DNS name.
std::string normalizeDnsName(std::string_view name);
// An IPv4 dotted quad or an IPv6 literal (without brackets).
bool isIpLiteral(std::string_view text);

}  // namespace kerbpool::client
