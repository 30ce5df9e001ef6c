// Fuzz target: the MIT keytab reader (format 0x0502, holes, 8- and 32-bit kvnos). A parsed keytab can be
// stored (validate() holds, so serialize() does not throw) and reads back to the same entries.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/keytab/keytab.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace kerbpool;
namespace keytab = core::keytab;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<keytab::KeytabRecordLayout> layout;
  auto parsed = keytab::Keytab::parse(fuzz::bytesOf(data, size), &layout);
  if (!parsed.ok()) {
    return 0;
  }
  fuzz::check(layout.size() == parsed->size(), "keytab: one layout row per entry");
  for (const auto& entry : parsed->entries()) {
    (void)entry.principal();
    (void)parsed->find(entry.components, entry.realm, 0, entry.key.enctype,
                       keytab::PrincipalMatch::IgnoreCase);
  }
  auto valid = parsed->validate();
  fuzz::check(valid.ok(), "keytab: a parsed keytab does not validate: " +
                              (valid.ok() ? std::string() : valid.error().message()));
  const core::Bytes image = parsed->serialize();
  auto again = keytab::Keytab::parse(image);
  fuzz::check(again.ok(), "keytab: its own image does not parse");
  fuzz::check(again->entries() == parsed->entries(), "keytab: parse(serialize(k)) != k");
  return 0;
}
