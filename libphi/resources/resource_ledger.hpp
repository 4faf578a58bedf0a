// The persistent record of which container holds which resources of one
// platform: <state_root>/resources/<platform>.json, changed only under an
// exclusive lock and written atomically. Free pools are never stored: they
// are the platform's pools minus the recorded allocations, so they cannot
// drift from the records.
#pragma once

#include <phi/partition.hpp>
#include <phi/platform.hpp>

#include "resources/resource_manager.hpp"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace phi {

class ResourceLedger {
 public:
  ResourceLedger(const std::string& stateRoot, PlatformTemplate platform);

  // One transaction: every manager allocates or nothing is recorded.
  // An owner that already holds resources is an error. `held`, when given,
  // is asked under the lock what the hypervisor has in use: whatever of it
  // no record holds is skipped by this allocation only.
  Allocation allocate(const std::string& owner, const PartitionRequest& request,
                      const std::function<HeldByHypervisor()>& held = {});
  // Gives back everything `owner` holds; false when it holds nothing.
  bool release(const std::string& owner);

  std::optional<Allocation> find(const std::string& owner) const;
  std::map<std::string, Allocation> allocations() const;
  FreeResources freeResources() const;
  // What is free when `records` (read with allocations()) are all claimed.
  FreeResources freeResources(const std::map<std::string, Allocation>& records) const;

  const std::string& path() const { return path_; }
  const PlatformTemplate& platform() const { return platform_; }

 private:
  std::map<std::string, Allocation> read() const;
  void write(const std::map<std::string, Allocation>& records) const;

  PlatformTemplate platform_;
  std::string dir_, path_, lockPath_;
};

}  // namespace phi
