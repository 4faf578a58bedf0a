#include "lifecycle/partition_name.hpp"

#include <cctype>
#include <cstdint>
#include <cstdio>

namespace phi {

std::string partitionNameFor(const std::string& runcRoot, const std::string& containerId, unsigned attempt) {
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a over root, NUL, id (, NUL, attempt)
  std::string key = runcRoot + std::string(1, '\0') + containerId;
  if (attempt > 0) key += std::string(1, '\0') + std::to_string(attempt);
  for (unsigned char c : key) h = (h ^ c) * 1099511628211ull;
  std::string readable;
  for (char c : containerId) {
    if (readable.size() == 18) break;
    unsigned char u = static_cast<unsigned char>(c);
    readable += std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '-';
  }
  char suffix[10];
  std::snprintf(suffix, sizeof suffix, "-%08x", static_cast<unsigned>(h ^ (h >> 32)));
  return "phi-" + readable + suffix;
}

}  // namespace phi
