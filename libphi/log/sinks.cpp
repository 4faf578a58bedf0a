// The sinks the runphi CLI installs: runphi's own log file, runc's --log
// file (containerd reads it) and journald.
#include <phi/log.hpp>

#include "toolkit/clock.hpp"
#include "toolkit/json.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <syslog.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace phi {
inline namespace v1 {

namespace {

// Appends one line with a single write(2) so concurrent runphi processes
// never interleave inside a line. Errors are swallowed by design.
void appendLine(const std::string& path, const std::string& line) noexcept {
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0640);
  if (fd < 0 && errno == ENOENT) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
    fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0640);
  }
  if (fd < 0) return;
  // Only a regular file of root's or the caller's: never a device, a FIFO,
  // or a file someone else planted (a symlink to /etc/passwd, say).
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_uid != 0 && st.st_uid != ::geteuid())) {
    ::close(fd);
    return;
  }
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

// Text for one line of the runtime log: a control character (a newline in
// an id or in a file's content) would start a forged line; it becomes \xNN.
std::string oneLine(std::string_view text) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += ch;
    }
  }
  return out;
}

}  // namespace

LogSink makeRuntimeLogSink(std::string path) {
  if (path.empty()) return {};
  return [path = std::move(path)](const LogRecord& r) {
    std::string id = oneLine(r.containerId());
    appendLine(path, rfc3339Utc(r.time(), 6) + " runphi[" + std::to_string(::getpid()) + "] " +
                         logLevelName(r.level()) + " [" + (id.empty() ? "-" : id) + "] " + oneLine(r.message()) + "\n");
  };
}

LogSink makeOciLogSink(std::string path, OciLogFormat format) {
  if (path.empty()) return {};
  return [path = std::move(path), format](const LogRecord& r) {
    std::string line;
    if (format == OciLogFormat::Json) {
      Json::Value v(Json::objectValue);
      v["level"] = ociLevelName(r.level());
      v["msg"] = std::string(r.message());
      v["time"] = rfc3339Utc(r.time(), 0);
      line = toCompactJson(v) + "\n";
    } else {
      line = "time=\"" + rfc3339Utc(r.time(), 0) + "\" level=" + ociLevelName(r.level()) +
             " msg=" + logfmtQuote(r.message()) + "\n";
    }
    appendLine(path, line);
  };
}

LogSink makeJournalSink() {
  // Only talk to journald when its socket exists: sd_journal_send would
  // otherwise fail on every line.
  if (::access("/run/systemd/journal/socket", W_OK) != 0) return {};
  return [](const LogRecord& r) {
    JournalSend send = journalSend();
    if (!send) return;
    std::string msg(r.message());
    std::string id(r.containerId());
    send("MESSAGE=%s", msg.c_str(), "PRIORITY=%i", syslogPriority(r.level()), "SYSLOG_IDENTIFIER=runphi",
         "RUNPHI_CONTAINER_ID=%s", id.c_str(), nullptr);
  };
}

}  // namespace v1
}  // namespace phi
