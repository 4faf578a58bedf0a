// Where phase timings come from: the monotonic clock, or a platform counter
// the platform template names (a memory-mapped system counter, the ARM
// generic timer).
#pragma once

#include <phi/export.hpp>
#include <phi/platform.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace phi {
inline namespace v1 {

class PHI_API TickSource {
 public:
  virtual ~TickSource();
  virtual std::uint64_t ticks() = 0;
  virtual std::uint64_t frequencyHz() const = 0;
  virtual const char* name() const = 0;
};

// CLOCK_MONOTONIC in nanoseconds.                                     since 0.1
PHI_API std::unique_ptr<TickSource> makeMonotonicTickSource();

// The tick source the platform's tick_source asks for, when it works on
// this host: an mmio-counter mapped from `device` (only on a host of the
// board's architecture, and only if it counts), the ARM generic timer on
// arm64; otherwise the monotonic clock.                               since 0.2
PHI_API std::unique_ptr<TickSource> makePlatformTickSource(const PlatformTemplate& platform,
                                                           const std::string& device = "/dev/mem");

}  // namespace v1
}  // namespace phi
