// What the fuzz targets share. A target returns normally for input the code
// refuses with phi::Error; every other exception escapes to libFuzzer (a
// crash), and a broken property aborts with what was expected.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace phi::fuzz {

[[noreturn]] inline void violated(const std::string& property, const std::string& detail = {}) {
  std::fprintf(stderr, "\n==fuzz== property violated: %s\n%s\n", property.c_str(), detail.c_str());
  std::abort();
}

inline void require(bool ok, const std::string& property, const std::string& detail = {}) {
  if (!ok) violated(property, detail);
}

inline std::string bytesOf(const std::uint8_t* data, std::size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

}  // namespace phi::fuzz
