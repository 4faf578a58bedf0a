#include <phi/log.hpp>

#include <algorithm>
#include <mutex>
#include <utility>
#include <vector>

namespace phi {
inline namespace v1 {

std::optional<LogLevel> parseLogLevel(std::string_view text) noexcept {
  if (text == "error") return LogLevel::Error;
  if (text == "warn" || text == "warning") return LogLevel::Warn;
  if (text == "info") return LogLevel::Info;
  if (text == "debug") return LogLevel::Debug;
  if (text == "trace") return LogLevel::Trace;
  return std::nullopt;
}

const char* logLevelName(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::Error: return "error";
    case LogLevel::Warn: return "warn";
    case LogLevel::Info: return "info";
    case LogLevel::Debug: return "debug";
    case LogLevel::Trace: return "trace";
  }
  return "unknown";
}

LogRecord::LogRecord(LogLevel level, std::string_view message, std::string_view containerId) noexcept
    : level_(level), message_(message), containerId_(containerId), time_(std::chrono::system_clock::now()) {}

LogLevel LogRecord::level() const noexcept {
  return level_;
}
std::string_view LogRecord::message() const noexcept {
  return message_;
}
std::string_view LogRecord::containerId() const noexcept {
  return containerId_;
}
std::chrono::system_clock::time_point LogRecord::time() const noexcept {
  return time_;
}

struct Logger::Impl {
  std::mutex mutex;  // guards `sinks` against addSink from another thread
  std::vector<std::pair<LogSink, LogLevel>> sinks;
  LogLevel mostVerbose = LogLevel::Error;
  bool any = false;
};

Logger::Logger() : impl_(std::make_shared<Impl>()) {}
Logger::~Logger() = default;
Logger::Logger(const Logger&) = default;
Logger& Logger::operator=(const Logger&) = default;
Logger::Logger(Logger&&) noexcept = default;
Logger& Logger::operator=(Logger&&) noexcept = default;

void Logger::addSink(LogSink sink, LogLevel maxLevel) {
  if (!sink) return;
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->sinks.emplace_back(std::move(sink), maxLevel);
  if (!impl_->any || maxLevel > impl_->mostVerbose) impl_->mostVerbose = maxLevel;
  impl_->any = true;
}

Logger Logger::forContainer(std::string id) const {
  Logger copy(*this);
  copy.containerId_ = std::move(id);
  return copy;
}

bool Logger::enabled(LogLevel level) const noexcept {
  if (!impl_) return false;
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->any && level <= impl_->mostVerbose;
}

namespace {

// One log record: at most this many bytes of message (a huge annotation in
// an error is cut, saying how much was left out).
constexpr std::size_t kMaxLogMessageBytes = 8192;

std::string cut(std::string_view text, std::size_t maxBytes) {
  return std::string(text.substr(0, maxBytes)) + "... (" + std::to_string(text.size() - maxBytes) +
         " more bytes not logged)";
}

}  // namespace

void Logger::log(LogLevel level, std::string_view message) const noexcept {
  if (!impl_) return;
  try {
    std::string shortened, shortId;
    if (message.size() > kMaxLogMessageBytes) message = shortened = cut(message, kMaxLogMessageBytes);
    std::string_view id = containerId_;
    if (id.size() > 1024) id = shortId = cut(id, 1024);
    LogRecord record(level, message, id);
    std::lock_guard<std::mutex> lock(impl_->mutex);
    for (const auto& [sink, maxLevel] : impl_->sinks) {
      if (level > maxLevel) continue;
      try {
        sink(record);
      } catch (...) {
        // A log line is never worth failing the call for.
      }
    }
  } catch (...) {
  }
}

}  // namespace v1
}  // namespace phi
