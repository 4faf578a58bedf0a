#include <phi/config.hpp>
#include <phi/error.hpp>

#include "json_file.hpp"
#include "runtime_config_text.hpp"

#include <sys/stat.h>

#include <cstdlib>
#include <set>

namespace phi {

namespace {

constexpr const char* kDefaultConfigPath = "/etc/runphi/runphi.json";

[[noreturn]] void invalidKey(const std::string& file, const std::string& key, const std::string& why) {
  throw Error(ErrorCode::InvalidArgument, file + ": key \"" + key + "\": " + why);
}

std::string stringKey(const Json::Value& obj, const char* name, const std::string& file, const std::string& prefix,
                      const std::string& fallback, bool allowEmpty) {
  if (!obj.isMember(name)) return fallback;
  const Json::Value& v = obj[name];
  if (!v.isString()) invalidKey(file, prefix + name, "must be a string");
  std::string s = v.asString();
  if (s.empty() && !allowEmpty) invalidKey(file, prefix + name, "must not be empty");
  return s;
}

void rejectUnknownKeys(const Json::Value& obj, const std::set<std::string>& known, const std::string& file,
                       const std::string& prefix) {
  for (const std::string& name : obj.getMemberNames()) {
    if (!known.count(name)) invalidKey(file, prefix + name, "unknown key");
  }
}

}  // namespace

std::string runtimeConfigPath(const std::string& flagValue) {
  if (!flagValue.empty()) return flagValue;
  if (const char* env = std::getenv("RUNPHI_CONFIG"); env && *env) return env;
  return kDefaultConfigPath;
}

RuntimeConfig loadRuntimeConfig(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 && errno == ENOENT) return RuntimeConfig{};  // documented defaults
  return parseRuntimeConfig(readTextFile(path), path);
}

RuntimeConfig parseRuntimeConfig(const std::string& text, const std::string& path) {
  RuntimeConfig config;
  Json::Value root = parseJson(text, path);
  if (!root.isObject()) throw Error(ErrorCode::InvalidArgument, path + ": top level must be a JSON object");
  rejectUnknownKeys(
      root, {"backend", "platform_template", "state_root", "runc_path", "driver_dir", "monitor_path", "log"}, path, "");

  config.sourcePath = path;
  config.backend = stringKey(root, "backend", path, "", config.backend, true);
  config.platformTemplate = stringKey(root, "platform_template", path, "", config.platformTemplate, true);
  config.stateRoot = stringKey(root, "state_root", path, "", config.stateRoot, false);
  config.runcPath = stringKey(root, "runc_path", path, "", config.runcPath, false);
  config.driverDir = stringKey(root, "driver_dir", path, "", config.driverDir, true);
  config.monitorPath = stringKey(root, "monitor_path", path, "", config.monitorPath, true);
  if (config.stateRoot.front() != '/')
    invalidKey(path, "state_root", "must be an absolute path, got \"" + config.stateRoot + "\"");

  if (root.isMember("log")) {
    const Json::Value& log = root["log"];
    if (!log.isObject()) invalidKey(path, "log", "must be an object");
    rejectUnknownKeys(log, {"path", "level", "journald"}, path, "log.");
    config.logPath = stringKey(log, "path", path, "log.", config.logPath, true);
    std::string level = stringKey(log, "level", path, "log.", logLevelName(config.logLevel), false);
    auto parsed = parseLogLevel(level);
    if (!parsed) invalidKey(path, "log.level", "\"" + level + "\" is not one of error, warn, info, debug, trace");
    config.logLevel = *parsed;
    if (log.isMember("journald")) {
      if (!log["journald"].isBool()) invalidKey(path, "log.journald", "must be true or false");
      config.journald = log["journald"].asBool();
    }
  }
  return config;
}

bool applyDebugLevelEnv(RuntimeConfig& config) {
  const char* env = std::getenv("RUNPHI_DEBUG_LEVEL");
  if (!env || !*env) return true;
  auto level = parseLogLevel(env);
  if (!level) return false;
  config.logLevel = *level;
  return true;
}

}  // namespace phi
