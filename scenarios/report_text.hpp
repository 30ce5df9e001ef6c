#pragma once

#include <cstddef>
#include <string>

// The terminal report's numbers in words and its wrapped lines (report.cpp, report_narrative.cpp,
// report_tables.cpp).
namespace kerbpool::scenarios {

// "12.35" for fixed(12.345, 2).
std::string fixed(double v, int decimals);
// "4.2 ms" below 10 ms, "42 ms" from there on.
std::string msText(double v);
// Words wrapped at `width` columns, every line starting with `indent`.
std::string wrap(const std::string& text, const std::string& indent, std::size_t width = 108);

}  // namespace kerbpool::scenarios
