// Wireshark (tshark) as a test peer: a kerbpool AS and TGS exchange, written to a pcap with text2pcap, must
// decode as Kerberos without a single malformed packet, and tshark must decrypt it with a keytab of the keys.
#include <catch2/catch.hpp>

#include <fstream>

#include "client/kdc_network.hpp"
#include "client/kerberos_client.hpp"
#include "core/common/hex.hpp"
#include "core/common/rng.hpp"
#include "kdc/keytab_export.hpp"
#include "tests/support/kdc_fixture.hpp"
#include "tests/support/tools.hpp"

using namespace kerbpool;

namespace {

// Remembers every request and reply that crosses it.
class RecordingTransport : public client::KdcTransport {
 public:
  explicit RecordingTransport(client::KdcTransport& inner) : inner_(inner) {}
  core::Result<core::Bytes> exchange(core::BytesView request) override {
    auto reply = inner_.exchange(request);
    packets.emplace_back(request.begin(), request.end());
    if (reply.ok()) {
      packets.push_back(*reply);
    }
    return reply;
  }
  std::vector<core::Bytes> packets;  // request, reply, request, reply...

 private:
  client::KdcTransport& inner_;
};

// text2pcap's input: one "offset hex" dump per packet, with the direction marker I (client to KDC) or O.
std::string hexdump(const std::vector<core::Bytes>& packets) {
  std::string out;
  for (std::size_t p = 0; p < packets.size(); ++p) {
    out += p % 2 == 0 ? "I\n" : "O\n";
    const auto& b = packets[p];
    for (std::size_t i = 0; i < b.size(); i += 16) {
      char off[32];
      std::snprintf(off, sizeof off, "%06zx ", i);
      out += off;
      for (std::size_t j = i; j < std::min(b.size(), i + 16); ++j) {
        out += core::toHex(core::BytesView(&b[j], 1)) + " ";
      }
      out += "\n";
    }
  }
  return out;
}

}  // namespace

TEST_CASE("tshark decodes kerbpool's AS and TGS exchange and decrypts it with a keytab", "[kdc][interop]") {
  test::KdcFixture kdc;
  client::KdcNetworkOptions netOptions;
  netOptions.kdcs.push_back(client::KdcAddress{"127.0.0.1", kdc.port()});
  client::KdcNetwork network(netOptions);
  RecordingTransport recorder(network);
  core::SystemClock clock;
  core::SeededRng rng(11);
  client::KerberosClientConfig config;
  config.realm = "CONTOSO.TEST";
  client::KerberosClient alice(recorder, clock, rng, config);
  REQUIRE(alice.getTgt("alice", "Passw0rd!").ok());
  REQUIRE(alice.getServiceTicket("HTTP/pool.contoso.test").ok());
  REQUIRE(recorder.packets.size() == 6);  // AS-REQ, PREAUTH_REQUIRED, AS-REQ, AS-REP, TGS-REQ, TGS-REP

  const auto dump = kdc.dir() / "exchange.txt";
  const auto pcap = kdc.dir() / "exchange.pcap";
  {
    std::ofstream f(dump);
    f << hexdump(recorder.packets);
  }
  auto made = test::runCommand(test::requireTool("text2pcap") + " -D -u 53000,88 " + dump.string() + " " +
                               pcap.string());
  INFO(made.output);
  REQUIRE(made.exitCode == 0);

  // Every key involved: alice, krbtgt and the shared account, as a keytab for tshark.
  core::keytab::Keytab keys;
  for (const char* sam : {"alice", "krbtgt", "POOLKERB$"}) {
    kdc::KeytabExportOptions o;
    o.principals = {std::string(sam) == "POOLKERB$" ? "HTTP/pool.contoso.test" : sam};
    auto kt = kdc::exportKeytab(kdc.directory(), sam, o);
    REQUIRE(kt.ok());
    for (const auto& e : kt->entries()) {
      keys.add(e);
    }
  }
  const auto keytab = kdc.dir() / "all.keytab";
  REQUIRE(keys.writeFile(keytab).ok());

  auto decoded = test::runCommand(test::requireTool("tshark") + " -r " + pcap.string() +
                                  " -o kerberos.decrypt:TRUE -o kerberos.file:" + keytab.string() + " -V");
  INFO(decoded.output.substr(0, 4000));
  REQUIRE(decoded.exitCode == 0);
  const std::string& v = decoded.output;
  CHECK(v.find("Malformed") == std::string::npos);
  CHECK(v.find("krb-as-req") != std::string::npos);
  CHECK(v.find("eRR-PREAUTH-REQUIRED") != std::string::npos);
  CHECK(v.find("krb-as-rep") != std::string::npos);
  CHECK(v.find("krb-tgs-req") != std::string::npos);
  CHECK(v.find("krb-tgs-rep") != std::string::npos);
  // Decrypted with the keytab: the parts only appear when tshark opened the ciphertexts.
  CHECK(v.find("encASRepPart") != std::string::npos);
  CHECK(v.find("encTGSRepPart") != std::string::npos);
  CHECK(v.find("Missing keytype") == std::string::npos);
}
