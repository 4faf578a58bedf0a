// What a partitioned container asks for, and what it was given.
#pragma once

#include <phi/export.hpp>
#include <phi/oci_spec.hpp>
#include <phi/platform.hpp>
#include <phi/zic_config.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace phi {
inline namespace v1 {

// Derived from the OCI spec, the ZIC config and the platform by
// derivePartitionRequest(); see docs/partitions.md for the rules.     since 0.2
class PHI_API PartitionRequest {
 public:
  PartitionRequest();  // one CPU, nothing else
  ~PartitionRequest();
  PartitionRequest(const PartitionRequest&);
  PartitionRequest& operator=(const PartitionRequest&);
  PartitionRequest(PartitionRequest&&) noexcept;
  PartitionRequest& operator=(PartitionRequest&&) noexcept;

  unsigned cpus() const noexcept;  // application CPUs (0 for an RPU-only guest)
  PartitionRequest& setCpus(unsigned n);
  unsigned rpus() const noexcept;  // real-time cores (ZIC rpu_req)
  PartitionRequest& setRpus(unsigned n);
  std::uint64_t memoryBytes() const noexcept;  // page-aligned, > 0
  PartitionRequest& setMemoryBytes(std::uint64_t bytes);
  bool network() const noexcept;  // ZIC net: one virtual link (a PCI BDF and a shared window)
  PartitionRequest& setNetwork(bool on);
  unsigned commChannels() const noexcept;  // shared-memory windows beyond the network link's
  PartitionRequest& setCommChannels(unsigned n);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Exactly what the resource managers handed out; release gives back exactly
// this.                                                               since 0.2
class PHI_API Allocation {
 public:
  Allocation();  // nothing
  ~Allocation();
  Allocation(const Allocation&);
  Allocation& operator=(const Allocation&);
  Allocation(Allocation&&) noexcept;
  Allocation& operator=(Allocation&&) noexcept;
  bool operator==(const Allocation& other) const noexcept;

  const std::vector<int>& cpus() const noexcept;
  Allocation& setCpus(std::vector<int> cpus);
  const std::vector<MemoryRange>& memory() const noexcept;
  Allocation& setMemory(std::vector<MemoryRange> ranges);
  const std::vector<int>& rpus() const noexcept;
  Allocation& setRpus(std::vector<int> rpus);
  const std::vector<int>& pciBdfs() const noexcept;  // the network link's BDF comes first
  Allocation& setPciBdfs(std::vector<int> bdfs);
  const std::vector<MemoryRange>& commWindows() const noexcept;  // the network link's window comes first
  Allocation& setCommWindows(std::vector<MemoryRange> windows);
  const std::string& macAddress() const noexcept;  // set when the request had a network link
  Allocation& setMacAddress(std::string mac);
  bool empty() const noexcept;  // holds nothing at all

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Applies the rules: CPUs from ceil(cpu.quota / cpu.period), else the size of
// cpu.cpus, else 1 (with rpu_req they become RPUs); memory from the ZIC
// "memory" (MiB), else linux.resources.memory.limit, else the platform default.
// Throws phi::Error naming the field for a zero or unaligned size.    since 0.1
PHI_API PartitionRequest derivePartitionRequest(const OciSpec& spec, const ZicConfig& zic,
                                                const PlatformTemplate& platform);

// "0,2-3" → {0,2,3}; throws phi::Error(InvalidArgument) naming `what`.  since 0.1
PHI_API std::vector<int> parseCpuList(const std::string& text, const std::string& what);

}  // namespace v1
}  // namespace phi
