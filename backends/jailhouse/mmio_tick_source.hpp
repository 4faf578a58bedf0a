// The platform's free-running system counter read through /dev/mem (the
// ZynqMP counter at 0xff250000), or the monotonic clock when it cannot be
// mapped (no permission, another architecture, a counter that does not count).
#pragma once

#include <phi/platform.hpp>
#include <phi/tick_source.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace phi::jailhouse {

class MmioCounterTickSource : public TickSource {
 public:
  // Maps the page holding `address` from `device`. Throws phi::Error when it
  // cannot (callers fall back to the monotonic clock).
  MmioCounterTickSource(const std::string& device, std::uint64_t address, unsigned widthBits,
                        std::uint64_t frequencyHz);
  ~MmioCounterTickSource() override;
  MmioCounterTickSource(const MmioCounterTickSource&) = delete;
  MmioCounterTickSource& operator=(const MmioCounterTickSource&) = delete;

  std::uint64_t ticks() override;
  std::uint64_t frequencyHz() const override { return frequencyHz_; }
  const char* name() const override { return "mmio-counter"; }

 private:
  void* map_ = nullptr;
  std::size_t mapSize_ = 0;
  const volatile void* counter_ = nullptr;
  unsigned widthBits_;
  std::uint64_t frequencyHz_;
};

// True when the counter advances within about a millisecond.
bool counterAdvances(TickSource& source);

// The tick source for `platform`: an mmio-counter when its tick_source says
// so and the counter maps and counts on this host (same architecture as the
// board), else CLOCK_MONOTONIC. `device` is /dev/mem except in tests.
std::unique_ptr<TickSource> makePlatformTickSource(const PlatformTemplate& platform,
                                                   const std::string& device = "/dev/mem");

}  // namespace phi::jailhouse
