// What libphi and the container process (shim/monitor/runphi_monitor.cpp, a
// static program that links nothing of libphi) agree on: its exit statuses,
// the files it reads in the container's state directory, and its options.
#pragma once

namespace phi::container_process {

// Exit statuses (docs/partitions.md, "The container process").
inline constexpr int kExitShutdown = 0;        // the guest shut down or powered off
inline constexpr int kExitCrashed = 134;       // the guest crashed
inline constexpr int kExitDestroyed = 137;     // destroyed (SIGKILL, delete --force) or vanished
inline constexpr int kExitMonitorError = 125;  // the container process itself could not run

// In the container's state directory. libphi writes the exit status there
// (atomically, under the directory's flock) once the container has stopped;
// the container process reads it under a shared flock and exits with it.
inline constexpr const char* kExitStatusFile = "exit-status";
// The settings the container was created with, as runphi.json: what the
// runphi CLI reads when the container process asks it to deliver a signal.
inline constexpr const char* kRecordedConfigFile = "runphi.json";

// Words of --watch-rule and --watch-gone.
inline constexpr const char* kOutcomeShutdown = "shutdown";
inline constexpr const char* kOutcomeCrashed = "crashed";
inline constexpr const char* kOutcomeDestroyed = "destroyed";

}  // namespace phi::container_process
