#include "core/common/json_text.hpp"

#include "core/common/utf8.hpp"

namespace kerbpool::core {

void appendJsonString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (std::size_t i = 0; i < text.size();) {
    // A run that needs no escaping is appended whole.
    const std::size_t end =
        endOfPlainRun(text, i, [](unsigned char c) { return c >= 0x20 && c != '"' && c != '\\'; });
    out.append(text.substr(i, end - i));
    if (end == text.size()) {
      break;
    }
    i = end;
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      out.append("\xef\xbf\xbd");
      i += scanUtf8(text, i).length;
      continue;
    }
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        out.append("\\u00");
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xf]);
    }
    ++i;
  }
  out.push_back('"');
}

}  // namespace kerbpool::core
