// The platform counters behind makePlatformTickSource, declared for the unit
// tests: a free-running system counter read through /dev/mem (the ZynqMP
// counter at 0xff250000), and the check that a counter really counts.
#pragma once

#include <phi/driver/tick_source.hpp>

#include <cstdint>
#include <string>

namespace phi {

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

}  // namespace phi
