#include "scenarios/report_text.hpp"

#include <cstdio>

namespace kerbpool::scenarios {

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string msText(double v) {
  return fixed(v, v < 10 ? 1 : 0) + " ms";
}

std::string wrap(const std::string& text, const std::string& indent, std::size_t width) {
  std::string out;
  std::string line = indent;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string::npos) {
      end = text.size();
    }
    const std::string word = text.substr(start, end - start);
    if (line.size() > indent.size() && line.size() + 1 + word.size() > width) {
      out += line + "\n";
      line = indent + "  ";
    }
    if (line.size() > indent.size() && line.back() != ' ') {
      line += ' ';
    }
    line += word;
    start = end + 1;
  }
  if (line.size() > indent.size()) {
    out += line + "\n";
  }
  return out;
}

}  // namespace kerbpool::scenarios
