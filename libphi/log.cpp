#include <phi/log.hpp>

#include "json_file.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <syslog.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <string>

namespace phi {

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

namespace {

// RFC 3339 UTC timestamp; `fractional` adds microseconds.
std::string utcTimestamp(bool fractional) {
  auto now = std::chrono::system_clock::now();
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[64];
  size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out(buffer, n);
  if (fractional) {
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1000000;
    std::snprintf(buffer, sizeof buffer, ".%06lld", static_cast<long long>(micros));
    out += buffer;
  }
  return out + "Z";
}

// Appends one line with a single write(2) so concurrent runphi processes
// never interleave inside a line. Errors are swallowed by design.
void appendLine(const std::string& path, const std::string& line) noexcept {
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0 && errno == ENOENT) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
    fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  }
  if (fd < 0) return;
  ssize_t ignored = ::write(fd, line.data(), line.size());
  (void)ignored;
  ::close(fd);
}

// logrus's text formatter quotes values that need it.
std::string logfmtQuote(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

// logrus names warnings "warning".
const char* ociLevelName(LogLevel level) {
  return level == LogLevel::Warn ? "warning" : logLevelName(level);
}

int syslogPriority(LogLevel level) {
  switch (level) {
    case LogLevel::Error: return LOG_ERR;
    case LogLevel::Warn: return LOG_WARNING;
    case LogLevel::Info: return LOG_INFO;
    default: return LOG_DEBUG;
  }
}

// libsystemd is loaded on the first journal line, not at program start: its
// dependencies (libgcrypt, zstd, lz4, ...) cost more start-up time than a
// whole forwarded call may add to runc's own.
using JournalSend = decltype(&sd_journal_send);

JournalSend journalSend() noexcept {
  static JournalSend fn = [] {
    void* lib = ::dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    return lib ? reinterpret_cast<JournalSend>(::dlsym(lib, "sd_journal_send")) : nullptr;
  }();
  return fn;
}

}  // namespace

struct Logger::Impl {
  LogSettings settings;
  std::string containerId;
  bool journalReachable = false;
};

Logger::Logger(LogSettings settings) : impl_(std::make_unique<Impl>()) {
  impl_->settings = std::move(settings);
  // Only talk to journald when its socket exists: sd_journal_send would
  // otherwise fail on every line.
  impl_->journalReachable = impl_->settings.journald && ::access("/run/systemd/journal/socket", W_OK) == 0;
}

Logger::~Logger() = default;

void Logger::setContainerId(std::string id) {
  impl_->containerId = std::move(id);
}

bool Logger::enabled(LogLevel level) const noexcept {
  const LogSettings& s = impl_->settings;
  LogLevel ociLevel = s.ociDebug ? LogLevel::Debug : LogLevel::Info;
  return (!s.runtimeLogPath.empty() && level <= s.runtimeLevel) ||
         (impl_->journalReachable && level <= s.runtimeLevel) || (!s.ociLogPath.empty() && level <= ociLevel);
}

void Logger::log(LogLevel level, std::string_view message) noexcept {
  try {
    const LogSettings& s = impl_->settings;
    const std::string& id = impl_->containerId;
    if (level <= s.runtimeLevel) {
      if (!s.runtimeLogPath.empty()) {
        std::string line = utcTimestamp(true) + " runphi[" + std::to_string(::getpid()) + "] " + logLevelName(level) +
                           " [" + (id.empty() ? "-" : id) + "] " + std::string(message) + "\n";
        appendLine(s.runtimeLogPath, line);
      }
      if (JournalSend send = impl_->journalReachable ? journalSend() : nullptr) {
        std::string msg(message);
        send("MESSAGE=%s", msg.c_str(), "PRIORITY=%i", syslogPriority(level), "SYSLOG_IDENTIFIER=runphi",
             "RUNPHI_CONTAINER_ID=%s", id.c_str(), nullptr);
      }
    }
    // runc's --log: info and above, debug with --debug; same line shapes as
    // logrus so containerd can parse them.
    LogLevel ociLevel = s.ociDebug ? LogLevel::Debug : LogLevel::Info;
    if (!s.ociLogPath.empty() && level <= ociLevel) {
      std::string line;
      if (s.ociLogFormat == OciLogFormat::Json) {
        Json::Value v(Json::objectValue);
        v["level"] = ociLevelName(level);
        v["msg"] = std::string(message);
        v["time"] = utcTimestamp(false);
        line = toCompactJson(v) + "\n";
      } else {
        line =
            "time=\"" + utcTimestamp(false) + "\" level=" + ociLevelName(level) + " msg=" + logfmtQuote(message) + "\n";
      }
      appendLine(s.ociLogPath, line);
    }
  } catch (...) {
    // A log line is never worth failing the call for.
  }
}

}  // namespace phi
