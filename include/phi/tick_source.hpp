// Where phase timings come from. The active driver may supply a platform
// counter; the monotonic clock is the default.
#pragma once

#include <phi/export.hpp>

#include <cstdint>
#include <memory>

namespace phi {

class PHI_API TickSource {
 public:
  virtual ~TickSource();
  virtual std::uint64_t ticks() = 0;
  virtual std::uint64_t frequencyHz() const = 0;
  virtual const char* name() const = 0;
};

// CLOCK_MONOTONIC in nanoseconds.
PHI_API std::unique_ptr<TickSource> makeMonotonicTickSource();

}  // namespace phi
