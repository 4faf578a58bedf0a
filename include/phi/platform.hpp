// A platform template: one board's partitionable resources and what its
// hypervisor driver needs (platform-templates/*.json, docs/platform-templates.md).
#pragma once

#include <phi/export.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace phi {

struct MemoryRange {
  std::uint64_t start = 0;
  std::uint64_t size = 0;
  std::uint64_t end() const { return start + size; }  // one past the last byte
  bool operator==(const MemoryRange&) const = default;
};

// Where phase timings read their ticks.
struct TickSourceSpec {
  std::string kind = "monotonic";  // "monotonic" | "mmio-counter" | "arm-generic-timer"
  std::uint64_t address = 0;       // mmio-counter: physical address of the counter
  std::uint64_t frequencyHz = 0;   // counter frequency
  unsigned widthBits = 64;         // 32 or 64
};

struct PlatformTemplate {
  std::string name;  // e.g. "qemu-arm64"
  std::string description;
  std::string driver;                   // "jailhouse" | "xen" | "test"
  std::string dialect;                  // driver-specific format revision
  std::string arch;                     // "arm64" | "x86_64"
  unsigned cpuCount = 0;                // CPUs the machine has, ids 0..cpuCount-1
  std::vector<int> cpuPool;             // CPUs partitions may get (never the host's)
  std::vector<MemoryRange> memoryPool;  // RAM partitions may get
  std::uint64_t pageSize = 4096;
  std::uint64_t defaultMemoryBytes = 64ull * 1024 * 1024;  // when neither ZIC nor OCI sets it
  std::vector<int> pciBdfPool;                             // ivshmem BDFs partitions may get
  std::vector<MemoryRange> commWindows;                    // shared-memory windows, one per channel
  std::vector<int> rpuPool;                                // real-time cores
  TickSourceSpec tickSource;
  // The driver's own section ("jailhouse": {...}, "xen": {...}) as JSON text:
  // UART, irqchip, console, preamble values, bridge... The core never reads it.
  std::string driverSettingsJson;
  std::string sourcePath;
};

// Parses and validates. Throws phi::Error naming the file and key: missing
// keys, wrong types, CPUs out of range or listed twice, overlapping or
// unaligned memory ranges, duplicate BDFs or RPUs.
PHI_API PlatformTemplate parsePlatformTemplate(const std::string& json, const std::string& origin);
PHI_API PlatformTemplate loadPlatformTemplate(const std::string& path);

}  // namespace phi
