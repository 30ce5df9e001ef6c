#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/common/result.hpp"
#include "core/keytab/keytab.hpp"
#include "kdc/directory.hpp"

namespace kerbpool::kdc {

struct KeytabExportOptions {
  // Principal names (without realm) to write; empty: every SPN of the account plus its sAMAccountName.
  std::vector<std::string> principals;
  bool allKvnos = false;  // every retained key version, not only the current one
  // Which keys to write; empty: those of the account's msDS-SupportedEncryptionTypes (as ktpass -crypto
  // names what the account uses).
  std::vector<std::int32_t> enctypes;
  std::uint32_t timestamp = 0;  // keytab entry timestamp (Unix seconds)
};

// What `ktpass` / Lync's key distribution gives a front-end: the keys of one directory account as a keytab,
// under the names a service will be asked for (HTTP/pool.contoso.test@CONTOSO.TEST ...).
core::Result<core::keytab::Keytab> exportKeytab(const Directory& directory, const std::string& sam,
                                                const KeytabExportOptions& options);

}  // namespace kerbpool::kdc
