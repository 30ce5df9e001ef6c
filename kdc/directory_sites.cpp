// Sites, their shared Kerberos account, and the keys each front-end node holds.
#include <algorithm>
#include <mutex>

#include "kdc/directory.hpp"
#include "kdc/name_case.hpp"

namespace kerbpool::kdc {

namespace {

using core::ErrorCategory;
using core::makeError;

core::Error noSuchSite(std::string_view site) {
  return makeError(ErrorCategory::NotFound, std::string(directory_error::kNoSuchSite),
                   "no site '" + std::string(site) + "'");
}

void addName(std::vector<std::string>& names, std::string name) {
  bool present = std::any_of(names.begin(), names.end(),
                             [&](const std::string& n) { return equalsIgnoreCase(n, name); });
  if (!present) {
    names.push_back(std::move(name));
  }
}

// The names a key of this account answers to on a web front-end.
std::vector<std::string> namesFor(const Account& a, bool withHttpAliases) {
  std::vector<std::string> names;
  for (const auto& spn : a.servicePrincipalNames) {
    addName(names, spn);
  }
  if (withHttpAliases) {
    for (const auto& spn : a.servicePrincipalNames) {
      std::size_t slash = spn.find('/');
      if (slash != std::string::npos && equalsIgnoreCase(spn.substr(0, slash), "host")) {
        addName(names, "HTTP" + spn.substr(slash));
      }
    }
  }
  addName(names, a.samAccountName);
  return names;
}

void appendKeys(std::vector<HeldKey>& out, const std::string& sam, const std::vector<std::string>& names,
                const KeySet& ks) {
  for (const auto& k : ks.keys) {
    out.push_back({sam, names, ks.kvno, k});
  }
}

}  // namespace

core::Status Directory::addSite(std::string_view name) {
  if (name.empty()) {
    return makeError(ErrorCategory::Config, std::string(directory_error::kNoSuchSite), "empty site name");
  }
  std::unique_lock lock(mutex_);
  auto [it, inserted] = sites_.emplace(toLowerAscii(name), Site{std::string(name), std::nullopt});
  if (!inserted) {
    return makeError(ErrorCategory::Config, std::string(directory_error::kSiteExists),
                     "site '" + std::string(name) + "' already exists");
  }
  return core::okStatus();
}

std::vector<Site> Directory::sites() const {
  std::shared_lock lock(mutex_);
  std::vector<Site> out;
  for (const auto& [_, s] : sites_) {
    out.push_back(s);
  }
  return out;
}

std::optional<Site> Directory::site(std::string_view name) const {
  std::shared_lock lock(mutex_);
  auto it = sites_.find(toLowerAscii(name));
  if (it == sites_.end()) {
    return std::nullopt;
  }
  return it->second;
}

std::vector<std::string> Directory::nodesOf(std::string_view name) const {
  std::shared_lock lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [_, a] : accounts_) {
    if (a.kind == AccountKind::Computer && equalsIgnoreCase(a.site, name)) {
      out.push_back(a.samAccountName);
    }
  }
  return out;
}

core::Status Directory::setSite(std::string_view sam, std::string_view site) {
  std::unique_lock lock(mutex_);
  Account* a = findLocked(sam);
  if (a == nullptr) {
    return noSuchAccountError(sam);
  }
  if (!site.empty() && sites_.find(toLowerAscii(site)) == sites_.end()) {
    return noSuchSite(site);
  }
  a->site = std::string(site);
  return core::okStatus();
}

core::Status Directory::assignKerberosAccount(std::string_view site, std::string_view sam) {
  std::unique_lock lock(mutex_);
  auto it = sites_.find(toLowerAscii(site));
  if (it == sites_.end()) {
    return noSuchSite(site);
  }
  const Account* a = findLocked(sam);
  if (a == nullptr) {
    return noSuchAccountError(sam);
  }
  it->second.kerberosAccount = a->samAccountName;
  return core::okStatus();
}

