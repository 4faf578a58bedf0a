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

// One log line: at most this many bytes of message.
constexpr std::size_t kMaxLogMessageBytes = 8192;

// What a sink may write as one line: control characters (a newline in an id
// or a file's content would forge a line) become \xNN, and a message too
// long (a huge annotation) is cut, saying how much was left out.
std::string lineSafe(std::string_view text, std::size_t maxBytes) {
  std::string out;
  const std::size_t shown = std::min(text.size(), maxBytes);
  out.reserve(shown + 32);
  static const char* hex = "0123456789abcdef";
  for (std::size_t i = 0; i < shown; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (shown < text.size()) out += "... (" + std::to_string(text.size() - shown) + " more bytes not logged)";
  return out;
}

bool needsCare(std::string_view text, std::size_t maxBytes) {
  if (text.size() > maxBytes) return true;
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  }
  return false;
}

}  // namespace

void Logger::log(LogLevel level, std::string_view message) const noexcept {
  if (!impl_) return;
  try {
    std::string safeMessage, safeId;
    if (needsCare(message, kMaxLogMessageBytes)) message = safeMessage = lineSafe(message, kMaxLogMessageBytes);
    std::string_view id = containerId_;
    if (needsCare(id, 1024)) id = safeId = lineSafe(id, 1024);
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
