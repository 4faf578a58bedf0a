// Debug-level durations of each phase of an operation, measured with the
// driver's tick source, so users see where a partition's start-up time goes.
#pragma once

#include <phi/driver/tick_source.hpp>
#include <phi/log.hpp>

#include <string>

namespace phi {

class PhaseTimer {
 public:
  PhaseTimer(TickSource& ticks, const Logger& log, std::string operation)
      : ticks_(ticks), log_(log), operation_(std::move(operation)), start_(ticks.ticks()), last_(start_) {}

  // Logs the time since the previous phase ended (or since construction).
  void phase(const std::string& name) {
    std::uint64_t now = ticks_.ticks();
    report(name, now - last_);
    last_ = now;
  }
  // Logs the time since construction.
  void total(const std::string& label = "total") { report(label, ticks_.ticks() - start_); }

 private:
  void report(const std::string& name, std::uint64_t delta) {
    if (!log_.enabled(LogLevel::Debug)) return;
    double us = static_cast<double>(delta) * 1e6 / static_cast<double>(ticks_.frequencyHz());
    log_.debug(operation_ + ": " + name + " took " + std::to_string(static_cast<long long>(us)) + " us (" +
               std::to_string(delta) + " ticks of " + ticks_.name() + ")");
  }

  TickSource& ticks_;
  const Logger& log_;
  std::string operation_;
  std::uint64_t start_, last_;
};

}  // namespace phi
