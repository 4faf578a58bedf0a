// The hypervisor driver interface: the one table of operations every driver
// module implements. Drivers are shared libraries (backends/<name>/) loaded at
// run time; the core only ever sees this interface.
#pragma once

#include <phi/export.hpp>
#include <phi/log.hpp>
#include <phi/oci_spec.hpp>
#include <phi/partition.hpp>
#include <phi/platform.hpp>
#include <phi/tick_source.hpp>
#include <phi/zic_config.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace phi {

enum class GuestState { Absent, Created, Running, Paused, Stopped };
// How a guest ended; decides the container process's exit status.
enum class GuestExit { None, Shutdown, Crashed, Destroyed };

struct GuestStatus {
  GuestState state = GuestState::Absent;
  GuestExit exit = GuestExit::None;
};

struct DriverCapabilities {
  bool pause = false;       // pause/resume
  bool console = false;     // console() gives the guest's output
  bool checkpoint = false;  // checkpoint/restore
};

// How the container process reads the guest console: a FIFO or character
// device to open, or a program whose stdout is the console. Both empty: none.
struct ConsoleSpec {
  std::string path;
  std::vector<std::string> argv;
};

// Everything a driver operation may look at. Pointers are never null.
struct PartitionContext {
  std::string containerId;
  std::string partitionName;  // hypervisor-safe: [a-z0-9-], <= 31 chars, never all digits
  std::string bundle;
  std::string rootfs;
  std::string workDir;         // this container's private directory for the driver
  std::string driverStateDir;  // the driver's per-host directory under the state root
  const OciSpec* spec = nullptr;
  const ZicConfig* zic = nullptr;
  const PlatformTemplate* platform = nullptr;
  const Allocation* allocation = nullptr;
  Logger* log = nullptr;
};

class PHI_API Driver {
 public:
  virtual ~Driver();

  virtual std::string name() const = 0;                 // since 0.1
  virtual DriverCapabilities capabilities() const = 0;  // since 0.1
  // Writes the hypervisor configuration into ctx.workDir.          since 0.1
  virtual void generateConfig(const PartitionContext& ctx) = 0;
  // Creates the partition, not running.                              since 0.1
  virtual void create(const PartitionContext& ctx) = 0;
  virtual void start(const PartitionContext& ctx) = 0;  // since 0.1
  // Asks the guest to shut down; returns without waiting.           since 0.1
  virtual void shutdown(const PartitionContext& ctx) = 0;
  // Removes the partition whatever its state; a missing one is not an error.
  virtual void destroy(const PartitionContext& ctx) = 0;            // since 0.1
  virtual GuestStatus queryState(const PartitionContext& ctx) = 0;  // since 0.1
  virtual ConsoleSpec console(const PartitionContext& ctx);         // since 0.1
  virtual void pause(const PartitionContext& ctx);                  // since 0.1
  virtual void resume(const PartitionContext& ctx);                 // since 0.1
  // Saves the guest into `imageDir`; it keeps running only when
  // `leaveRunning`. Default: NotSupported.                           since 0.1
  virtual void checkpoint(const PartitionContext& ctx, const std::string& imageDir, bool leaveRunning);
  // Recreates the guest from `imageDir` with this context's configuration
  // (generateConfig ran first), running. Default: NotSupported.      since 0.1
  virtual void restore(const PartitionContext& ctx, const std::string& imageDir);
  // The platform counter for phase timings; monotonic by default.   since 0.1
  virtual std::unique_ptr<TickSource> tickSource(const PlatformTemplate& platform);
};

}  // namespace phi

// A driver module exports one symbol, `phi_driver_module`, of this type.
#define PHI_DRIVER_ABI_VERSION 2u  // 2: checkpoint, restore

extern "C" {
struct PhiDriverModule {
  std::uint32_t abiVersion;  // PHI_DRIVER_ABI_VERSION of the headers it was built with
  const char* name;          // must equal the file name's <name> in libphi-driver-<name>.so
  phi::Driver* (*create)();  // a new driver; the caller owns it
};
}

#define PHI_DRIVER_MODULE(driverName, DriverClass)                                              \
  extern "C" __attribute__((visibility("default"))) const PhiDriverModule phi_driver_module = { \
      PHI_DRIVER_ABI_VERSION, driverName, []() -> phi::Driver* { return new DriverClass(); }}
