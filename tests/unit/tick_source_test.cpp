// libphi/sdk/tick_sources.cpp: the platform counters of the driver SDK.
#include <phi/driver/tick_source.hpp>
#include <phi/error.hpp>
#include <phi/platform.hpp>

#include "sdk/tick_sources.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;

namespace {

TEST(TickSource, ReadsTheCounterAtItsOffsetAndWidth) {
  fs::path file = fs::temp_directory_path() / ("phi-jh-mem-" + std::to_string(::getpid()));
  std::string page(8192, '\0');
  const std::uint64_t value = 0x1122334455667788ull;
  std::memcpy(&page[0x1250], &value, 8);
  std::ofstream(file, std::ios::binary) << page;
  phi::MmioCounterTickSource wide(file.string(), 0x1250, 64, 99990000);
  EXPECT_EQ(wide.ticks(), value);
  EXPECT_EQ(wide.frequencyHz(), 99990000u);
  phi::MmioCounterTickSource narrow(file.string(), 0x1250, 32, 99990000);
  EXPECT_EQ(narrow.ticks(), 0x55667788u);
  EXPECT_THROW(phi::MmioCounterTickSource(file.string(), 0x1252, 32, 1), phi::Error);  // unaligned
  EXPECT_THROW(phi::MmioCounterTickSource("/nonexistent/mem", 0, 32, 1), phi::Error);
  // A counter that does not count (QEMU: not a counter at that address)
  // falls back to the monotonic clock.
  phi::PlatformTemplate t = phi::loadPlatformTemplate(std::string(PHI_SOURCE_DIR) + "/platform-templates/zcu104.json");
  phi::TickSourceSpec spec = t.tickSource();
  t.setTickSource(spec.setAddress(0x1250));
  EXPECT_STREQ(phi::makePlatformTickSource(t, file.string())->name(), phi::makeMonotonicTickSource()->name());
  EXPECT_STREQ(phi::makePlatformTickSource(t, "/nonexistent/mem")->name(), phi::makeMonotonicTickSource()->name());
  fs::remove(file);
#if !defined(__aarch64__)
  // An arm64 board's counter is never mapped on another architecture.
  EXPECT_STREQ(phi::makePlatformTickSource(t)->name(), phi::makeMonotonicTickSource()->name());
#endif
}

}  // namespace
