#include "toolkit/hex.hpp"

#include <cinttypes>
#include <cstdio>

namespace phi {

HexNumber parseHex(std::string_view s) noexcept {
  HexNumber n;
  if (s.size() < 2 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) {
    n.error = HexError::NoPrefix;
    return n;
  }
  if (s.size() == 2) {
    n.error = HexError::NoDigits;
    return n;
  }
  unsigned significant = 0;
  for (std::size_t i = 2; i < s.size(); ++i) {
    char c = s[i];
    unsigned digit;
    if (c >= '0' && c <= '9') {
      digit = static_cast<unsigned>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      digit = static_cast<unsigned>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      digit = static_cast<unsigned>(c - 'A' + 10);
    } else {
      n.error = HexError::BadDigit;
      n.badChar = c;
      return n;
    }
    if (significant > 0 || digit != 0) ++significant;
    if (significant > 16) {
      n.error = HexError::TooWide;
      return n;
    }
    n.value = (n.value << 4) | digit;
  }
  return n;
}

std::string hexString(std::uint64_t value) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%" PRIx64, value);
  return buf;
}

std::string hexByte(unsigned char byte) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", byte);
  return buf;
}

}  // namespace phi
