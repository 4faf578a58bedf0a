// The Jailhouse driver: a partitioned container is a Jailhouse cell, driven
// through the `jailhouse` CLI and observed through its sysfs tree
// (docs/jailhouse.md).
#pragma once

#include "cell_generator.hpp"
#include "cell_model.hpp"
#include "jailhouse_settings.hpp"

#include <phi/driver/driver.hpp>

#include <string>
#include <vector>

namespace phi::jailhouse {

// What a Linux cell boots, resolved inside the rootfs.
struct LinuxBoot {
  std::string kernel, dtb, initrd, cmdline;
};

class JailhouseDriver : public Driver {
 public:
  std::string name() const override { return "jailhouse"; }
  DriverCapabilities capabilities() const override { return DriverCapabilities().withConsole(); }
  void generateConfig(const PartitionContext& ctx) override;
  void create(const PartitionContext& ctx) override;
  void start(const PartitionContext& ctx) override;
  void shutdown(const PartitionContext& ctx) override;
  void destroy(const PartitionContext& ctx) override;
  GuestStatus queryState(const PartitionContext& ctx) override;
  ConsoleSpec console(const PartitionContext& ctx) override;
  GuestWatch watch(const PartitionContext& ctx) override;
  std::vector<int> busyCpus(const PlatformTemplate& platform) override;

  // Building blocks, public for the tests.
  static CellDescription cellFor(const PartitionContext& ctx, const JailhouseSettings& s);
  static std::string cellPath(const PartitionContext& ctx);  // <workDir>/<name>.cell
  static std::string cSourcePath(const PartitionContext& ctx);
  static LinuxBoot linuxBoot(const PartitionContext& ctx, const JailhouseSettings& s);
  static std::string firmwareLink(const PartitionContext& ctx, const JailhouseSettings& s);
  // The argv of each phase, exactly as run.
  static std::vector<std::string> createArgv(const PartitionContext& ctx, const JailhouseSettings& s);
  static std::vector<std::string> loadArgv(const PartitionContext& ctx, const JailhouseSettings& s,
                                           const CellDescription& cell);
  static std::vector<std::string> startArgv(const PartitionContext& ctx, const JailhouseSettings& s);

 private:
  static JailhouseSettings settings(const PartitionContext& ctx);
  static std::string startedMarker(const PartitionContext& ctx);
};

}  // namespace phi::jailhouse
