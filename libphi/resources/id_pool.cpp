#include "resources/id_pool.hpp"

#include <phi/error.hpp>

#include <algorithm>

namespace phi {

IdPool::IdPool(std::string what, std::vector<int> all) : what_(std::move(what)), all_(std::move(all)) {
  std::sort(all_.begin(), all_.end());
  free_ = all_;
}

std::vector<int> IdPool::take(unsigned count) {
  if (count > free_.size()) {
    throw Error(ErrorCode::NotFound,
                "not enough " + what_ + ": asked " + std::to_string(count) + ", free " + std::to_string(free_.size()));
  }
  std::vector<int> out(free_.begin(), free_.begin() + count);
  free_.erase(free_.begin(), free_.begin() + count);
  return out;
}

void IdPool::give(const std::vector<int>& ids) {
  for (int id : ids) {
    if (!std::binary_search(all_.begin(), all_.end(), id)) {
      throw Error(ErrorCode::Internal, what_ + " " + std::to_string(id) + " is not part of the pool");
    }
    auto pos = std::lower_bound(free_.begin(), free_.end(), id);
    if (pos != free_.end() && *pos == id) {
      throw Error(ErrorCode::Internal, what_ + " " + std::to_string(id) + " is released twice");
    }
    free_.insert(pos, id);
  }
}

void IdPool::claim(const std::vector<int>& ids) {
  for (int id : ids) {
    auto pos = std::lower_bound(free_.begin(), free_.end(), id);
    if (pos == free_.end() || *pos != id) {
      throw Error(ErrorCode::Internal, what_ + " " + std::to_string(id) + " is given to two containers or unknown");
    }
    free_.erase(pos);
  }
}

}  // namespace phi
