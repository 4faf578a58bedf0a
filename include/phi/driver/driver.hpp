// The hypervisor driver interface: the one table of operations every driver
// implements. Drivers are shared libraries (libphi-driver-<name>.so) loaded at
// run time, or registered in-process (DriverRegistry::add); the core only
// ever sees this interface. A module built against another
// PHI_DRIVER_ABI_VERSION is refused before any of its code runs.
#pragma once

#include <phi/driver/guest_status.hpp>
#include <phi/driver/guest_watch.hpp>
#include <phi/driver/partition_context.hpp>
#include <phi/driver/tick_source.hpp>
#include <phi/export.hpp>
#include <phi/platform.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace phi {
inline namespace v1 {

// What a driver can do beyond the required operations.               since 0.2
class PHI_API DriverCapabilities {
 public:
  DriverCapabilities();  // nothing optional
  ~DriverCapabilities();
  DriverCapabilities(const DriverCapabilities&);
  DriverCapabilities& operator=(const DriverCapabilities&);
  DriverCapabilities(DriverCapabilities&&) noexcept;
  DriverCapabilities& operator=(DriverCapabilities&&) noexcept;

  bool pause() const noexcept;       // pause/resume
  bool console() const noexcept;     // console() gives the guest's output
  bool checkpoint() const noexcept;  // checkpoint/restore
  DriverCapabilities& withPause(bool on = true);
  DriverCapabilities& withConsole(bool on = true);
  DriverCapabilities& withCheckpoint(bool on = true);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// How the container process reads the guest console: a FIFO or character
// device to open, or a program whose stdout is the console.          since 0.2
class PHI_API ConsoleSpec {
 public:
  ConsoleSpec();  // no console
  ~ConsoleSpec();
  ConsoleSpec(const ConsoleSpec&);
  ConsoleSpec& operator=(const ConsoleSpec&);
  ConsoleSpec(ConsoleSpec&&) noexcept;
  ConsoleSpec& operator=(ConsoleSpec&&) noexcept;

  static ConsoleSpec file(std::string path);
  static ConsoleSpec program(std::vector<std::string> argv);

  const std::string& path() const noexcept;
  const std::vector<std::string>& argv() const noexcept;
  bool empty() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class PHI_API Driver {
 public:
  virtual ~Driver();

  virtual std::string name() const = 0;                 // since 0.1
  virtual DriverCapabilities capabilities() const = 0;  // since 0.1
  // Writes the hypervisor configuration into ctx.workDir().            since 0.1
  virtual void generateConfig(const PartitionContext& ctx) = 0;
  // Creates the partition, not running.                                since 0.1
  virtual void create(const PartitionContext& ctx) = 0;
  virtual void start(const PartitionContext& ctx) = 0;  // since 0.1
  // Asks the guest to shut down; returns without waiting.             since 0.1
  virtual void shutdown(const PartitionContext& ctx) = 0;
  // Removes the partition whatever its state; a missing one is not an error.
  virtual void destroy(const PartitionContext& ctx) = 0;            // since 0.1
  virtual GuestStatus queryState(const PartitionContext& ctx) = 0;  // since 0.1
  virtual ConsoleSpec console(const PartitionContext& ctx);         // since 0.1
  virtual void pause(const PartitionContext& ctx);                  // since 0.1
  virtual void resume(const PartitionContext& ctx);                 // since 0.1
  // Saves the guest into `imageDir`; it keeps running only when
  // `leaveRunning`. Default: NotSupported.                             since 0.1
  virtual void checkpoint(const PartitionContext& ctx, const std::string& imageDir, bool leaveRunning);
  // Recreates the guest from `imageDir` with this context's configuration
  // (generateConfig ran first), running. Default: NotSupported.        since 0.1
  virtual void restore(const PartitionContext& ctx, const std::string& imageDir);
  // The platform counter for phase timings. Default: what the platform's
  // tick_source names (makePlatformTickSource).                        since 0.1
  virtual std::unique_ptr<TickSource> tickSource(const PlatformTemplate& platform);
  // How the container process sees the guest end, asked once the
  // partition exists. It must agree with queryState. Default: no watch.  since 0.2
  virtual GuestWatch watch(const PartitionContext& ctx);
  // CPUs of `platform`'s pool the hypervisor reports as in use (held by
  // any partition, runphi's own included). Asked at create under the
  // resource ledger's lock: the allocation skips those no record holds,
  // without recording them as anyone's. A driver that cannot tell returns
  // none. Default: none.                                               since 0.2
  virtual std::vector<int> busyCpus(const PlatformTemplate& platform);
};

}  // namespace v1
}  // namespace phi

// A driver module exports one symbol, `phi_driver_module`, of this type.
// 3: libphi 0.2 (opaque data model, watch)
// 4: libphi 0.2 (busyCpus)
#define PHI_DRIVER_ABI_VERSION 4u

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
