#include "sdk/tick_sources.hpp"

#include <phi/error.hpp>

#include "toolkit/fd.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>

namespace phi {
inline namespace v1 {

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

#if defined(__aarch64__)
// The generic timer's virtual count, readable at EL0 (Linux, and Xen dom0).
class GenericTimerTickSource : public TickSource {
 public:
  explicit GenericTimerTickSource(std::uint64_t hz) : hz_(hz) {
    if (hz_ == 0) asm volatile("mrs %0, cntfrq_el0" : "=r"(hz_));
  }
  std::uint64_t ticks() override {
    std::uint64_t v;
    asm volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
    return v;
  }
  std::uint64_t frequencyHz() const override { return hz_; }
  const char* name() const override { return "arm generic timer"; }

 private:
  std::uint64_t hz_;
};
#endif

bool hostMatches(const std::string& arch) {
#if defined(__aarch64__)
  return arch == "arm64";
#elif defined(__x86_64__)
  return arch == "x86_64";
#else
  (void)arch;
  return false;
#endif
}

}  // namespace

std::unique_ptr<TickSource> makeMonotonicTickSource() {
  return std::make_unique<MonotonicTickSource>();
}

std::unique_ptr<TickSource> makePlatformTickSource(const PlatformTemplate& platform, const std::string& device) {
  const TickSourceSpec& t = platform.tickSource();
  // Never read device memory of another machine's map: the same address on
  // this host may be anything.
  if (t.kind() == "mmio-counter" && (device != "/dev/mem" || hostMatches(platform.arch()))) {
    try {
      auto source = std::make_unique<MmioCounterTickSource>(device, t.address(), t.widthBits(), t.frequencyHz());
      if (counterAdvances(*source)) return source;
    } catch (const Error&) {
      // fall through to the monotonic clock
    }
  }
#if defined(__aarch64__)
  if (t.kind() == "arm-generic-timer") return std::make_unique<GenericTimerTickSource>(t.frequencyHz());
#endif
  return makeMonotonicTickSource();
}

}  // namespace v1
}  // namespace phi

namespace phi {

MmioCounterTickSource::MmioCounterTickSource(const std::string& device, std::uint64_t address, unsigned widthBits,
                                             std::uint64_t frequencyHz)
    : widthBits_(widthBits), frequencyHz_(frequencyHz) {
  if (widthBits != 32 && widthBits != 64) {
    throw Error(ErrorCode::InvalidArgument, "mmio counter width " + std::to_string(widthBits) + " is not 32 or 64");
  }
  if (address % (widthBits / 8) != 0) {
    throw Error(ErrorCode::InvalidArgument, "mmio counter address is not aligned to its width");
  }
  const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  const std::uint64_t base = address & ~(page - 1);
  const std::uint64_t offset = address - base;
  Fd fd(::open(device.c_str(), O_RDONLY | O_SYNC | O_CLOEXEC));
  if (!fd.valid()) throw Error(ErrorCode::IoError, "cannot open " + device + ": " + std::strerror(errno));
  mapSize_ = static_cast<std::size_t>(page);
  void* m = ::mmap(nullptr, mapSize_, PROT_READ, MAP_SHARED, fd.get(), static_cast<off_t>(base));
  if (m == MAP_FAILED) {
    throw Error(ErrorCode::IoError, "cannot map " + device + " at the counter's page: " + std::strerror(errno));
  }
  map_ = m;
  counter_ = static_cast<const volatile unsigned char*>(m) + offset;
}

MmioCounterTickSource::~MmioCounterTickSource() {
  if (map_) ::munmap(map_, mapSize_);
}

std::uint64_t MmioCounterTickSource::ticks() {
  if (widthBits_ == 32) return *static_cast<const volatile std::uint32_t*>(counter_);
  return *static_cast<const volatile std::uint64_t*>(counter_);
}

bool counterAdvances(TickSource& source) {
  std::uint64_t first = source.ticks();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(1);
  while (std::chrono::steady_clock::now() < deadline) {
    if (source.ticks() != first) return true;
  }
  return false;
}

}  // namespace phi