core::Status Directory::deliverKeys(std::string_view sam, std::string_view node) {
  std::unique_lock lock(mutex_);
  const Account* a = findLocked(sam);
  if (a == nullptr) {
    return noSuchAccountError(sam);
  }
  const Account* n = findLocked(node);
  if (n == nullptr) {
    return noSuchAccountError(node);
  }
  if (n->kind != AccountKind::Computer) {
    return makeError(ErrorCategory::Config, std::string(directory_error::kNotAComputer),
                     "'" + n->samAccountName + "' is not a computer account: only nodes receive keys");
  }
  if (n == a) {
    return makeError(ErrorCategory::Config, std::string(directory_error::kBadAccount),
                     "'" + n->samAccountName + "' holds its own keys already");
  }
  const KeySet* current = a->currentKeys();
  if (current == nullptr) {
    return makeError(ErrorCategory::NotFound, std::string(directory_error::kNoKeys),
                     a->samAccountName + " has never had a password set");
  }
  auto& versions = delivered_[toLowerAscii(node)][toLowerAscii(sam)];
  bool held = std::any_of(versions.begin(), versions.end(),
                          [&](const KeySet& ks) { return ks.kvno == current->kvno; });
  if (!held) {
    versions.push_back(*current);
    std::sort(versions.begin(), versions.end(),
              [](const KeySet& x, const KeySet& y) { return x.kvno < y.kvno; });
  }
  return core::okStatus();
}

core::Result<std::vector<std::string>> Directory::deliverKeysToSite(std::string_view siteName) {
  auto s = site(siteName);
  if (!s) {
    return noSuchSite(siteName);
  }
  if (!s->kerberosAccount) {
    return makeError(ErrorCategory::Config, std::string(directory_error::kNoSuchAccount),
                     "site '" + s->name + "' has no Kerberos account assigned");
  }
  std::vector<std::string> reached;
  for (const auto& node : nodesOf(s->name)) {
    KP_CHECK(deliverKeys(*s->kerberosAccount, node));
    reached.push_back(node);
  }
  return reached;
}

core::Result<std::vector<HeldKey>> Directory::keysHeldBy(std::string_view node) const {
  std::shared_lock lock(mutex_);
  const Account* n = findLocked(node);
  if (n == nullptr) {
    return noSuchAccountError(node);
  }
  if (n->kind != AccountKind::Computer) {
    return makeError(ErrorCategory::Config, std::string(directory_error::kNotAComputer),
                     "'" + n->samAccountName + "' is not a computer account");
  }
  std::vector<HeldKey> out;
  // Windows keeps the machine password and the previous one (LSA secret $MACHINE.ACC, CurrVal/OldVal).
  const auto& history = n->keyHistory;
  std::size_t first = history.size() > 2 ? history.size() - 2 : 0;
  auto ownNames = namesFor(*n, true);
  for (std::size_t i = first; i < history.size(); ++i) {
    appendKeys(out, n->samAccountName, ownNames, history[i]);
  }
  auto it = delivered_.find(toLowerAscii(node));
  if (it != delivered_.end()) {
    for (const auto& [accountKey, versions] : it->second) {
      const Account* a = findLocked(accountKey);
      if (a == nullptr) {
        continue;
      }
      auto names = namesFor(*a, false);
      for (const auto& ks : versions) {
        appendKeys(out, a->samAccountName, names, ks);
      }
    }
  }
  return out;
}

std::vector<std::uint32_t> Directory::deliveredKvnos(std::string_view sam, std::string_view node) const {
  std::shared_lock lock(mutex_);
  std::vector<std::uint32_t> out;
  auto it = delivered_.find(toLowerAscii(node));
  if (it == delivered_.end()) {
    return out;
  }
  auto jt = it->second.find(toLowerAscii(sam));
  if (jt == it->second.end()) {
    return out;
  }
  for (const auto& ks : jt->second) {
    out.push_back(ks.kvno);
  }
  return out;
}

}  // namespace kerbpool::kdc
