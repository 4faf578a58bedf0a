#include "toolkit/clock.hpp"

#include <cstdio>
#include <ctime>

namespace phi {

std::string rfc3339Utc(std::chrono::system_clock::time_point time, unsigned fractionDigits) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
  auto seconds = static_cast<std::time_t>(ns / 1000000000);
  long long fraction = ns % 1000000000;
  if (fraction < 0) {  // before 1970: floor, not truncation
    fraction += 1000000000;
    --seconds;
  }
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[64];
  std::size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &tm);
  if (fractionDigits > 0) {
    if (fractionDigits > 9) fractionDigits = 9;
    long long scaled = fraction;
    for (unsigned d = 9; d > fractionDigits; --d) scaled /= 10;
    std::snprintf(buffer + n, sizeof buffer - n, ".%0*lld", static_cast<int>(fractionDigits), scaled);
    n += 1 + fractionDigits;
  }
  return std::string(buffer, n) + "Z";
}

}  // namespace phi
