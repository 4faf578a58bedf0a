// runphi.json and the in-memory settings of a Runtime. The keys and their
// defaults are documented in docs/configuration.md.
#include <phi/driver/files.hpp>
#include <phi/error.hpp>
#include <phi/runtime_options.hpp>

#include "model/value_class.hpp"
#include "sdk/trusted_file.hpp"
#include "toolkit/json.hpp"

#include <sys/stat.h>

#include <cstdlib>

namespace phi {
inline namespace v1 {

namespace {

constexpr const char* kDefaultConfigPath = "/etc/runphi/runphi.json";
// A runphi.json is a few hundred bytes.
constexpr std::size_t kMaxConfigBytes = std::size_t{1} << 20;

}  // namespace

struct RuntimeOptions::Impl {
  std::string backend;
  std::string platformTemplate;
  std::string stateRoot = "/run/runPHI";
  std::string runcRoot;
  std::string runcPath = "/usr/local/sbin/runc_vanilla";  // falls back to `runc` on PATH
  std::string driverDir;
  std::string monitorPath;
  std::string cliPath;
  std::string logPath = "/usr/share/runPHI/log.txt";
  LogLevel logLevel = LogLevel::Warn;
  bool journald = true;
  std::string sourcePath;
  Logger logger;  // shared by copies: the sinks belong to whoever set them up
};

RuntimeOptions::RuntimeOptions() : impl_(std::make_unique<Impl>()) {}
PHI_VALUE_CLASS_MEMBERS(RuntimeOptions)

std::string RuntimeOptions::configPath(const std::string& flagValue) {
  if (!flagValue.empty()) return flagValue;
  if (const char* env = std::getenv("RUNPHI_CONFIG"); env && *env) return env;
  return kDefaultConfigPath;
}

RuntimeOptions RuntimeOptions::fromFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 && errno == ENOENT) return {};  // documented defaults
  // Whoever can write runphi.json runs code as root: it names what is executed and loaded.
  requireTrustedFile(path, "configuration file");
  RuntimeOptions o = fromJson(readFile(path, kMaxConfigBytes), path);
  // What runphi will exec or dlopen, checked before any call can use it.
  const std::pair<std::string, const char*> named[] = {
      {o.runcPath(), "runc_path"}, {o.monitorPath(), "monitor_path"}, {o.driverDir(), "driver_dir"}};
  for (const auto& [file, key] : named) {
    if (!file.empty() && ::stat(file.c_str(), &st) == 0) requireTrustedFile(file, path + ": \"" + key + "\"");
  }
  return o;
}

RuntimeOptions RuntimeOptions::fromJson(const std::string& json, const std::string& origin) {
  Json::Value root = parseJson(json, origin);
  if (!root.isObject()) {
    throw Error(ErrorCode::InvalidArgument, origin + ": top level must be a JSON object");
  }
  JsonObject top(root, origin, "");
  RuntimeOptions options;
  Impl& o = *options.impl_;
  auto text = [&](const JsonObject& obj, const char* key, std::string& out, bool allowEmpty) {
    if (!obj.has(key)) return;
    out = obj.string(key);
    if (out.empty() && !allowEmpty) obj.fail(key, "must not be empty");
  };
  o.sourcePath = origin;
  text(top, "backend", o.backend, true);
  text(top, "platform_template", o.platformTemplate, true);
  text(top, "state_root", o.stateRoot, false);
  text(top, "runc_path", o.runcPath, false);
  text(top, "driver_dir", o.driverDir, true);
  text(top, "monitor_path", o.monitorPath, true);
  text(top, "cli_path", o.cliPath, true);
  if (o.stateRoot.front() != '/') top.fail("state_root", "must be an absolute path, got \"" + o.stateRoot + "\"");
  if (top.has("log")) {
    JsonObject log = top.object("log");
    text(log, "path", o.logPath, true);
    std::string level = logLevelName(o.logLevel);
    text(log, "level", level, false);
    auto parsed = parseLogLevel(level);
    if (!parsed) log.fail("level", "\"" + level + "\" is not one of error, warn, info, debug, trace");
    o.logLevel = *parsed;
    o.journald = log.boolean("journald", o.journald);
    log.rejectUnknownKeys();
  }
  top.rejectUnknownKeys();
  return options;
}

std::string RuntimeOptions::toJson() const {
  const Impl& o = *impl_;
  Json::Value v(Json::objectValue);
  v["backend"] = o.backend;
  v["platform_template"] = o.platformTemplate;
  v["state_root"] = o.stateRoot;
  v["runc_path"] = o.runcPath;
  v["driver_dir"] = o.driverDir;
  v["monitor_path"] = o.monitorPath;
  v["cli_path"] = o.cliPath;
  Json::Value log(Json::objectValue);
  log["path"] = o.logPath;
  log["level"] = logLevelName(o.logLevel);
  log["journald"] = o.journald;
  v["log"] = log;
  return toCompactJson(v) + "\n";
}

const std::string& RuntimeOptions::sourcePath() const noexcept {
  return impl_->sourcePath;
}

#define PHI_OPTION(getter, setter, field)                      \
  const std::string& RuntimeOptions::getter() const noexcept { \
    return impl_->field;                                       \
  }                                                            \
  RuntimeOptions& RuntimeOptions::setter(std::string value) {  \
    impl_->field = std::move(value);                           \
    return *this;                                              \
  }

PHI_OPTION(backend, setBackend, backend)
PHI_OPTION(platformTemplate, setPlatformTemplate, platformTemplate)
PHI_OPTION(runcRoot, setRuncRoot, runcRoot)
PHI_OPTION(driverDir, setDriverDir, driverDir)
PHI_OPTION(monitorPath, setMonitorPath, monitorPath)
PHI_OPTION(cliPath, setCliPath, cliPath)
PHI_OPTION(runcPath, setRuncPath, runcPath)
PHI_OPTION(logPath, setLogPath, logPath)
#undef PHI_OPTION

const std::string& RuntimeOptions::stateRoot() const noexcept {
  return impl_->stateRoot;
}

RuntimeOptions& RuntimeOptions::setStateRoot(std::string path) {
  if (path.empty() || path.front() != '/') {
    throw Error(ErrorCode::InvalidArgument, "state root must be an absolute path, got \"" + path + "\"");
  }
  impl_->stateRoot = std::move(path);
  return *this;
}

LogLevel RuntimeOptions::logLevel() const noexcept {
  return impl_->logLevel;
}

RuntimeOptions& RuntimeOptions::setLogLevel(LogLevel level) {
  impl_->logLevel = level;
  return *this;
}

bool RuntimeOptions::journald() const noexcept {
  return impl_->journald;
}

RuntimeOptions& RuntimeOptions::setJournald(bool on) {
  impl_->journald = on;
  return *this;
}

bool RuntimeOptions::applyDebugLevelEnv() {
  const char* env = std::getenv("RUNPHI_DEBUG_LEVEL");
  if (!env || !*env) return true;
  auto level = parseLogLevel(env);
  if (!level) return false;
  impl_->logLevel = *level;
  return true;
}

RuntimeOptions& RuntimeOptions::addLogSink(LogSink sink, LogLevel maxLevel) {
  impl_->logger.addSink(std::move(sink), maxLevel);
  return *this;
}

const Logger& RuntimeOptions::logger() const noexcept {
  return impl_->logger;
}

}  // namespace v1
}  // namespace phi
