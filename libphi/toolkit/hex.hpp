// "0x..." numbers: the one parser every format of runphi uses (platform
// templates, ZIC configs, Jailhouse cells), and the canonical way to print one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace phi {

enum class HexError {
  None,
  NoPrefix,  // does not start with 0x/0X
  NoDigits,  // "0x"
  BadDigit,  // a character that is not a hex digit (see `badChar`)
  TooWide,   // more than 64 significant bits
};

struct HexNumber {
  std::uint64_t value = 0;
  HexError error = HexError::None;
  char badChar = 0;
  explicit operator bool() const { return error == HexError::None; }
};

// Leading zeros are not significant: "0x0000000000000000001" fits.
HexNumber parseHex(std::string_view text) noexcept;

// "0x1f": lower case, no padding.
std::string hexString(std::uint64_t value);

// "0x0a": one byte, two digits, for messages about a byte in a string.
std::string hexByte(unsigned char byte);

}  // namespace phi
