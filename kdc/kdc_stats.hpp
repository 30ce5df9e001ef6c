#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace kerbpool::kdc {

// Request and error counters of one KDC: by request type ("AS-REQ", "TGS-REQ", "malformed", "dropped") and by
// KRB-ERROR code (RFC name). Thread-safe.
class KdcStats {
 public:
  void countRequest(const std::string& type);
  void countError(const std::string& rfcName);
  void countIssued(const std::string& type);

  std::map<std::string, std::uint64_t> requests() const;
  std::map<std::string, std::uint64_t> errors() const;
  std::map<std::string, std::uint64_t> issued() const;
  std::uint64_t requestCount(const std::string& type) const;
  std::uint64_t errorCount(const std::string& rfcName) const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::uint64_t> requests_;
  std::map<std::string, std::uint64_t> errors_;
  std::map<std::string, std::uint64_t> issued_;
};

}  // namespace kerbpool::kdc
