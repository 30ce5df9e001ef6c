#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/bytes.hpp"
#include "core/keytab/keytab.hpp"

// The MIT krb5 reference capture (captures/README.md): kinit + kvno against krb5kdc on UDP 18888, then
// curl --negotiate to Apache on TCP 18080. Everything is read from the reference folder at test time;
// no capture bytes live in the repository. Each helper fails the running test when the files are missing
// or do not have the expected shape.
namespace kerbpool::test {

inline constexpr std::uint16_t kMitCaptureKdcPort = 18888;
inline constexpr std::uint16_t kMitCaptureHttpPort = 18080;

std::filesystem::path mitCapturePcapPath();
std::filesystem::path mitCaptureKeytabPath();
std::filesystem::path mitCaptureTextPath();

// The six KDC datagrams in capture order: AS-REQ (no pre-auth), KRB-ERROR PREAUTH_REQUIRED, AS-REQ with
// PA-ENC-TIMESTAMP, AS-REP, TGS-REQ, TGS-REP.
std::vector<core::Bytes> mitCaptureKdcDatagrams();

// The value of the first HTTP header line starting with `prefix` (e.g. "Authorization: Negotiate ") in the
// TCP payloads to or from port 18080, without the prefix and the CRLF. Each HTTP message of this capture
// fits in one TCP segment.
std::string mitCaptureHttpHeader(std::string_view prefix);

// mit-kinit-kvno-curl.keytab: krbtgt/CONTOSO.TEST, HTTP/pool.contoso.test and alice (aes256, aes128).
core::keytab::Keytab mitCaptureKeytab();

}  // namespace kerbpool::test
