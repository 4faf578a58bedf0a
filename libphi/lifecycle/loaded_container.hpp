// An existing partitioned container, loaded under its directory's lock:
// its record, the copies create took of its configuration, what it holds,
// its driver and the driver's context. Every verb but create starts here.
#pragma once

#include <phi/driver/driver.hpp>
#include <phi/oci_spec.hpp>
#include <phi/partition.hpp>
#include <phi/platform.hpp>
#include <phi/zic_config.hpp>

#include "lifecycle/runtime_env.hpp"
#include "runtime/state_store.hpp"
#include "toolkit/file_lock.hpp"

#include <memory>
#include <optional>
#include <string>

namespace phi {

// Copies of what create read, kept so later calls work without the bundle.
inline constexpr const char* kSpecCopy = "oci-config.json";
inline constexpr const char* kZicCopy = "zic-config.json";
inline constexpr const char* kPlatformCopy = "platform.json";
inline constexpr const char* kDriverWorkDir = "driver";

struct LoadedContainer {
  std::string dir;
  ContainerRecord record;
  OciSpec spec;
  ZicConfig zic;
  PlatformTemplate platform;
  Allocation allocation;
  std::unique_ptr<Driver> driver;  // null only when loaded tolerantly and it could not be loaded
  std::string driverError;         // why it could not be loaded
  PartitionContext ctx;
  std::optional<FileLock> lock;
};

// Locks and loads container `id`. NotFound when the runtime holds no such
// container. `tolerant` (delete --force, state): what cannot be read is
// logged and left empty instead of failing.
LoadedContainer loadContainer(RuntimeEnv& env, const std::string& id, bool tolerant);

// The one place a driver's context is put together (create and load).
PartitionContext makePartitionContext(const RuntimeEnv& env, const std::string& dir, const ContainerRecord& record,
                                      const OciSpec& spec, const ZicConfig& zic, const PlatformTemplate& platform,
                                      const Allocation& allocation, const std::string& driverName);

// Saves the record; once it is stopped with a known status, also tells the
// container process (the exit-status file it reads).
void saveRecord(RuntimeEnv& env, const ContainerRecord& record);

// Moves the record to `to` if the lifecycle allows it (creating -> created
// or running; created -> running or stopped; running <-> paused; anything
// live -> stopped); false, and unchanged, otherwise.
bool transition(ContainerRecord& record, Status to);

// The container process's exit status for a guest that ended this way.
int exitStatusFor(GuestExit exit);

// Brings the record up to date with the hypervisor (saved when it changed).
void refresh(RuntimeEnv& env, LoadedContainer& c);

// Destroys the partition (idempotent) and records the container stopped
// with `exitStatus` unless it already stopped with a status of its own.
void destroyPartition(RuntimeEnv& env, LoadedContainer& c, int exitStatus);

// Wakes the container process so it looks at once (SIGUSR1).
void pokeContainerProcess(const ContainerRecord& record);

}  // namespace phi
