#include "scenarios/text_table.hpp"

#include <algorithm>

namespace kerbpool::scenarios {

namespace {

// Display width: UTF-8 continuation bytes do not count.
std::size_t width(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace

std::string TextTable::render(const std::string& indent) const {
  std::vector<std::size_t> widths(header_.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], width(row[i]));
    }
  };
  measure(header_);
  for (const auto& r : rows_) {
    measure(r);
  }
  auto line = [&](const std::vector<std::string>& row) {
    std::string out = indent;
    for (std::size_t i = 0; i < widths.size(); ++i) {
      const std::string cell = i < row.size() ? row[i] : "";
      const std::string pad(widths[i] - width(cell), ' ');
      out += i == 0 ? cell + pad : pad + cell;
      out += i + 1 < widths.size() ? "  " : "";
    }
    while (!out.empty() && out.back() == ' ') {
      out.pop_back();
    }
    return out + "\n";
  };
  std::string out = line(header_);
  std::size_t total = 0;
  for (auto w : widths) {
    total += w + 2;
  }
  out += indent + std::string(total > 2 ? total - 2 : 0, '-') + "\n";
  for (const auto& r : rows_) {
    out += line(r);
  }
  return out;
}

}  // namespace kerbpool::scenarios
