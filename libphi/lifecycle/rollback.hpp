// Undo steps of a multi-step operation, run newest first unless committed.
#pragma once

#include <phi/log.hpp>

#include <exception>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace phi {

class Rollback {
 public:
  explicit Rollback(const Logger& log) : log_(log) {}
  ~Rollback() {
    if (committed_) return;
    for (auto it = steps_.rbegin(); it != steps_.rend(); ++it) {
      try {
        it->second();
      } catch (const std::exception& e) {
        log_.error("rollback: " + it->first + " failed: " + e.what());
      }
    }
  }
  Rollback(const Rollback&) = delete;
  Rollback& operator=(const Rollback&) = delete;

  void add(std::string what, std::function<void()> undo) { steps_.emplace_back(std::move(what), std::move(undo)); }
  void commit() { committed_ = true; }

 private:
  const Logger& log_;
  std::vector<std::pair<std::string, std::function<void()>>> steps_;
  bool committed_ = false;
};

}  // namespace phi
