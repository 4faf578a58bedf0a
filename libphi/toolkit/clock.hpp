// Timestamps in the shapes runc and logrus print: RFC 3339 in UTC.
#pragma once

#include <chrono>
#include <string>

namespace phi {

// "2026-12-02T10:11:12Z" with `fractionDigits` 0, "...12.123456Z" with 6,
// "...12.123456789Z" with 9.
std::string rfc3339Utc(std::chrono::system_clock::time_point time, unsigned fractionDigits);

}  // namespace phi
