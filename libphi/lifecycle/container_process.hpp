// The container process of a partitioned container: runphi-monitor, started
// at create. It lives as long as the partition, relays the guest console and
// exits with a status that says how the guest ended (docs/partitions.md).
#pragma once

#include <phi/driver/driver.hpp>

#include <sys/types.h>

#include <string>

namespace phi {

struct ContainerProcessLaunch {
  std::string monitorPath;  // the runphi-monitor binary
  std::string containerId;
  std::string stateDir;        // the container's state directory (exit status, lock)
  std::string cliPath;         // the runphi CLI it runs to deliver a signal it receives
  std::string recordedConfig;  // --runphi-config for that CLI
  std::string runcRoot;        // --root for that CLI, if any
  ConsoleSpec console;
  std::string consoleSocket;    // --console-socket: a pty's master goes there
  int stdio[3] = {-1, -1, -1};  // -1: /dev/null
  GuestWatch watch;
};

// The argv of runphi-monitor for `launch` (without --ready-fd).
std::vector<std::string> containerProcessArgv(const ContainerProcessLaunch& launch);

// Starts the container process in its own session, with the signals it
// handles already blocked, and waits until it reports ready. Returns its pid.
// Throws phi::Error(SpawnFailed) when it cannot start or does not get ready.
pid_t launchContainerProcess(const ContainerProcessLaunch& launch);

// The monitor binary: `configured` if set (used as given), else
// runphi-monitor beside `cliPath`, else the install location.
std::string locateMonitor(const std::string& configured, const std::string& cliPath);

// The start time of a process (/proc/<pid>/stat), 0 if it does not exist.
unsigned long long processStartTime(pid_t pid);

// Whether `pid` is still the process that started at `startTime`.
bool sameProcess(pid_t pid, unsigned long long startTime);

}  // namespace phi
