#include "resources/memory_pool.hpp"

#include <phi/error.hpp>

#include "toolkit/hex.hpp"

#include <algorithm>

namespace phi {

namespace {

std::string describe(const MemoryRange& r) {
  return "[" + hexString(r.start) + ", " + hexString(r.end()) + ")";
}

bool contains(const MemoryRange& outer, const MemoryRange& inner) {
  return inner.start >= outer.start && inner.end() <= outer.end();
}

}  // namespace

MemoryPool::MemoryPool(std::string what, std::vector<MemoryRange> ranges, std::uint64_t alignment)
    : what_(std::move(what)), windows_(std::move(ranges)), alignment_(alignment ? alignment : 1) {
  std::sort(windows_.begin(), windows_.end(), [](const auto& a, const auto& b) { return a.start < b.start; });
  for (const MemoryRange& r : windows_) insertMerged(r);
  all_ = free_;  // a range taken across two touching segments is still the pool's
}

std::uint64_t MemoryPool::freeBytes() const {
  std::uint64_t total = 0;
  for (const MemoryRange& r : free_) total += r.size;
  return total;
}

MemoryRange MemoryPool::take(std::uint64_t size) {
  std::uint64_t largest = 0;
  for (size_t i = 0; i < free_.size(); ++i) {
    MemoryRange& r = free_[i];
    std::uint64_t start = (r.start + alignment_ - 1) / alignment_ * alignment_;
    std::uint64_t usable = start < r.end() ? r.end() - start : 0;
    largest = std::max(largest, usable);
    if (usable < size) continue;
    MemoryRange out{start, size};
    MemoryRange before{r.start, start - r.start}, after{start + size, r.end() - (start + size)};
    free_.erase(free_.begin() + static_cast<long>(i));
    if (after.size) free_.insert(free_.begin() + static_cast<long>(i), after);
    if (before.size) free_.insert(free_.begin() + static_cast<long>(i), before);
    return out;
  }
  throw Error(ErrorCode::NotFound, "not enough " + what_ + ": asked " + std::to_string(size) + " bytes, largest free " +
                                       std::to_string(largest) + " bytes (total free " + std::to_string(freeBytes()) +
                                       ")");
}

unsigned MemoryPool::wholeRangesFree() const {
  unsigned n = 0;
  for (const MemoryRange& r : windows_) {
    n += std::any_of(free_.begin(), free_.end(), [&](const MemoryRange& f) { return contains(f, r); }) ? 1 : 0;
  }
  return n;
}

MemoryRange MemoryPool::takeWhole() {
  for (const MemoryRange& r : windows_) {
    auto it = std::find_if(free_.begin(), free_.end(), [&](const MemoryRange& f) { return contains(f, r); });
    if (it == free_.end()) continue;
    claim(r);
    return r;
  }
  throw Error(ErrorCode::NotFound, "not enough " + what_ + ": asked 1 more, free 0");
}

void MemoryPool::give(const MemoryRange& range) {
  if (range.size == 0 || range.end() < range.start ||
      std::none_of(all_.begin(), all_.end(), [&](const MemoryRange& r) { return contains(r, range); })) {
    throw Error(ErrorCode::Internal, what_ + " " + describe(range) + " is not part of the pool");
  }
  for (const MemoryRange& f : free_) {
    if (range.start < f.end() && f.start < range.end()) {
      throw Error(ErrorCode::Internal, what_ + " " + describe(range) + " is released twice");
    }
  }
  insertMerged(range);
}

void MemoryPool::claim(const MemoryRange& range) {
  auto it = std::find_if(free_.begin(), free_.end(), [&](const MemoryRange& f) { return contains(f, range); });
  if (range.size == 0 || range.end() < range.start || it == free_.end()) {
    throw Error(ErrorCode::Internal, what_ + " " + describe(range) + " is given to two containers or unknown");
  }
  MemoryRange f = *it;
  long i = it - free_.begin();
  free_.erase(it);
  MemoryRange after{range.end(), f.end() - range.end()}, before{f.start, range.start - f.start};
  if (after.size) free_.insert(free_.begin() + i, after);
  if (before.size) free_.insert(free_.begin() + i, before);
}

void MemoryPool::insertMerged(const MemoryRange& range) {
  auto pos = std::lower_bound(free_.begin(), free_.end(), range,
                              [](const MemoryRange& a, const MemoryRange& b) { return a.start < b.start; });
  pos = free_.insert(pos, range);
  // Merge with the next, then with the previous, neighbour when they touch.
  if (pos + 1 != free_.end() && pos->end() == (pos + 1)->start) {
    pos->size += (pos + 1)->size;
    free_.erase(pos + 1);
  }
  if (pos != free_.begin() && (pos - 1)->end() == pos->start) {
    (pos - 1)->size += pos->size;
    free_.erase(pos);
  }
}

}  // namespace phi
