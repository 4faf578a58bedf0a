// The container process of a partitioned container: runphi-monitor, started
// at create. It lives as long as the partition, relays the guest console and
// exits with a status that says how the guest ended (docs/partitions.md).
#pragma once

#include <phi/driver.hpp>

#include <sys/types.h>
#include <string>

namespace phi {

struct MonitorLaunch {
  std::string monitorPath;   // the runphi-monitor binary
  std::string runphiPath;    // what the monitor calls back (guest-status, kill)
  std::string runphiConfig;  // --runphi-config to pass back, if any
  std::string runcRoot;      // --root to pass back, if any
  std::string containerId;
  ConsoleSpec console;
  std::string consoleSocket;  // --console-socket: a pty's master goes there
};

// Starts the monitor in its own session; returns its pid. Throws phi::Error.
pid_t launchMonitor(const MonitorLaunch& launch);

// The monitor binary: `configured` if set, else runphi-monitor beside
// `runphiPath`, else the install location.
std::string locateMonitor(const std::string& configured, const std::string& runphiPath);

// The start time of a process (/proc/<pid>/stat), 0 if it does not exist.
unsigned long long processStartTime(pid_t pid);

// Whether `pid` is still the process that started at `startTime`.
bool sameProcess(pid_t pid, unsigned long long startTime);

}  // namespace phi
