#include <phi/driver/guest_watch.hpp>

#include "model/value_class.hpp"

namespace phi {
inline namespace v1 {

struct WatchRule::Impl {
  bool exact = true;
  std::string text;
  GuestExit outcome = GuestExit::Shutdown;
  std::string conditionPath;
};

WatchRule::WatchRule() : impl_(std::make_unique<Impl>()) {}
PHI_VALUE_CLASS_MEMBERS(WatchRule)
PHI_GETTER(WatchRule, bool, matchesExactly, exact)
PHI_GETTER(WatchRule, const std::string&, text, text)
PHI_GETTER(WatchRule, GuestExit, outcome, outcome)
PHI_GETTER(WatchRule, const std::string&, conditionPath, conditionPath)

WatchRule WatchRule::equals(std::string state, GuestExit outcome) {
  WatchRule r;
  r.impl_->text = std::move(state);
  r.impl_->outcome = outcome;
  return r;
}

WatchRule WatchRule::anyOf(std::string letters, GuestExit outcome) {
  WatchRule r = equals(std::move(letters), outcome);
  r.impl_->exact = false;
  return r;
}

WatchRule& WatchRule::onlyIfExists(std::string path) {
  impl_->conditionPath = std::move(path);
  return *this;
}

struct GuestWatch::Impl {
  WatchSource source = WatchSource::None;
  std::string path;
  std::vector<std::string> argv;
  std::string rowKey;
  unsigned column = 0;
  std::vector<std::string> missingMarkers;
  std::string requiredPath, requiredContent;
  std::vector<WatchRule> rules;
  GuestExit gone = GuestExit::Destroyed;
  unsigned minPollMs = 250, maxPollMs = 1000;
};

GuestWatch::GuestWatch() : impl_(std::make_unique<Impl>()) {}
PHI_VALUE_CLASS_MEMBERS(GuestWatch)
PHI_GETTER(GuestWatch, WatchSource, source, source)
PHI_GETTER(GuestWatch, const std::string&, path, path)
PHI_GETTER(GuestWatch, const std::vector<std::string>&, argv, argv)
PHI_GETTER(GuestWatch, const std::string&, rowKey, rowKey)
PHI_GETTER(GuestWatch, unsigned, column, column)
PHI_GETTER(GuestWatch, const std::vector<std::string>&, missingMarkers, missingMarkers)
PHI_GETTER(GuestWatch, const std::string&, requiredPath, requiredPath)
PHI_GETTER(GuestWatch, const std::string&, requiredContent, requiredContent)
PHI_GETTER(GuestWatch, const std::vector<WatchRule>&, rules, rules)
PHI_GETTER(GuestWatch, GuestExit, goneOutcome, gone)
PHI_GETTER(GuestWatch, unsigned, minPollMs, minPollMs)
PHI_GETTER(GuestWatch, unsigned, maxPollMs, maxPollMs)

GuestWatch GuestWatch::stateFile(std::string path) {
  GuestWatch w;
  w.impl_->source = WatchSource::StateFile;
  w.impl_->path = std::move(path);
  return w;
}

GuestWatch GuestWatch::statusProgram(std::vector<std::string> argv, std::string rowKey, unsigned column,
                                     std::vector<std::string> missingMarkers) {
  GuestWatch w;
  w.impl_->source = WatchSource::StatusProgram;
  w.impl_->argv = std::move(argv);
  w.impl_->rowKey = std::move(rowKey);
  w.impl_->column = column;
  w.impl_->missingMarkers = std::move(missingMarkers);
  return w;
}

GuestWatch& GuestWatch::requireContent(std::string path, std::string content) {
  impl_->requiredPath = std::move(path);
  impl_->requiredContent = std::move(content);
  return *this;
}

GuestWatch& GuestWatch::addRule(WatchRule rule) {
  impl_->rules.push_back(std::move(rule));
  return *this;
}

GuestWatch& GuestWatch::whenGone(GuestExit outcome) {
  impl_->gone = outcome;
  return *this;
}

GuestWatch& GuestWatch::setPollInterval(unsigned minMs, unsigned maxMs) {
  impl_->minPollMs = minMs == 0 ? 1 : minMs;
  impl_->maxPollMs = maxMs < impl_->minPollMs ? impl_->minPollMs : maxMs;
  return *this;
}

}  // namespace v1
}  // namespace phi
