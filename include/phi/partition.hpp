// What a partitioned container asks for, and what it was given.
#pragma once

#include <phi/export.hpp>
#include <phi/oci_spec.hpp>
#include <phi/platform.hpp>
#include <phi/zic_config.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace phi {

// Derived from the OCI spec, the ZIC config and the platform by
// derivePartitionRequest(); see docs/partitions.md for the rules.
struct PartitionRequest {
  unsigned cpus = 1;              // application CPUs (0 for an RPU-only guest)
  unsigned rpus = 0;              // real-time cores (ZIC rpu_req)
  std::uint64_t memoryBytes = 0;  // page-aligned, > 0
  bool network = false;           // ZIC net: one virtual link (a PCI BDF and a shared window)
  unsigned commChannels = 0;      // shared-memory windows beyond the network link's
};

// Exactly what the resource managers handed out; release gives back exactly this.
struct Allocation {
  std::vector<int> cpus;
  std::vector<MemoryRange> memory;
  std::vector<int> rpus;
  std::vector<int> pciBdfs;              // the network link's BDF comes first
  std::vector<MemoryRange> commWindows;  // the network link's window comes first
  std::string macAddress;                // set when the request had a network link
  bool operator==(const Allocation&) const = default;
};

// Applies the rules: CPUs from ceil(cpu.quota / cpu.period), else the size of
// cpu.cpus, else 1 (with rpu_req they become RPUs); memory from the ZIC
// "memory" (MiB), else linux.resources.memory.limit, else the platform default.
// Throws phi::Error naming the field for a zero or unaligned size.
PHI_API PartitionRequest derivePartitionRequest(const OciSpec& spec, const ZicConfig& zic,
                                                const PlatformTemplate& platform);

// "0,2-3" → {0,2,3}; throws phi::Error(InvalidArgument) naming `what`.
PHI_API std::vector<int> parseCpuList(const std::string& text, const std::string& what);

}  // namespace phi
