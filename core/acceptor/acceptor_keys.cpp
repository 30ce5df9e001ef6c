#include "core/acceptor/acceptor_keys.hpp"

#include <algorithm>

#include "core/acceptor/acceptor_error.hpp"

namespace kerbpool::core::acceptor {

namespace {

char lowerAscii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool holdsName(const AcceptorKey& key, std::string_view sname, std::string_view realm) {
  if (!equalsIgnoreCase(key.realm, realm)) {
    return false;
  }
  return std::any_of(key.principalNames.begin(), key.principalNames.end(),
                     [&](const std::string& n) { return equalsIgnoreCase(n, sname); });
}

std::string joinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) {
    if (!out.empty()) {
      out += ", ";
    }
    out += n;
  }
  return out;
}

std::string kvnoText(const std::optional<std::uint32_t>& kvno) {
  return kvno ? "kvno " + std::to_string(*kvno) : std::string("no kvno");
}

template <class T, class F>
std::string joinValues(std::vector<T> values, F format) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  std::string out;
  for (const T& v : values) {
    if (!out.empty()) {
      out += ", ";
    }
    out += format(v);
  }
  return out;
}

}  // namespace

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lowerAscii(a[i]) != lowerAscii(b[i])) {
      return false;
    }
  }
  return true;
}

std::string enctypeName(std::int32_t enctype) {
  const crypto::EnctypeInfo* info = crypto::findEnctype(enctype);
  return info != nullptr ? std::string(info->name) : "enctype " + std::to_string(enctype);
}

AcceptorKeys AcceptorKeys::fromKeytab(const keytab::Keytab& keytab) {
  AcceptorKeys out;
  for (const keytab::KeytabEntry& e : keytab.entries()) {
    std::string name;
    for (const std::string& c : e.components) {
      if (!name.empty()) {
        name += '/';
      }
      name += c;
    }
    out.add(AcceptorKey{{std::move(name)}, e.realm, e.kvno, e.key});
  }
  return out;
}

std::vector<std::string> AcceptorKeys::heldNames(std::string_view realmForDisplay) const {
  std::vector<std::string> names;
  for (const AcceptorKey& k : keys_) {
    for (const std::string& n : k.principalNames) {
      names.push_back(equalsIgnoreCase(k.realm, realmForDisplay) ? n : n + "@" + k.realm);
    }
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

std::vector<std::uint32_t> AcceptorKeys::kvnosFor(std::string_view sname, std::string_view realm) const {
  std::vector<std::uint32_t> kvnos;
  for (const AcceptorKey& k : keys_) {
    if (holdsName(k, sname, realm)) {
      kvnos.push_back(k.kvno);
    }
  }
  std::sort(kvnos.begin(), kvnos.end());
  kvnos.erase(std::unique(kvnos.begin(), kvnos.end()), kvnos.end());
  return kvnos;
}

Result<std::vector<const AcceptorKey*>> AcceptorKeys::find(const KeyQuery& q) const {
  std::vector<const AcceptorKey*> forName;
  for (const AcceptorKey& k : keys_) {
    if (holdsName(k, q.sname, q.realm)) {
      forName.push_back(&k);
    }
  }
  const std::string etype = enctypeName(q.enctype);
  if (forName.empty()) {
    const std::vector<std::string> held = heldNames(q.realm);
    std::string detail = "no key for " + q.sname + " (" + kvnoText(q.kvno) + ", " + etype + ")";
    if (held.empty()) {
      detail += ": this node holds no keys";
    } else {
      detail += ": this node holds keys for " + joinNames(held);
    }
    return acceptorError(codes::kNoKeyForSpn, std::move(detail));
  }

  std::vector<const AcceptorKey*> forKvno;
  for (const AcceptorKey* k : forName) {
    if (!q.kvno || k->kvno == *q.kvno) {
      forKvno.push_back(k);
    }
  }
  if (forKvno.empty()) {
    std::vector<std::uint32_t> kvnos;
    for (const AcceptorKey* k : forName) {
      kvnos.push_back(k->kvno);
    }
    return acceptorError(codes::kNoKeyForKvno,
                         "no key for " + q.sname + " with kvno " + std::to_string(*q.kvno) + " (" + etype +
                             "): this node holds kvno " +
                             joinValues(kvnos, [](std::uint32_t v) { return std::to_string(v); }) +
                             " for it");
  }

  std::vector<const AcceptorKey*> out;
  std::vector<std::int32_t> otherEnctypes;
  for (const AcceptorKey* k : forKvno) {
    if (k->key.enctype == q.enctype) {
      out.push_back(k);
    } else {
      otherEnctypes.push_back(k->key.enctype);
    }
  }
  if (out.empty()) {
    return acceptorError(codes::kNoKeyForEnctype,
                         "no " + etype + " key for " + q.sname + " (" + kvnoText(q.kvno) +
                             "): this node holds it only as " +
                             joinValues(otherEnctypes, [](std::int32_t v) { return enctypeName(v); }));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const AcceptorKey* a, const AcceptorKey* b) { return a->kvno > b->kvno; });
  return out;
}

}  // namespace kerbpool::core::acceptor
