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
                "not enough " + what_ + ": asked " + std::to_string(count) + ", free " + std::to_string(free_.size()) +
                    (withheld_.empty() ? "" : " (" + joinIds(withheld_) + " " + withheldWhy_ + ")"));
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

void IdPool::withhold(const std::vector<int>& ids, const std::string& why) {
  for (int id : ids) {
    auto pos = std::lower_bound(free_.begin(), free_.end(), id);
    if (pos == free_.end() || *pos != id) continue;
    free_.erase(pos);
    withheld_.insert(std::lower_bound(withheld_.begin(), withheld_.end(), id), id);
  }
  withheldWhy_ = why;
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

std::string joinIds(const std::vector<int>& ids) {
  std::string s;
  for (int id : ids) s += (s.empty() ? "" : ",") + std::to_string(id);
  return s;
}

}  // namespace phi
