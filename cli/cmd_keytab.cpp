// kerbpool keytab list FILE / kerbpool keytab add FILE ...: MIT keytab files (format 0x0502).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "core/common/clock.hpp"
#include "core/common/hex.hpp"
#include "core/common/principal_text.hpp"
#include "core/crypto/enctype.hpp"
#include "core/keytab/keytab.hpp"

namespace kerbpool::cli {
namespace {

namespace crypto = core::crypto;
using core::keytab::Keytab;
using core::keytab::KeytabEntry;

// Enctype names as MIT klist -e prints them (krb5_enctype_to_name), with the "DEPRECATED:" prefix that
// klist 1.20 puts before deprecated and unknown enctypes: the crypto table first, then this list for the
// ids kerbpool has no implementation of (so that listings match klist).
struct MitEnctypeName {
  std::int32_t id;
  const char* name;
  bool deprecated;
};
constexpr MitEnctypeName kMitEnctypeNames[] = {
    {16, "des3-cbc-sha1", true},
    {17, "aes128-cts-hmac-sha1-96", false},
    {18, "aes256-cts-hmac-sha1-96", false},
    {19, "aes128-cts-hmac-sha256-128", false},
    {20, "aes256-cts-hmac-sha384-192", false},
    {23, "arcfour-hmac", true},
    {24, "arcfour-hmac-exp", true},
    {25, "camellia128-cts-cmac", false},
    {26, "camellia256-cts-cmac", false},
};

// Extra spellings accepted by --enctype (MIT aliases and short forms).
struct EnctypeAlias {
  const char* alias;
  std::int32_t id;
};
constexpr EnctypeAlias kEnctypeAliases[] = {
    {"aes128", 17},     {"aes128-cts", 17},       {"aes256", 18},
    {"aes256-cts", 18}, {"rc4-hmac", 23},         {"arcfour-hmac-md5", 23},
    {"rc4", 23},        {"des3-cbc-sha1-kd", 16}, {"des3-hmac-sha1", 16},
};

std::string enctypeDisplayName(std::int32_t id) {
  if (const auto* info = crypto::findEnctype(id)) {
    return std::string(info->weak ? "DEPRECATED:" : "") + std::string(info->name);
  }
  for (const auto& n : kMitEnctypeNames) {
    if (n.id == id) {
      return std::string(n.deprecated ? "DEPRECATED:" : "") + n.name;
    }
  }
  return "DEPRECATED:etype " + std::to_string(id);
}

std::optional<std::int32_t> enctypeFromName(std::string name) {
  // "aes256-cts-hmac-sha1-96:normal" (kadmin's enctype:salttype form): only the normal salt is offered.
  if (const auto colon = name.find(':'); colon != std::string::npos) {
    if (name.substr(colon + 1) != "normal") {
      return std::nullopt;
    }
    name.resize(colon);
  }
  if (const auto* info = crypto::findEnctypeByName(name)) {
    return info->id;
  }
  for (const auto& n : kMitEnctypeNames) {
    if (name == n.name) {
      return n.id;
    }
  }
  for (const auto& a : kEnctypeAliases) {
    if (name == a.alias) {
      return a.id;
    }
  }
  if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos && name.size() < 6) {
    return std::stoi(name);
  }
  return std::nullopt;
}

// klist's short timestamp in the C locale: "11/23/26 04:53:20", local time.
std::string klistTime(std::uint32_t t) {
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  ::localtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%m/%d/%y %H:%M:%S", &tm);
  return buf;
}

void fail(const std::string& sentence) {
  std::fprintf(stderr, "kerbpool keytab: %s\n", sentence.c_str());
  setExitCode(1);
}

void fail(const core::Error& e) {
  fail(e.detail + " (" + e.code + ")");
}

void listKeytab(const std::string& file) {
  auto kt = Keytab::readFile(file);
  if (!kt.ok()) {
    fail(kt.error());
    return;
  }
  std::printf("Keytab name: FILE:%s\n", file.c_str());
  std::printf("KVNO Timestamp         Principal\n");
  std::printf("---- ----------------- %s\n", std::string(56, '-').c_str());
  for (const KeytabEntry& e : kt->entries()) {
    std::printf("%4u %s %s (%s) \n", e.kvno, klistTime(e.timestamp).c_str(), e.principal().c_str(),
                enctypeDisplayName(e.key.enctype).c_str());
  }
}

struct AddOptions {
  std::string file;
  std::string principal;
  std::string realm;
  std::string password;
  std::string keyHex;
  std::string salt;
  std::uint32_t kvno = 0;
  std::uint32_t nameType = 1;  // KRB5_NT_PRINCIPAL, as kadmin and ktutil write
  std::int64_t timestamp = -1;
  std::vector<std::string> enctypes;
  bool saltGiven = false;
  bool passwordGiven = false;
  bool keyHexGiven = false;
};

void addToKeytab(const AddOptions& o) {
  if (o.passwordGiven == o.keyHexGiven) {
    fail("give exactly one of --password and --key-hex");
    return;
  }
  auto principal = core::PrincipalText::parse(o.principal, o.realm);
  if (!principal.ok()) {
    fail("cannot use principal \"" + o.principal + "\": " + principal.error().detail);
    return;
  }
  std::vector<std::int32_t> enctypes;
  for (const auto& name : o.enctypes.empty()
                              ? std::vector<std::string>{"aes256-cts-hmac-sha1-96", "aes128-cts-hmac-sha1-96"}
                              : o.enctypes) {
    auto id = enctypeFromName(name);
    if (!id) {
      fail("unknown enctype \"" + name + "\"");
      return;
    }
    enctypes.push_back(*id);
  }
  if (o.keyHexGiven && enctypes.size() != 1) {
    fail("--key-hex needs exactly one --enctype");
    return;
  }

  Keytab kt;
  if (std::filesystem::exists(o.file)) {
    auto existing = Keytab::readFile(o.file);
    if (!existing.ok()) {
      fail(existing.error());
      return;
    }
    kt = std::move(*existing);
  }
  std::uint32_t kvno = o.kvno;
  if (kvno == 0) {
    kvno = 1;
    for (const auto* e : kt.entriesFor(principal->components, principal->realm)) {
      kvno = std::max(kvno, e->kvno + 1);
    }
  }
  std::string password = o.password;
  if (o.passwordGiven && password == "-") {
    std::getline(std::cin, password);
  }
  const std::string salt =
      o.saltGiven ? o.salt : crypto::mitDefaultSalt(principal->realm, principal->components);
  const std::uint32_t timestamp =
      o.timestamp >= 0 ? static_cast<std::uint32_t>(o.timestamp)
                       : static_cast<std::uint32_t>(core::toUnixSeconds(core::SystemClock().now()));

  for (const std::int32_t enctype : enctypes) {
    KeytabEntry e;
    e.components = principal->components;
    e.realm = principal->realm;
    e.nameType = o.nameType;
    e.timestamp = timestamp;
    e.kvno = kvno;
    if (o.keyHexGiven) {
      auto key = core::fromHex(o.keyHex);
      if (!key) {
        fail("--key-hex is not an even number of hex digits");
        return;
      }
      const auto* info = crypto::findEnctype(enctype);
      if (info != nullptr && key->size() != info->keyBytes) {
        fail("the " + std::string(info->name) + " key must be " + std::to_string(info->keyBytes) +
             " bytes, not " + std::to_string(key->size()));
        return;
      }
      e.key.enctype = enctype;
      e.key.value = std::move(*key);
    } else {
      auto key = crypto::stringToKey(enctype, password, salt);
      if (!key.ok()) {
        fail("cannot derive the " + enctypeDisplayName(enctype) + " key: " + key.error().detail);
        return;
      }
      e.key = std::move(*key);
    }
    kt.add(std::move(e));
  }
  std::fill(password.begin(), password.end(), '\0');
  if (auto st = kt.writeFile(o.file); !st.ok()) {
    fail(st.error());
    return;
  }
  std::printf("Added %zu key(s) for %s with kvno %u to %s\n", enctypes.size(), principal->format().c_str(),
              kvno, o.file.c_str());
}

}  // namespace

