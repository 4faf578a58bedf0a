// One manager per kind of resource. Each hands out part of an Allocation from
// the platform's pool and takes back exactly what it handed out.
#pragma once

#include <phi/partition.hpp>
#include <phi/platform.hpp>

#include <memory>
#include <string>
#include <vector>

namespace phi {

// What is free, as the managers see it after claiming every record.
struct FreeResources {
  std::vector<int> cpus, rpus, pciBdfs;
  std::vector<MemoryRange> memory, commWindows;
  bool operator==(const FreeResources&) const = default;
};

// What the hypervisor reports as in use, runphi's own partitions included
// (Driver::busyCpus): one allocation skips what no record holds.
struct HeldByHypervisor {
  std::vector<int> cpus;
};

class ResourceManager {
 public:
  virtual ~ResourceManager() = default;
  virtual const char* name() const = 0;
  // Adds this manager's share of `request` to `out`; throws when it does not fit.
  virtual void allocate(const PartitionRequest& request, const std::string& owner, Allocation& out) = 0;
  // Takes back this manager's share of `allocation`.
  virtual void release(const Allocation& allocation) = 0;
  // Marks this manager's share of a recorded allocation as in use.
  virtual void claim(const Allocation& allocation) = 0;
  // Fills this manager's part of `out`.
  virtual void reportFree(FreeResources& out) const = 0;
  // Leaves this manager's share of `held` out of the allocations that
  // follow, without recording it as anyone's. Default: nothing to skip.
  virtual void skipHeld(const HeldByHypervisor& held) { (void)held; }
};

std::unique_ptr<ResourceManager> makeCpuManager(const PlatformTemplate& platform);
std::unique_ptr<ResourceManager> makeMemoryManager(const PlatformTemplate& platform);
std::unique_ptr<ResourceManager> makeDeviceManager(const PlatformTemplate& platform);
std::unique_ptr<ResourceManager> makeRpuManager(const PlatformTemplate& platform);
std::unique_ptr<ResourceManager> makeCommunicationManager(const PlatformTemplate& platform);
std::unique_ptr<ResourceManager> makeNetworkManager(const PlatformTemplate& platform);

// All of them, in allocation order.
std::vector<std::unique_ptr<ResourceManager>> makeResourceManagers(const PlatformTemplate& platform);

}  // namespace phi
