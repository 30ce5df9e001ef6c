#include "core/der/der_time.hpp"

#include <string>

namespace kerbpool::core::der {
namespace {

// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's civil calendar algorithms).
std::int64_t daysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civilFromDays(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2 ? 1 : 0;
}

bool isLeap(std::int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned daysInMonth(std::int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && isLeap(y) ? 29 : kDays[m - 1];
}

}  // namespace

std::string formatGeneralizedTime(std::int64_t unixSeconds) {
  std::int64_t days = unixSeconds / 86400;
  std::int64_t rem = unixSeconds % 86400;
  if (rem < 0) {
    rem += 86400;
    days -= 1;
  }
  std::int64_t y = 0;
  unsigned m = 0;
  unsigned d = 0;
  civilFromDays(days, y, m, d);
  if (y < 0) {
    y = 0;
  }
  if (y > 9999) {
    y = 9999;
  }
  // Written digit by digit: this runs for every time field of every ticket a KDC issues, and snprintf
  // costs more than the rest of the conversion.
  std::string out(15, 'Z');
  auto put = [&out](std::size_t at, std::int64_t value, std::size_t digits) {
    for (std::size_t i = digits; i-- > 0;) {
      out[at + i] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
  };
  put(0, y, 4);
  put(4, m, 2);
  put(6, d, 2);
  put(8, rem / 3600, 2);
  put(10, (rem / 60) % 60, 2);
  put(12, rem % 60, 2);
  return out;
}

std::optional<std::int64_t> parseGeneralizedTime(std::string_view t) {
  if (t.size() != 15 || t[14] != 'Z') {
    return std::nullopt;
  }
  int v[14];
  for (int i = 0; i < 14; ++i) {
    if (t[i] < '0' || t[i] > '9') {
      return std::nullopt;
    }
    v[i] = t[i] - '0';
  }
  const std::int64_t year = v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3];
  const unsigned month = static_cast<unsigned>(v[4] * 10 + v[5]);
  const unsigned day = static_cast<unsigned>(v[6] * 10 + v[7]);
  const int hour = v[8] * 10 + v[9];
  const int minute = v[10] * 10 + v[11];
  const int second = v[12] * 10 + v[13];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 ||
      second > 59) {
    return std::nullopt;
  }
  return daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
}

}  // namespace kerbpool::core::der