void registerKeytab(CLI::App& app) {
  auto* cmd = app.add_subcommand("keytab", "Read and write MIT keytab files (format 0x0502)");
  cmd->require_subcommand(1);
  cmd->footer("Example: kerbpool keytab list /tmp/pool.keytab");

  auto* list = cmd->add_subcommand("list", "List the keys in a keytab, like MIT klist -k -t -e");
  auto listFile = std::make_shared<std::string>();
  list->add_option("file", *listFile, "Keytab file")->required();
  list->footer("Example: kerbpool keytab list /tmp/pool.keytab");
  list->callback([listFile] { listKeytab(*listFile); });

  auto* add = cmd->add_subcommand("add", "Add keys for a principal to a keytab (created with mode 0600)");
  auto o = std::make_shared<AddOptions>();
  add->add_option("file", o->file, "Keytab file (created if missing, else appended to)")->required();
  add->add_option("--principal,-p", o->principal, "Principal, e.g. HTTP/pool.contoso.test@CONTOSO.TEST")
      ->required();
  add->add_option("--realm", o->realm, "Realm for a principal given without one");
  auto* pw = add->add_option("--password", o->password, "Password to derive the keys from ('-': read stdin)");
  auto* kh = add->add_option("--key-hex", o->keyHex, "The key itself, in hex (needs one --enctype)");
  auto* salt = add->add_option("--salt", o->salt, "Salt (default: MIT default salt, realm + components)");
  add->add_option("--kvno", o->kvno, "Key version (default: 1 + highest for the principal in the file)");
  add->add_option("--enctype,-e", o->enctypes,
                  "Enctype name, repeatable (default aes256-cts-hmac-sha1-96 and aes128-cts-hmac-sha1-96)");
  add->add_option("--name-type", o->nameType, "Principal name type (default 1, KRB5_NT_PRINCIPAL)");
  add->add_option("--timestamp", o->timestamp, "Timestamp in seconds since the epoch (default: now)");
  add->footer("Example: kerbpool keytab add /tmp/web.keytab -p HTTP/web.contoso.test@CONTOSO.TEST --password -");
  add->callback([o, pw, kh, salt] {
    o->passwordGiven = pw->count() > 0;
    o->keyHexGiven = kh->count() > 0;
    o->saltGiven = salt->count() > 0;
    addToKeytab(*o);
  });
}

}  // namespace kerbpool::cli
