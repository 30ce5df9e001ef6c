#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.hpp"
#include "core/crypto/enctype.hpp"
#include "core/keytab/keytab.hpp"

// The long-term keys one front-end node holds (its keytab, or what the scenario's directory delivered),
// looked up the way an Active Directory-issued ticket needs: SPN and realm compared ASCII
// case-insensitively.
namespace kerbpool::core::acceptor {

// One key. Several names may share it: an AD computer account's key serves "HOST/fe01.contoso.test" and
// every SPN registered on the account ("HTTP/pool.contoso.test").
struct AcceptorKey {
  std::vector<std::string> principalNames;  // components joined by '/', no realm: "HTTP/pool.contoso.test"
  std::string realm;                        // "CONTOSO.TEST"
  std::uint32_t kvno = 0;
  crypto::Key key;
};

// What a ticket asks for: its sname (components joined by '/'), its realm, the enc-part kvno (absent in
// some tickets) and the enc-part etype.
struct KeyQuery {
  std::string sname;
  std::string realm;
  std::optional<std::uint32_t> kvno;
  std::int32_t enctype = 0;
};

// Immutable once built and shared by every request of a node: re-keying builds a new AcceptorKeys (hold it
// as std::shared_ptr<const AcceptorKeys> and swap). Not synchronised internally.
class AcceptorKeys {
 public:
  AcceptorKeys() = default;
  // One entry per keytab record, principalNames = { components joined by '/' }.
  static AcceptorKeys fromKeytab(const keytab::Keytab& keytab);

  void add(AcceptorKey key) { keys_.push_back(std::move(key)); }
  const std::vector<AcceptorKey>& entries() const { return keys_; }
  bool empty() const { return keys_.empty(); }
  std::size_t size() const { return keys_.size(); }

  // The keys that may decrypt the ticket, best first. With a kvno: the keys of that kvno and enctype (one,
  // unless the node was given duplicates). Without one: every key of that sname and enctype, highest kvno
  // first (as MIT tries the whole keytab). Errors (see acceptor_error.hpp), each naming the SPN, kvno and
  // enctype:
  //   no_key_for_spn     nothing for this sname@realm; the detail lists the names this node holds,
  //   no_key_for_kvno    keys for the sname, not with this kvno; the detail lists the kvnos held,
  //   no_key_for_enctype this kvno (or, without a kvno, this sname) only with other enctypes, listed.
  Result<std::vector<const AcceptorKey*>> find(const KeyQuery& query) const;

  // Every principal name held, "name" or "name@REALM" when the realm differs from `realmForDisplay`
  // (case-insensitively), sorted and without duplicates (for details and logs).
  std::vector<std::string> heldNames(std::string_view realmForDisplay) const;
  // The kvnos held for a name, ascending, without duplicates.
  std::vector<std::uint32_t> kvnosFor(std::string_view sname, std::string_view realm) const;

 private:
  std::vector<AcceptorKey> keys_;
};

// ASCII case-insensitive equality, the SPN and realm comparison of Active Directory.
bool equalsIgnoreCase(std::string_view a, std::string_view b);
// "aes256-cts-hmac-sha1-96", or "enctype 99" for an id the enctype table does not know.
std::string enctypeName(std::int32_t enctype);

}  // namespace kerbpool::core::acceptor
