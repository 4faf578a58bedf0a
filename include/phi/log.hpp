// Logging: runphi's own log file, the runc-style --log file that containerd
// reads, and journald. A logging failure is never reported to the caller:
// a forwarded call must behave exactly like runc whatever the log does.
#pragma once

#include <phi/export.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace phi {

enum class LogLevel { Error = 0, Warn, Info, Debug, Trace };

// "error|warn|info|debug|trace" (also "warning"); nullopt for anything else.
PHI_API std::optional<LogLevel> parseLogLevel(std::string_view text) noexcept;
PHI_API const char* logLevelName(LogLevel level) noexcept;

enum class OciLogFormat { Text, Json };

struct LogSettings {
  std::string runtimeLogPath;  // runphi's own log; empty = none
  LogLevel runtimeLevel = LogLevel::Warn;
  bool journald = false;   // also send lines at runtimeLevel to journald
  std::string ociLogPath;  // runc's --log; empty = none
  OciLogFormat ociLogFormat = OciLogFormat::Text;
  bool ociDebug = false;  // runc's --debug: debug lines go to --log too
};

class PHI_API Logger {
 public:
  explicit Logger(LogSettings settings);
  ~Logger();
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  // The container the current call is about; included in every line.
  void setContainerId(std::string id);
  bool enabled(LogLevel level) const noexcept;
  void log(LogLevel level, std::string_view message) noexcept;

  void error(std::string_view m) noexcept { log(LogLevel::Error, m); }
  void warn(std::string_view m) noexcept { log(LogLevel::Warn, m); }
  void info(std::string_view m) noexcept { log(LogLevel::Info, m); }
  void debug(std::string_view m) noexcept { log(LogLevel::Debug, m); }
  void trace(std::string_view m) noexcept { log(LogLevel::Trace, m); }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace phi
