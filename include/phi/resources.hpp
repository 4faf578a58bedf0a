// What the platform's resource managers hold: each pool, what is free, and
// what every container was given (the resource ledger).
#pragma once

#include <phi/export.hpp>
#include <phi/partition.hpp>
#include <phi/platform.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace phi {
inline namespace v1 {

// A snapshot taken under the ledger's lock; later changes do not show.
class PHI_API ResourceView {
 public:
  ~ResourceView();
  ResourceView(const ResourceView&);
  ResourceView& operator=(const ResourceView&);
  ResourceView(ResourceView&&) noexcept;
  ResourceView& operator=(ResourceView&&) noexcept;

  const PlatformTemplate& platform() const noexcept;  // the pools come from here

  // What no container holds.                                            since 0.2
  const std::vector<int>& freeCpus() const noexcept;
  const std::vector<int>& freeRpus() const noexcept;
  const std::vector<int>& freePciBdfs() const noexcept;
  const std::vector<MemoryRange>& freeMemory() const noexcept;  // merged, sorted
  const std::vector<MemoryRange>& freeCommWindows() const noexcept;

  // Every record of the ledger, by owner ("<escaped runc root>/<escaped id>",
  // unique across runc roots).                                          since 0.2
  const std::map<std::string, Allocation>& allocations() const noexcept;
  // What container `id` of the runtime's runc root holds.               since 0.2
  std::optional<Allocation> allocationOf(const std::string& id) const;
  // True when no container holds anything: every pool is free.         since 0.2
  bool idle() const noexcept;

  struct Impl;
  PHI_LOCAL explicit ResourceView(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace v1
}  // namespace phi
