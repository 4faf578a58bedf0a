#include <phi/tick_source.hpp>

#include <ctime>

namespace phi {

TickSource::~TickSource() = default;

namespace {

class MonotonicTickSource : public TickSource {
 public:
  std::uint64_t ticks() override {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<std::uint64_t>(ts.tv_nsec);
  }
  std::uint64_t frequencyHz() const override { return 1000000000ull; }
  const char* name() const override { return "monotonic"; }
};

}  // namespace

std::unique_ptr<TickSource> makeMonotonicTickSource() {
  return std::make_unique<MonotonicTickSource>();
}

}  // namespace phi
