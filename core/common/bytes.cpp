#include "core/common/bytes.hpp"

namespace kerbpool::core {

bool constantTimeEqual(BytesView a, BytesView b) {
  if (a.size() != b.size()) {
    return false;
  }
  volatile std::uint8_t diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff = static_cast<std::uint8_t>(diff | (a[i] ^ b[i]));
  }
  return diff == 0;
}

void secureWipe(Bytes& b) {
  volatile std::uint8_t* p = b.data();
  for (std::size_t i = 0; i < b.size(); ++i) {
    p[i] = 0;
  }
  b.clear();
}

}  // namespace kerbpool::core
