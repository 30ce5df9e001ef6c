#include "tests/support/kdc_fixture.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "kdc/keytab_export.hpp"

namespace kerbpool::test {

std::filesystem::path sourceDir() {
  return std::filesystem::path(KERBPOOL_SOURCE_DIR);
}

std::string exampleRealmWithRc4() {
  std::ifstream in(sourceDir() / "examples" / "contoso.realm.json");
  std::stringstream text;
  text << in.rdbuf();
  std::string realm = text.str();
  const std::string all = R"(["aes256-cts-hmac-sha1-96", "aes128-cts-hmac-sha1-96", "rc4-hmac"],)";
  for (const auto& [after, field] : std::vector<std::pair<std::string, std::string>>{
           {R"("krbtgt_password": "Krbtgt-Lab-Only-1!",)", "krbtgt_enctypes"},
           {R"("password": "pool-shared-password-lab-only-1",)", "enctypes"}}) {
    const auto at = realm.find(after);
    REQUIRE(at != std::string::npos);
    realm.insert(at + after.size(), " \"" + field + "\": " + all);
  }
  return realm;
}

namespace {

kdc::Realm loadRealm(const KdcFixtureOptions& o, kdc::EventLog& events) {
  core::Result<kdc::Realm> r =
      o.realmJson.empty()
          ? kdc::loadRealmFile(
                o.realmFile.empty() ? sourceDir() / "examples" / "contoso.realm.json" : o.realmFile, events)
          : kdc::parseRealmFile(o.realmJson, events);
  INFO((r.ok() ? std::string() : r.error().message()));
  REQUIRE(r.ok());
  return std::move(*r);
}

}  // namespace

KdcFixture::KdcFixture(KdcFixtureOptions options) : events_(clock_), realm_(loadRealm(options, events_)) {
  kdc::KdcConfig config;
  config.realm = realm_.settings.realm;
  config.ticketLifetime = realm_.settings.ticketLifetime;
  config.renewLifetime = realm_.settings.renewLifetime;
  config.maxUdpReply = options.maxUdpReply;
  service_ = std::make_unique<kdc::KdcService>(config, *realm_.directory, events_, clock_, rng_);
  kdc::KdcServerConfig sc;
  sc.threads = 2;
  auto server = kdc::KdcServer::start(sc, *service_);
  INFO((server.ok() ? std::string() : server.error().message()));
  REQUIRE(server.ok());
  server_ = std::move(*server);
  writeKrb5Conf(options.extraLibdefaults);
}

KdcFixture::~KdcFixture() {
  if (server_) {
    server_->stop();
  }
}

std::uint16_t KdcFixture::port() const {
  return server_->port();
}

void KdcFixture::writeKrb5Conf(const std::string& extraLibdefaults) const {
  std::string lower = realm_.settings.realm;
  for (auto& c : lower) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  std::ofstream out(krb5Conf());
  out << "[libdefaults]\n"
      << "    default_realm = " << realm_.settings.realm << "\n"
      << "    dns_lookup_kdc = false\n    dns_lookup_realm = false\n    rdns = false\n"
      << "    dns_canonicalize_hostname = false\n"
      << extraLibdefaults << "\n"
      << "[realms]\n    " << realm_.settings.realm << " = {\n        kdc = 127.0.0.1:" << port()
      << "\n    }\n[domain_realm]\n    ." << lower << " = " << realm_.settings.realm << "\n";
  REQUIRE(out.good());
}

std::string KdcFixture::envPrefix() const {
  return "KRB5_CONFIG=" + shellQuote(krb5Conf().string()) +
         " KRB5CCNAME=" + shellQuote("FILE:" + ccache().string()) +
         " KRB5RCACHEDIR=" + shellQuote(dir().string()) + " ";
}

CommandResult KdcFixture::run(const std::string& commandLine) const {
  return runCommand(envPrefix() + commandLine);
}

CommandResult KdcFixture::kinit(const std::string& principal, const std::string& password) const {
  return runCommand("printf '%s\\n' " + shellQuote(password) + " | " + envPrefix() + requireTool("kinit") +
                    " " + shellQuote(principal));
}

core::keytab::Keytab KdcFixture::exportKeytab(const std::string& sam,
                                              const std::vector<std::string>& principals) {
  kdc::KeytabExportOptions o;
  o.principals = principals;
  o.timestamp = static_cast<std::uint32_t>(core::toUnixSeconds(clock_.now()));
  auto kt = kdc::exportKeytab(*realm_.directory, sam, o);
  INFO((kt.ok() ? std::string() : kt.error().message()));
  REQUIRE(kt.ok());
  return std::move(*kt);
}

}  // namespace kerbpool::test
