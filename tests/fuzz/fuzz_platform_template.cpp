// Platform templates (phi::parsePlatformTemplate), then the driver's own
// section as its driver reads it (xen, jailhouse). Refused with phi::Error, or
// the pools keep the documented rules: CPUs in range and distinct, memory
// ranges page-aligned, not wrapping and disjoint, BDFs and RPUs distinct.
#include "fuzz_support.hpp"
#include "jailhouse_settings.hpp"
#include "xen_settings.hpp"

#include <phi/error.hpp>
#include <phi/platform.hpp>

#include <algorithm>
#include <set>

namespace {

template <class T>
bool distinct(const std::vector<T>& v) {
  return std::set<T>(v.begin(), v.end()).size() == v.size();
}

void checkRanges(const std::vector<phi::MemoryRange>& ranges, std::uint64_t page, const char* what) {
  std::vector<phi::MemoryRange> sorted = ranges;
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.start < b.start; });
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    const phi::MemoryRange& r = sorted[i];
    phi::fuzz::require(r.size > 0 && r.start % page == 0 && r.size % page == 0, std::string(what) + " page-aligned");
    phi::fuzz::require(r.end() > r.start, std::string(what) + " does not wrap");
    if (i > 0) phi::fuzz::require(sorted[i - 1].end() <= r.start, std::string(what) + " ranges are disjoint");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text = phi::fuzz::bytesOf(data, size);
  phi::PlatformTemplate t;
  try {
    t = phi::parsePlatformTemplate(text, "platform.json");
  } catch (const phi::Error&) {
    return 0;
  }
  phi::fuzz::require(!t.cpuPool().empty() && t.cpuPool().size() < t.cpuCount(), "the host keeps a CPU");
  for (int cpu : t.cpuPool()) {
    phi::fuzz::require(cpu >= 0 && static_cast<unsigned>(cpu) < t.cpuCount(), "pool CPUs are in range");
  }
  phi::fuzz::require(distinct(t.cpuPool()), "pool CPUs are distinct");
  phi::fuzz::require(distinct(t.pciBdfPool()), "BDFs are distinct");
  phi::fuzz::require(distinct(t.rpuPool()), "RPUs are distinct");
  phi::fuzz::require(t.pageSize() != 0 && (t.pageSize() & (t.pageSize() - 1)) == 0, "page size is a power of two");
  checkRanges(t.memoryPool(), t.pageSize(), "memory.pool");
  std::vector<phi::MemoryRange> all = t.memoryPool();
  all.insert(all.end(), t.commWindows().begin(), t.commWindows().end());
  checkRanges(all, t.pageSize(), "memory.pool and comm.windows");

  try {
    if (t.driver() == "xen") phi::xen::parseXenSettings(t.driverSettingsJson(), "platform.json");
    if (t.driver() == "jailhouse") phi::jailhouse::parseJailhouseSettings(t);
  } catch (const phi::Error&) {
  }
  return 0;
}
