// The persistent record of which container holds which resources of one
// platform: <state_root>/resources/<platform>.json, changed only under an
// exclusive lock and written atomically. Free pools are never stored: they
// are the platform's pools minus the recorded allocations, so they cannot
// drift from the records. Each record also holds the partition name its
// owner reserved, so no two containers ever share one.
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

// What allocate() also does under the ledger's lock.
struct LedgerClaim {
  // Candidate partition names 0, 1, 2, ...: the first one no other record
  // holds is reserved for the owner and stored in `reservedName`.
  std::function<std::string(unsigned attempt)> partitionName;
  std::string* reservedName = nullptr;
  // Records whose owner this says is gone (its container directory was
  // removed, e.g. by a rollback that could not write the ledger on a full
  // disk) are dropped first: nothing can release them any more.
  std::function<bool(const std::string& owner)> ownerGone;
};

class ResourceLedger {
 public:
  ResourceLedger(const std::string& stateRoot, PlatformTemplate platform);

  // One transaction: every manager allocates or nothing is recorded.
  // An owner that already holds resources is an error. `held`, when given,
  // is asked under the lock what the hypervisor has in use: whatever of it
  // no record holds is skipped by this allocation only.
  Allocation allocate(const std::string& owner, const PartitionRequest& request,
                      const std::function<HeldByHypervisor()>& held = {}, const LedgerClaim& claim = {});
  // Gives back everything `owner` holds; false when it holds nothing.
  bool release(const std::string& owner);

  std::optional<Allocation> find(const std::string& owner) const;
  // The partition name `owner` reserved; empty when it holds none.
  std::string partitionName(const std::string& owner) const;
  std::map<std::string, Allocation> allocations() const;
  FreeResources freeResources() const;
  // What is free when `records` (read with allocations()) are all claimed.
  FreeResources freeResources(const std::map<std::string, Allocation>& records) const;

  const std::string& path() const { return path_; }
  const PlatformTemplate& platform() const { return platform_; }

 private:
  struct Contents {
    std::map<std::string, Allocation> records;
    std::map<std::string, std::string> names;  // owner -> reserved partition name
  };
  Contents read() const;
  void write(const Contents& contents) const;

  PlatformTemplate platform_;
  std::string dir_, path_, lockPath_;
};

}  // namespace phi
