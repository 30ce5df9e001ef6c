#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.hpp"
#include "core/crypto/enctype.hpp"

namespace kerbpool::kdc {

// What an account is for. A ServiceAccount is a site's shared Kerberos account (Lync's
// New-CsKerberosAccount, Exchange's Alternate Service Account credential).
enum class AccountKind { User, Computer, ServiceAccount };

// The object class the account is stored as; it decides the salt. Users are user objects and computers are
// computer objects; a ServiceAccount may be either (Lync creates a computer object unless told otherwise).
enum class ObjectClass { User, Computer };

std::string_view toString(AccountKind kind);
std::string_view toString(ObjectClass objectClass);

// msDS-SupportedEncryptionTypes bits (MS-KILE 2.2.7).
namespace supported_enctypes {
constexpr std::uint32_t kDesCbcCrc = 0x1;
constexpr std::uint32_t kDesCbcMd5 = 0x2;
constexpr std::uint32_t kRc4Hmac = 0x4;
constexpr std::uint32_t kAes128CtsHmacSha196 = 0x8;
constexpr std::uint32_t kAes256CtsHmacSha196 = 0x10;
// AES session keys even when the ticket is sealed with RC4 (the "-SK" bit, KB5021131).
constexpr std::uint32_t kAesSessionKeys = 0x20;
// The attribute is absent: the KDC applies DefaultDomainSupportedEncTypes instead.
constexpr std::uint32_t kNotSet = 0;
constexpr std::uint32_t kDefault = kAes256CtsHmacSha196 | kAes128CtsHmacSha196;
// DefaultDomainSupportedEncTypes (the KDC's registry value for accounts without the attribute): AES only,
// the default that KB5073381 enforces from April 2026. 0x27 was the default from November 2022 (KB5021131):
// RC4 tickets with AES session keys.
constexpr std::uint32_t kDefaultDomainSupported = kDefault;
constexpr std::uint32_t kDefaultDomainSupportedNov2022 = kDesCbcCrc | kDesCbcMd5 | kRc4Hmac | kAesSessionKeys;
}  // namespace supported_enctypes

// "0x18 (AES256, AES128)": a mask as admins read it in ADSI Edit, with the enctypes it names.
std::string describeSupportedEnctypes(std::uint32_t mask);
// A DefaultDomainSupportedEncTypes or msDS-SupportedEncryptionTypes value as admins write it: "0x27" or
// "39". It must lie in 0x1..0x3F and allow RC4 or AES (kerbpool's DC derives no DES key). Errors say why.
core::Result<std::uint32_t> parseSupportedEnctypes(std::string_view text);

// The bit for an enctype number (18 -> 0x10, 17 -> 0x8, 23 -> 0x4); 0 for enctypes AD does not know.
std::uint32_t supportedEnctypeBit(std::int32_t enctype);
// Enctype numbers present in a mask, strongest first (18, 17, 23).
std::vector<std::int32_t> enctypesInMask(std::uint32_t mask);

// The enctypes Active Directory derives a key for on every password set, whatever the account supports.
const std::vector<std::int32_t>& directoryKeyEnctypes();

// The long-term keys of one key version (one password set): one key per enctype.
struct KeySet {
  std::uint32_t kvno = 0;
  std::vector<core::crypto::Key> keys;

  const core::crypto::Key* keyFor(std::int32_t enctype) const;
};

// One directory object. Passwords are never stored: a password set derives the keys and forgets it.
struct Account {
  std::string samAccountName;  // "alice", "FE01$", "POOLKERB$"; unique, compared case-insensitively
  AccountKind kind = AccountKind::User;
  ObjectClass objectClass = ObjectClass::User;
  std::string userPrincipalName;  // "alice@contoso.test"; empty when not set
  std::vector<std::string> servicePrincipalNames;
  std::string dnsHostName;  // computers: "fe01.contoso.test"
  // msDS-SupportedEncryptionTypes; kNotSet (absent) means DefaultDomainSupportedEncTypes applies.
  std::uint32_t supportedEncryptionTypes = supported_enctypes::kNotSet;
  std::vector<std::string> memberOf;  // group names
  std::string site;                   // computers: the site the node belongs to
  bool enabled = true;
  std::string distinguishedName;       // "CN=FE01,CN=Computers,DC=contoso,DC=test"
  std::string salt;                    // the AD salt for this account (ETYPE-INFO2)
  std::uint32_t keyVersionNumber = 0;  // msDS-KeyVersionNumber; 0 until the first password set
  std::vector<KeySet> keyHistory;      // every key version, oldest first; back() is the current one

  const KeySet* currentKeys() const { return keyHistory.empty() ? nullptr : &keyHistory.back(); }
  const KeySet* keysForKvno(std::uint32_t kvno) const;
};

// What an account is created with (no password: call Directory::setPassword afterwards).
struct AccountSpec {
  std::string samAccountName;
  AccountKind kind = AccountKind::User;
  // Only consulted for ServiceAccount; Users are always user objects and Computers computer objects.
  ObjectClass serviceObjectClass = ObjectClass::Computer;
  std::string userPrincipalName;
  std::string dnsHostName;
  std::uint32_t supportedEncryptionTypes = supported_enctypes::kNotSet;  // absent unless the realm sets it
  std::vector<std::string> memberOf;
  std::string site;
  bool enabled = true;
};

}  // namespace kerbpool::kdc
