// How a phi::Runtime is set up: the settings of runphi.json (read from a file
// or set in memory), the runc --root namespace the containers live in, and
// the log sinks. Every setting is optional; docs/configuration.md lists the
// defaults.
#pragma once

#include <phi/export.hpp>
#include <phi/log.hpp>

#include <memory>
#include <string>

namespace phi {
inline namespace v1 {

class PHI_API RuntimeOptions {
 public:
  RuntimeOptions();  // the documented defaults, no log sink
  ~RuntimeOptions();
  RuntimeOptions(const RuntimeOptions&);
  RuntimeOptions& operator=(const RuntimeOptions&);
  RuntimeOptions(RuntimeOptions&&) noexcept;
  RuntimeOptions& operator=(RuntimeOptions&&) noexcept;

  // Reads a runphi.json. A missing file yields the defaults; an unreadable or
  // invalid one throws phi::Error naming the file and the key at fault.  since 0.2
  static RuntimeOptions fromFile(const std::string& path);
  // Same, from text; `origin` names it in errors.                       since 0.2
  static RuntimeOptions fromJson(const std::string& json, const std::string& origin);
  // The configuration file runphi reads: `flagValue` if set, else
  // $RUNPHI_CONFIG, else /etc/runphi/runphi.json.                       since 0.2
  static std::string configPath(const std::string& flagValue);

  // The settings as runphi.json text (what fromJson reads back).        since 0.2
  std::string toJson() const;
  // The file these settings were read from; empty when none.            since 0.2
  const std::string& sourcePath() const noexcept;

  // Driver name ("jailhouse", "xen", ...); empty: no partitioned containers. since 0.2
  const std::string& backend() const noexcept;
  RuntimeOptions& setBackend(std::string name);
  // Platform template file for the backend.                              since 0.2
  const std::string& platformTemplate() const noexcept;
  RuntimeOptions& setPlatformTemplate(std::string path);
  // Where container state and the resource ledger live (absolute).       since 0.2
  const std::string& stateRoot() const noexcept;
  RuntimeOptions& setStateRoot(std::string path);
  // The runc --root the containers belong to (one per containerd
  // namespace); empty: runc's default, /run/runc.                        since 0.2
  const std::string& runcRoot() const noexcept;
  RuntimeOptions& setRuncRoot(std::string path);
  // Where driver modules are looked for first; empty: only $PHI_DRIVER_DIR
  // and the install directory.                                           since 0.2
  const std::string& driverDir() const noexcept;
  RuntimeOptions& setDriverDir(std::string path);
  // The container process program (runphi-monitor); empty: the install
  // location.                                                            since 0.2
  const std::string& monitorPath() const noexcept;
  RuntimeOptions& setMonitorPath(std::string path);
  // The runphi CLI the container process runs to deliver a signal it
  // received (`runphi kill`); empty: the installed runphi.               since 0.2
  const std::string& cliPath() const noexcept;
  RuntimeOptions& setCliPath(std::string path);
  // The real runc ("runc_path"); only the runphi CLI uses it.            since 0.2
  const std::string& runcPath() const noexcept;
  RuntimeOptions& setRuncPath(std::string path);

  // runphi.json's "log" section: what the runphi CLI makes sinks of.
  // libphi itself never opens these.                                     since 0.2
  const std::string& logPath() const noexcept;
  RuntimeOptions& setLogPath(std::string path);
  LogLevel logLevel() const noexcept;
  RuntimeOptions& setLogLevel(LogLevel level);
  bool journald() const noexcept;
  RuntimeOptions& setJournald(bool on);
  // RUNPHI_DEBUG_LEVEL, when set to a valid level, overrides logLevel().
  // Returns false when the variable is set but not a valid level.        since 0.2
  bool applyDebugLevelEnv();

  // Every line libphi logs at `maxLevel` or more severe goes to `sink`.  since 0.2
  RuntimeOptions& addLogSink(LogSink sink, LogLevel maxLevel);
  // The logger holding the sinks added so far.                           since 0.2
  const Logger& logger() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace v1
}  // namespace phi
