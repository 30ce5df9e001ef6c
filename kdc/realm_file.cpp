// The realm file loader: the only file in kdc/ that includes nlohmann_json. Field errors are raised as a
// local exception carrying the JSON path and turned into a core::Error at the API boundary.
#include "kdc/realm_file.hpp"

#include <algorithm>
#include <atomic>
#include <fstream>
#include <initializer_list>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/common/json_fields.hpp"

#include "kdc/name_case.hpp"

namespace kerbpool::kdc {

namespace {

using json = nlohmann::json;
using namespace core::json_fields;

void checkRealmName(const std::string& realm) {
  bool ok = realm.front() != '.' && realm.back() != '.' && realm.find("..") == std::string::npos;
  for (char c : realm) {
    ok = ok && ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-');
  }
  if (!ok) {
    fail("realm", "'" + realm + "' must be an upper-case DNS name such as CONTOSO.TEST");
  }
}

// msDS-SupportedEncryptionTypes from MIT enctype names; Active Directory knows only these.
std::uint32_t enctypeMask(const std::vector<std::string>& names, const std::string& path) {
  std::uint32_t mask = 0;
  for (std::size_t i = 0; i < names.size(); ++i) {
    std::string n = toLowerAscii(names[i]);
    if (n == "aes256-cts-hmac-sha1-96" || n == "aes256-cts") {
      mask |= supported_enctypes::kAes256CtsHmacSha196;
    } else if (n == "aes128-cts-hmac-sha1-96" || n == "aes128-cts") {
      mask |= supported_enctypes::kAes128CtsHmacSha196;
    } else if (n == "rc4-hmac" || n == "arcfour-hmac") {
      mask |= supported_enctypes::kRc4Hmac;
    } else {
      fail(element(path, i), "'" + names[i] +
                                 "' is not an enctype Active Directory supports (aes256-cts-hmac-sha1-96, "
                                 "aes128-cts-hmac-sha1-96, rc4-hmac)");
    }
  }
  if (mask == 0) {
    fail(path, "must name at least one enctype");
  }
  return mask;
}

AccountKind parseKind(const std::string& kind, const std::string& path) {
  if (kind == "user") {
    return AccountKind::User;
  }
  if (kind == "computer") {
    return AccountKind::Computer;
  }
  if (kind == "service") {
    return AccountKind::ServiceAccount;
  }
  fail(path, "'" + kind + "' is not one of user, computer, service");
}

// Turns a directory error into a field error at `path`.
void check(const core::Status& status, const std::string& path) {
  if (!status.ok()) {
    fail(path, status.error().detail);
  }
}

struct PendingAccount {
  std::string path;
  std::string sam;
  std::string password;
  std::vector<std::string> spns;
};

void loadSites(const json& root, Directory& dir) {
  const json& sites = optArray(root, "", "sites");
  for (std::size_t i = 0; i < sites.size(); ++i) {
    std::string path = element("sites", i);
    requireObject(sites[i], path);
    checkKeys(sites[i], path, {"name", "kerberos_account"});
    check(dir.addSite(reqString(sites[i], path, "name")), member(path, "name"));
  }
}

std::vector<PendingAccount> loadAccounts(const json& root, Directory& dir) {
  const json* accounts = find(root, "accounts");
  if (accounts == nullptr) {
    fail("accounts", "missing (required)");
  }
  if (!accounts->is_array()) {
    fail("accounts", "expected an array");
  }
  std::vector<PendingAccount> pending;
  for (std::size_t i = 0; i < accounts->size(); ++i) {
    const json& a = (*accounts)[i];
    std::string path = element("accounts", i);
    requireObject(a, path);
    checkKeys(a, path,
              {"sam", "kind", "object_class", "password", "upn", "dns_host_name", "spns", "groups", "site",
               "enabled", "enctypes"});
    AccountSpec spec;
    spec.samAccountName = reqString(a, path, "sam");
    spec.kind = parseKind(reqString(a, path, "kind"), member(path, "kind"));
    if (auto oc = optString(a, path, "object_class")) {
      if (spec.kind != AccountKind::ServiceAccount) {
        fail(member(path, "object_class"), "only a service account chooses its object class");
      }
      if (*oc != "computer" && *oc != "user") {
        fail(member(path, "object_class"), "'" + *oc + "' is not one of computer, user");
      }
      spec.serviceObjectClass = *oc == "computer" ? ObjectClass::Computer : ObjectClass::User;
    }
    spec.userPrincipalName = optString(a, path, "upn").value_or("");
    if (auto host = optString(a, path, "dns_host_name")) {
      if (spec.kind != AccountKind::Computer) {
        fail(member(path, "dns_host_name"), "only computer accounts have a dNSHostName");
      }
      spec.dnsHostName = *host;
    } else if (spec.kind == AccountKind::Computer) {
      fail(member(path, "dns_host_name"), "missing (required for a computer account)");
    }
    spec.memberOf = optStringArray(a, path, "groups");
    spec.site = optString(a, path, "site").value_or("");
    if (!spec.site.empty() && !dir.site(spec.site)) {
      fail(member(path, "site"), "unknown site '" + spec.site + "' (declare it under \"sites\")");
    }
    if (const json* enabled = find(a, "enabled")) {
      if (!enabled->is_boolean()) {
        fail(member(path, "enabled"), "expected true or false");
      }
      spec.enabled = enabled->get<bool>();
    }
    if (find(a, "enctypes") != nullptr) {
      spec.supportedEncryptionTypes =
          enctypeMask(optStringArray(a, path, "enctypes"), member(path, "enctypes"));
    }
    PendingAccount p{path, spec.samAccountName, reqString(a, path, "password"), {}};
    p.spns = optStringArray(a, path, "spns");
    for (std::size_t s = 0; s < p.spns.size(); ++s) {
      auto parsed = parseSpn(p.spns[s]);
      if (!parsed.ok()) {
        fail(element(member(path, "spns"), s), parsed.error().detail);
      }
    }
    auto added = dir.addAccount(spec);
    if (!added.ok()) {
      const std::string& code = added.error().code;
      std::string field = code == directory_error::kUpnExists ? "upn" : "sam";
      fail(member(path, field), added.error().detail);
    }
    pending.push_back(std::move(p));
  }
  return pending;
}

Realm build(const json& root, EventLog& events) {
  requireObject(root, "");
  checkKeys(root, "",
            {"realm", "krbtgt_password", "krbtgt_enctypes", "default_domain_supported_enctypes",
             "ticket_lifetime_hours", "renew_lifetime_days", "spn_mappings", "sites", "accounts"});
  Realm realm;
  realm.settings.realm = reqString(root, "", "realm");
  checkRealmName(realm.settings.realm);
  // Active Directory's own ranges ("Maximum lifetime for user ticket": up to 99,999 hours; "... for user
  // ticket renewal": up to 99,999 days), so no duration can overflow on its way to seconds.
  if (auto h = optIntInRange(root, "", "ticket_lifetime_hours", 1, 99999)) {
    realm.settings.ticketLifetime = std::chrono::hours(*h);
  }
  if (auto d = optIntInRange(root, "", "renew_lifetime_days", 1, 99999)) {
    realm.settings.renewLifetime = std::chrono::hours(24 * *d);
  }
  if (realm.settings.renewLifetime < realm.settings.ticketLifetime) {
    fail("renew_lifetime_days", "shorter than ticket_lifetime_hours");
  }
  std::string krbtgtPassword = reqString(root, "", "krbtgt_password");
  realm.directory = std::make_unique<Directory>(realm.settings.realm, events);
  Directory& dir = *realm.directory;

  if (const json* v = find(root, "default_domain_supported_enctypes")) {
    const std::string path = "default_domain_supported_enctypes";
    if (!v->is_string() && !v->is_number_unsigned()) {
      fail(path, "expected a mask: a number (24) or a hex string (\"0x18\")");
    }
    auto mask = parseSupportedEnctypes(v->is_string() ? v->get<std::string>()
                                                      : std::to_string(v->get<std::uint64_t>()));
    if (!mask.ok()) {
      fail(path, mask.error().detail);
    }
    dir.setDefaultDomainSupportedEncTypes(*mask);
  }
  if (find(root, "spn_mappings") != nullptr) {
    SpnMappings mappings;
    auto values = optStringArray(root, "", "spn_mappings");
    for (std::size_t i = 0; i < values.size(); ++i) {
      check(mappings.addMappingValue(values[i]), element("spn_mappings", i));
    }
    dir.setSpnMappings(std::move(mappings));
  }
  loadSites(root, dir);
  auto pending = loadAccounts(root, dir);

  auto krbtgtKvno = dir.setKrbtgtPassword(krbtgtPassword);
  if (!krbtgtKvno.ok()) {
    fail("krbtgt_password", krbtgtKvno.error().message());
  }
  if (find(root, "krbtgt_enctypes") != nullptr) {
    check(dir.setSupportedEncryptionTypes(
              "krbtgt", enctypeMask(optStringArray(root, "", "krbtgt_enctypes"), "krbtgt_enctypes")),
          "krbtgt_enctypes");
  }
  // String-to-key (PBKDF2, 4096 iterations per AES key) is the slow part of loading a realm with many
  // users; Directory::setPassword derives outside its lock, so the accounts are keyed on every core.
  std::vector<std::optional<core::Result<std::uint32_t>>> kvnos(pending.size());
  {
    std::atomic<std::size_t> next{0};
    const auto work = [&] {
      for (std::size_t i = next++; i < pending.size(); i = next++) {
        kvnos[i].emplace(dir.setPassword(pending[i].sam, pending[i].password));
      }
    };
    const unsigned cores = std::max(1u, std::min(std::thread::hardware_concurrency(), 8u));
    std::vector<std::thread> helpers;
    for (unsigned t = 1; t < cores && t < pending.size(); ++t) {
      helpers.emplace_back(work);
    }
    work();
    for (auto& t : helpers) {
      t.join();
    }
  }
  for (std::size_t i = 0; i < pending.size(); ++i) {
    const auto& p = pending[i];
    const auto& kvno = *kvnos[i];
    if (!kvno.ok()) {
      fail(member(p.path, "password"), kvno.error().message());
    }
    // setspn -A: a realm file may hold duplicates on purpose (the per-node misconfiguration).
    for (std::size_t s = 0; s < p.spns.size(); ++s) {
      auto added = dir.addSpn(p.sam, p.spns[s]);
      if (!added.ok()) {
        fail(element(member(p.path, "spns"), s), added.error().detail);
      }
      if (added->outcome == SpnOutcome::AlreadyPresent) {
        fail(element(member(p.path, "spns"), s), "listed twice for this account");
      }
    }
  }
  const json& sites = optArray(root, "", "sites");
  for (std::size_t i = 0; i < sites.size(); ++i) {
    auto account = optString(sites[i], element("sites", i), "kerberos_account");
    if (!account) {
      continue;
    }
    std::string path = member(element("sites", i), "kerberos_account");
    std::string siteName = sites[i].at("name").get<std::string>();
    check(dir.assignKerberosAccount(siteName, *account), path);
    // The initial Set-CsKerberosAccountPassword: every node of the site gets the shared key.
    auto reached = dir.deliverKeysToSite(siteName);
    if (!reached.ok()) {
      fail(path, reached.error().detail);
    }
  }
  return realm;
}

core::Error badRealmFile(std::string detail) {
  return core::makeError(core::ErrorCategory::Config, "bad_realm_file", std::move(detail));
}

}  // namespace

core::Result<Realm> parseRealmFile(std::string_view jsonText, EventLog& events) {
  json root;
  if (auto problem = parseDocument(jsonText, root)) {
    return badRealmFile(std::move(*problem));
  }
  try {
    return build(root, events);
  } catch (const FieldError& e) {
    return badRealmFile(e.path + ": " + e.what);
  } catch (const json::exception& e) {
    return badRealmFile(std::string("unexpected JSON content: ") + e.what());
  }
}

core::Result<Realm> loadRealmFile(const std::filesystem::path& file, EventLog& events) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return core::makeError(core::ErrorCategory::Io, "cannot_read_file", file.string() + ": cannot open");
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto realm = parseRealmFile(text.str(), events);
  if (!realm.ok()) {
    core::Error e = std::move(realm).error();
    e.within(file.filename().string());
    return e;
  }
  return realm;
}

}  // namespace kerbpool::kdc
