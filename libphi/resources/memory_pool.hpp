// Free physical memory as sorted, merged ranges. Allocation is first fit;
// release gives back exactly the recorded range and merges neighbours.
#pragma once

#include <phi/platform.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace phi {

class MemoryPool {
 public:
  MemoryPool(std::string what, std::vector<MemoryRange> ranges, std::uint64_t alignment);

  // First fit of `size` bytes at an `alignment` boundary.
  // "not enough <what>: asked N bytes, largest free M bytes (total free T)".
  MemoryRange take(std::uint64_t size);
  // Takes one whole range equal to one of the pool's original ranges (for
  // fixed windows): the first free one.
  MemoryRange takeWhole();
  void give(const MemoryRange& range);
  void claim(const MemoryRange& range);

  // How many of the pool's original ranges are wholly free (for takeWhole).
  unsigned wholeRangesFree() const;

  const std::vector<MemoryRange>& freeRanges() const { return free_; }
  std::uint64_t freeBytes() const;

 private:
  void insertMerged(const MemoryRange& range);

  std::string what_;
  std::vector<MemoryRange> windows_;  // the ranges as given, for takeWhole
  std::vector<MemoryRange> all_;      // the same, touching ones merged: what give() accepts
  std::vector<MemoryRange> free_;
  std::uint64_t alignment_;
};

}  // namespace phi
