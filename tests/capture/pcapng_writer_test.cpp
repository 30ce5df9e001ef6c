#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "capture/pcapng_writer.hpp"
#include "tests/support/pcapng.hpp"
#include "tests/support/reference.hpp"
#include "tests/support/tools.hpp"

using namespace kerbpool;
using namespace kerbpool::capture;

namespace {

core::Bytes udpFrame(std::uint16_t sport, std::uint16_t dport, std::size_t payload) {
  core::Bytes f(14 + 28 + payload, 0x11);
  f[12] = 0x08;
  f[13] = 0x00;
  f[14] = 0x45;
  f[16] = static_cast<std::uint8_t>((28 + payload) >> 8);
  f[17] = static_cast<std::uint8_t>(28 + payload);
  f[23] = 17;
  f[34] = static_cast<std::uint8_t>(sport >> 8);
  f[35] = static_cast<std::uint8_t>(sport);
  f[36] = static_cast<std::uint8_t>(dport >> 8);
  f[37] = static_cast<std::uint8_t>(dport);
  return f;
}

}  // namespace

TEST_CASE("capture: the pcapng file holds the packets in order, mode 0600, with the section and interface") {
  test::TempDir dir;
  const std::string path = (dir / "run.pcapng").string();
  auto w = PcapngWriter::create(path, 0, "kerbpool test", "lo");
  REQUIRE(w.ok());
  REQUIRE(w->writePacket(1700000000123456789ull, udpFrame(5000, 88, 3)));
  REQUIRE(w->writePacket(1700000000223456789ull, udpFrame(88, 5000, 7)));
  REQUIRE(w->writeNames({{0x0a00000a, "DC01"}, {0x0a000064, "pool.contoso.test"}}));
  CHECK(w->packets() == 2);
  REQUIRE(w->close().ok());

  const core::Bytes file = test::readFile(path);
  CHECK(file.size() == w->bytes());
  REQUIRE(file.size() > 28);
  CHECK(file[0] == 0x0a);
  CHECK(file[1] == 0x0d);
  CHECK(file[8] == 0x4d);  // byte-order magic 0x1A2B3C4D, little-endian
  const auto packets = test::readPcapngPayloads(file);
  REQUIRE(packets.size() == 2);
  CHECK(packets[0].dstPort == 88);
  CHECK(packets[0].payload.size() == 3);
  CHECK(packets[1].srcPort == 88);
  CHECK(packets[1].payload.size() == 7);
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("capture: a size cap keeps the file under it and counts what it left out") {
  test::TempDir dir;
  const std::string path = (dir / "cap.pcapng").string();
  auto w = PcapngWriter::create(path, 1024, "kerbpool test", "lo");
  REQUIRE(w.ok());
  std::size_t written = 0;
  for (int i = 0; i < 20; ++i) {
    written += w->writePacket(static_cast<std::uint64_t>(i), udpFrame(5000, 88, 100)) ? 1 : 0;
  }
  CHECK(written > 0);
  CHECK(written < 20);
  CHECK(w->capped() == 20 - written);
  // A smaller packet after the cap stays out too: the file has no holes.
  CHECK_FALSE(w->writePacket(99, udpFrame(5000, 88, 0)));
  CHECK(w->capped() == 21 - written);
  // Names fill what is left, never more.
  (void)w->writeNames({{0x0a00000a, "DC01.contoso.test"}, {0x0a000064, std::string(600, 'x')}});
  CHECK(w->bytes() <= 1024);
  REQUIRE(w->close().ok());
  CHECK(test::readPcapngPayloads(test::readFile(path)).size() == written);
}

TEST_CASE("capture: a file that cannot be created is an Io error naming it") {
  auto w = PcapngWriter::create("/nonexistent-dir/x.pcapng", 0, "kerbpool test", "lo");
  REQUIRE_FALSE(w.ok());
  CHECK(w.error().category == core::ErrorCategory::Io);
  CHECK(w.error().detail.find("/nonexistent-dir/x.pcapng") != std::string::npos);
}
