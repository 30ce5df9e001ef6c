// Keytab lookups: by principal, kvno and enctype.
#include "core/keytab/keytab.hpp"

#include "core/common/principal_text.hpp"

namespace kerbpool::core::keytab {
namespace {

char asciiLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool equalIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (asciiLower(a[i]) != asciiLower(b[i])) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string KeytabEntry::principal() const {
  return formatPrincipal(components, realm);
}

bool principalMatches(const KeytabEntry& entry, const std::vector<std::string>& components,
                      std::string_view realm, PrincipalMatch match) {
  if (entry.components.size() != components.size()) {
    return false;
  }
  const bool realmOk =
      match == PrincipalMatch::IgnoreCase ? equalIgnoringCase(entry.realm, realm) : entry.realm == realm;
  if (!realmOk) {
    return false;
  }
  for (std::size_t i = 0; i < components.size(); ++i) {
    const bool same = match == PrincipalMatch::Exact ? entry.components[i] == components[i]
                                                     : equalIgnoringCase(entry.components[i], components[i]);
    if (!same) {
      return false;
    }
  }
  return true;
}

const KeytabEntry* Keytab::find(const std::vector<std::string>& components, std::string_view realm,
                                std::uint32_t kvno, std::int32_t enctype, PrincipalMatch match) const {
  const KeytabEntry* best = nullptr;
  for (const KeytabEntry& e : entries_) {
    if (e.key.enctype != enctype || !principalMatches(e, components, realm, match)) {
      continue;
    }
    if (kvno != 0) {
      if (e.kvno == kvno) {
        return &e;
      }
    } else if (best == nullptr || e.kvno > best->kvno) {
      best = &e;
    }
  }
  return best;
}

std::vector<const KeytabEntry*> Keytab::entriesFor(const std::vector<std::string>& components,
                                                   std::string_view realm, PrincipalMatch match) const {
  std::vector<const KeytabEntry*> out;
  for (const KeytabEntry& e : entries_) {
    if (principalMatches(e, components, realm, match)) {
      out.push_back(&e);
    }
  }
  return out;
}

}  // namespace kerbpool::core::keytab
