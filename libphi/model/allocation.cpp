#include <phi/partition.hpp>

#include "model/value_class.hpp"

namespace phi {
inline namespace v1 {

struct PartitionRequest::Impl {
  unsigned cpus = 1;
  unsigned rpus = 0;
  std::uint64_t memoryBytes = 0;
  bool network = false;
  unsigned commChannels = 0;
};

PartitionRequest::PartitionRequest() : impl_(std::make_unique<Impl>()) {}
PHI_VALUE_CLASS_MEMBERS(PartitionRequest)
PHI_FIELD(PartitionRequest, unsigned, unsigned, cpus, setCpus, cpus)
PHI_FIELD(PartitionRequest, unsigned, unsigned, rpus, setRpus, rpus)
PHI_FIELD(PartitionRequest, std::uint64_t, std::uint64_t, memoryBytes, setMemoryBytes, memoryBytes)
PHI_FIELD(PartitionRequest, bool, bool, network, setNetwork, network)
PHI_FIELD(PartitionRequest, unsigned, unsigned, commChannels, setCommChannels, commChannels)

struct Allocation::Impl {
  std::vector<int> cpus;
  std::vector<MemoryRange> memory;
  std::vector<int> rpus;
  std::vector<int> pciBdfs;
  std::vector<MemoryRange> commWindows;
  std::string macAddress;
  bool operator==(const Impl&) const = default;
};

Allocation::Allocation() : impl_(std::make_unique<Impl>()) {}
PHI_VALUE_CLASS_MEMBERS(Allocation)
PHI_FIELD(Allocation, const std::vector<int>&, std::vector<int>, cpus, setCpus, cpus)
PHI_FIELD(Allocation, const std::vector<MemoryRange>&, std::vector<MemoryRange>, memory, setMemory, memory)
PHI_FIELD(Allocation, const std::vector<int>&, std::vector<int>, rpus, setRpus, rpus)
PHI_FIELD(Allocation, const std::vector<int>&, std::vector<int>, pciBdfs, setPciBdfs, pciBdfs)
PHI_FIELD(Allocation, const std::vector<MemoryRange>&, std::vector<MemoryRange>, commWindows, setCommWindows,
          commWindows)
PHI_FIELD(Allocation, const std::string&, std::string, macAddress, setMacAddress, macAddress)

bool Allocation::operator==(const Allocation& other) const noexcept {
  return *impl_ == *other.impl_;
}

bool Allocation::empty() const noexcept {
  const Impl& a = *impl_;
  return a.cpus.empty() && a.memory.empty() && a.rpus.empty() && a.pciBdfs.empty() && a.commWindows.empty() &&
         a.macAddress.empty();
}

}  // namespace v1
}  // namespace phi
