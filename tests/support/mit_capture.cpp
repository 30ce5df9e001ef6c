#include "tests/support/mit_capture.hpp"

#include <catch2/catch.hpp>

#include "tests/support/pcapng.hpp"
#include "tests/support/reference.hpp"

namespace kerbpool::test {

std::filesystem::path mitCapturePcapPath() {
  return referenceDir() / "captures" / "mit-kinit-kvno-curl.pcapng";
}

std::filesystem::path mitCaptureKeytabPath() {
  return referenceDir() / "captures" / "mit-kinit-kvno-curl.keytab";
}

std::filesystem::path mitCaptureTextPath() {
  return referenceDir() / "captures" / "mit-kinit-kvno-curl.txt";
}

std::vector<core::Bytes> mitCaptureKdcDatagrams() {
  std::vector<core::Bytes> out;
  for (auto& p : readPcapngPayloads(readFile(mitCapturePcapPath()))) {
    if (p.udp && (p.srcPort == kMitCaptureKdcPort || p.dstPort == kMitCaptureKdcPort)) {
      out.push_back(std::move(p.payload));
    }
  }
  INFO("UDP datagrams on port " << kMitCaptureKdcPort << " in " << mitCapturePcapPath().string());
  REQUIRE(out.size() == 6);
  return out;
}

std::string mitCaptureHttpHeader(std::string_view prefix) {
  for (const auto& p : readPcapngPayloads(readFile(mitCapturePcapPath()))) {
    if (p.udp || (p.srcPort != kMitCaptureHttpPort && p.dstPort != kMitCaptureHttpPort)) {
      continue;
    }
    const std::string text(p.payload.begin(), p.payload.end());
    // Header lines follow a CRLF (the request or status line comes first).
    const auto pos = text.find("\r\n" + std::string(prefix));
    if (pos == std::string::npos) {
      continue;
    }
    const auto start = pos + 2 + prefix.size();
    const auto end = text.find("\r\n", start);
    INFO("header '" << prefix << "' is not terminated within its TCP segment");
    REQUIRE(end != std::string::npos);
    return text.substr(start, end - start);
  }
  FAIL("no HTTP header line starting with '" << prefix << "' on TCP port " << kMitCaptureHttpPort);
  return {};
}

core::keytab::Keytab mitCaptureKeytab() {
  auto kt = core::keytab::Keytab::readFile(mitCaptureKeytabPath());
  INFO("keytab: " << (kt.ok() ? std::string("ok") : kt.error().message()));
  REQUIRE(kt.ok());
  return std::move(kt).value();
}

}  // namespace kerbpool::test
