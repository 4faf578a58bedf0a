// Logging. libphi never opens a log file or writes to stdout/stderr on its
// own: every line goes to the sinks the embedder installs (RuntimeOptions::
// addLogSink). The runphi CLI installs the ready-made sinks declared below:
// its own log file, runc's --log file for containerd, and journald.
#pragma once

#include <phi/export.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace phi {
inline namespace v1 {

enum class LogLevel { Error = 0, Warn, Info, Debug, Trace };

// "error|warn|info|debug|trace" (also "warning"); nullopt for anything else.  since 0.1
PHI_API std::optional<LogLevel> parseLogLevel(std::string_view text) noexcept;
PHI_API const char* logLevelName(LogLevel level) noexcept;  // since 0.1

// One log line as libphi emits it. Only libphi creates them; sinks read them
// during the call and must copy what they keep.                       since 0.2
class PHI_API LogRecord {
 public:
  LogRecord(LogLevel level, std::string_view message, std::string_view containerId) noexcept;
  LogRecord(const LogRecord&) = delete;
  LogRecord& operator=(const LogRecord&) = delete;

  LogLevel level() const noexcept;
  std::string_view message() const noexcept;
  // The container the line is about; empty when none.
  std::string_view containerId() const noexcept;
  std::chrono::system_clock::time_point time() const noexcept;

 private:
  LogLevel level_;
  std::string_view message_;
  std::string_view containerId_;
  std::chrono::system_clock::time_point time_;
  const void* extension_ = nullptr;  // reserved: later fields hang here, the layout never changes
};

// Receives every line at or above the level it was installed with. Called on
// the thread that logs; must not throw (an exception is swallowed: a log line
// is never worth failing a call for).                                 since 0.2
using LogSink = std::function<void(const LogRecord&)>;

// Where a component's lines go: a cheap handle on a shared list of sinks,
// optionally bound to a container id.                                 since 0.2
class PHI_API Logger {
 public:
  Logger();  // logs nowhere
  ~Logger();
  Logger(const Logger&);
  Logger& operator=(const Logger&);
  Logger(Logger&&) noexcept;
  Logger& operator=(Logger&&) noexcept;

  // Lines at `maxLevel` or more severe reach `sink`. Handles copied from
  // this one share the sink. An empty sink is ignored.
  void addSink(LogSink sink, LogLevel maxLevel);
  // A handle on the same sinks whose lines name container `id`.
  Logger forContainer(std::string id) const;

  bool enabled(LogLevel level) const noexcept;
  void log(LogLevel level, std::string_view message) const noexcept;

  void error(std::string_view m) const noexcept { log(LogLevel::Error, m); }
  void warn(std::string_view m) const noexcept { log(LogLevel::Warn, m); }
  void info(std::string_view m) const noexcept { log(LogLevel::Info, m); }
  void debug(std::string_view m) const noexcept { log(LogLevel::Debug, m); }
  void trace(std::string_view m) const noexcept { log(LogLevel::Trace, m); }

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
  std::string containerId_;
};

// --- ready-made sinks (the runphi CLI installs them) ---

// runphi's own log: "<time> runphi[<pid>] <level> [<container>] <message>",
// one write(2) per line with O_APPEND, so concurrent processes never
// interleave inside a line; the file and its directory are created. An
// empty path gives an empty sink (ignored).                          since 0.2
PHI_API LogSink makeRuntimeLogSink(std::string path);

enum class OciLogFormat { Text, Json };

// runc's --log file in the line shapes containerd parses (logrus "text" or
// "json": {"level","msg","time"}).                                    since 0.2
PHI_API LogSink makeOciLogSink(std::string path, OciLogFormat format);

// journald, loaded on first use (libsystemd is never linked), when its socket
// exists; otherwise an empty sink, which addSink ignores.             since 0.2
PHI_API LogSink makeJournalSink();

}  // namespace v1
}  // namespace phi
