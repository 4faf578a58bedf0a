// A platform template: one board's partitionable resources and what its
// hypervisor driver needs (platform-templates/*.json, docs/platform-templates.md).
#pragma once

#include <phi/export.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace phi {
inline namespace v1 {

// A range of physical memory. Its layout (two 64-bit numbers) is fixed and
// never grows.                                                        since 0.1
struct MemoryRange {
  std::uint64_t start = 0;
  std::uint64_t size = 0;
  std::uint64_t end() const { return start + size; }  // one past the last byte
  bool operator==(const MemoryRange&) const = default;
};

// Where phase timings read their ticks.                                since 0.2
class PHI_API TickSourceSpec {
 public:
  TickSourceSpec();  // monotonic, 1 GHz
  ~TickSourceSpec();
  TickSourceSpec(const TickSourceSpec&);
  TickSourceSpec& operator=(const TickSourceSpec&);
  TickSourceSpec(TickSourceSpec&&) noexcept;
  TickSourceSpec& operator=(TickSourceSpec&&) noexcept;

  const std::string& kind() const noexcept;  // "monotonic" | "mmio-counter" | "arm-generic-timer"
  TickSourceSpec& setKind(std::string kind);
  std::uint64_t address() const noexcept;  // mmio-counter: physical address of the counter
  TickSourceSpec& setAddress(std::uint64_t address);
  std::uint64_t frequencyHz() const noexcept;  // counter frequency
  TickSourceSpec& setFrequencyHz(std::uint64_t hz);
  unsigned widthBits() const noexcept;  // 32 or 64
  TickSourceSpec& setWidthBits(unsigned bits);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class PHI_API PlatformTemplate {
 public:
  PlatformTemplate();
  ~PlatformTemplate();
  PlatformTemplate(const PlatformTemplate&);
  PlatformTemplate& operator=(const PlatformTemplate&);
  PlatformTemplate(PlatformTemplate&&) noexcept;
  PlatformTemplate& operator=(PlatformTemplate&&) noexcept;

  const std::string& name() const noexcept;  // e.g. "qemu-arm64"
  PlatformTemplate& setName(std::string name);
  const std::string& description() const noexcept;
  PlatformTemplate& setDescription(std::string text);
  const std::string& driver() const noexcept;  // "jailhouse" | "xen" | "test"
  PlatformTemplate& setDriver(std::string name);
  const std::string& dialect() const noexcept;  // driver-specific format revision
  PlatformTemplate& setDialect(std::string dialect);
  const std::string& arch() const noexcept;  // "arm64" | "x86_64"
  PlatformTemplate& setArch(std::string arch);
  unsigned cpuCount() const noexcept;  // CPUs the machine has, ids 0..cpuCount-1
  PlatformTemplate& setCpuCount(unsigned count);
  const std::vector<int>& cpuPool() const noexcept;  // CPUs partitions may get (never the host's)
  PlatformTemplate& setCpuPool(std::vector<int> cpus);
  const std::vector<MemoryRange>& memoryPool() const noexcept;  // RAM partitions may get
  PlatformTemplate& setMemoryPool(std::vector<MemoryRange> ranges);
  std::uint64_t pageSize() const noexcept;
  PlatformTemplate& setPageSize(std::uint64_t bytes);
  std::uint64_t defaultMemoryBytes() const noexcept;  // when neither ZIC nor OCI sets it
  PlatformTemplate& setDefaultMemoryBytes(std::uint64_t bytes);
  const std::vector<int>& pciBdfPool() const noexcept;  // ivshmem BDFs partitions may get
  PlatformTemplate& setPciBdfPool(std::vector<int> bdfs);
  const std::vector<MemoryRange>& commWindows() const noexcept;  // shared-memory windows, one per channel
  PlatformTemplate& setCommWindows(std::vector<MemoryRange> windows);
  const std::vector<int>& rpuPool() const noexcept;  // real-time cores
  PlatformTemplate& setRpuPool(std::vector<int> rpus);
  const TickSourceSpec& tickSource() const noexcept;
  PlatformTemplate& setTickSource(TickSourceSpec spec);
  // The driver's own section ("jailhouse": {...}, "xen": {...}) as JSON text:
  // UART, irqchip, console, preamble values, bridge... The core never reads it.
  const std::string& driverSettingsJson() const noexcept;
  PlatformTemplate& setDriverSettingsJson(std::string json);
  const std::string& sourcePath() const noexcept;  // the file it was read from
  PlatformTemplate& setSourcePath(std::string path);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Parses and validates. Throws phi::Error naming the file and key: missing
// keys, wrong types, CPUs out of range or listed twice, overlapping or
// unaligned memory ranges, duplicate BDFs or RPUs.                    since 0.1
PHI_API PlatformTemplate parsePlatformTemplate(const std::string& json, const std::string& origin);
PHI_API PlatformTemplate loadPlatformTemplate(const std::string& path);  // since 0.1

}  // namespace v1
}  // namespace phi
