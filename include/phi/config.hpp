// runphi's configuration file (default /etc/runphi/runphi.json). Every key is
// optional; a missing file means the documented defaults (docs/configuration.md).
#pragma once

#include <phi/export.hpp>
#include <phi/log.hpp>

#include <string>

namespace phi {

struct RuntimeConfig {
  std::string backend;           // driver name ("jailhouse", "xen"); empty = none
  std::string platformTemplate;  // platform template file for the backend
  std::string stateRoot = "/run/runPHI";
  std::string runcPath = "/usr/local/sbin/runc_vanilla";  // falls back to `runc` on PATH
  std::string driverDir;                                  // where driver modules live; empty = install dir
  std::string monitorPath;                                // runphi-monitor; empty = beside runphi, else the install dir
  std::string logPath = "/usr/share/runPHI/log.txt";
  LogLevel logLevel = LogLevel::Warn;
  bool journald = true;
  std::string sourcePath;  // the file this was read from; empty = defaults only
};

// Path of the configuration file: `flagValue` if set, else $RUNPHI_CONFIG,
// else /etc/runphi/runphi.json.
PHI_API std::string runtimeConfigPath(const std::string& flagValue);

// Reads `path`. A missing file yields the defaults; an unreadable or invalid
// file throws phi::Error naming the file and the key at fault.
PHI_API RuntimeConfig loadRuntimeConfig(const std::string& path);

// RUNPHI_DEBUG_LEVEL, when set to a valid level, overrides `config.logLevel`.
// Returns false when the variable is set but not a valid level.
PHI_API bool applyDebugLevelEnv(RuntimeConfig& config);

}  // namespace phi
