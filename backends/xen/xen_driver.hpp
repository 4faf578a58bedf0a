// The Xen driver: a partitioned container is an xl domain, created paused at
// `create` and unpaused at `start`.
#pragma once

#include "xen_settings.hpp"
#include "xl_config_writer.hpp"

#include <phi/driver/driver.hpp>

#include <string>
#include <vector>

namespace phi::xen {

class XenDriver : public Driver {
 public:
  std::string name() const override { return "xen"; }
  DriverCapabilities capabilities() const override {
    return DriverCapabilities().withPause().withConsole().withCheckpoint();
  }
  void generateConfig(const PartitionContext& ctx) override;
  void create(const PartitionContext& ctx) override;
  void start(const PartitionContext& ctx) override;
  void shutdown(const PartitionContext& ctx) override;
  void destroy(const PartitionContext& ctx) override;
  GuestStatus queryState(const PartitionContext& ctx) override;
  ConsoleSpec console(const PartitionContext& ctx) override;
  void pause(const PartitionContext& ctx) override;
  void resume(const PartitionContext& ctx) override;
  void checkpoint(const PartitionContext& ctx, const std::string& imageDir, bool leaveRunning) override;
  void restore(const PartitionContext& ctx, const std::string& imageDir) override;
  GuestWatch watch(const PartitionContext& ctx) override;

  // The files the domain boots from, resolved inside the rootfs.
  static XlGuestFiles guestFiles(const PartitionContext& ctx, const XenSettings& settings);
  static std::string configPath(const PartitionContext& ctx);

 private:
  static XenSettings settings(const PartitionContext& ctx);
  static std::vector<std::string> xl(const XenSettings& s, std::initializer_list<std::string> args);
  static std::string lvmVolume(const PartitionContext& ctx, const XenSettings& s);
  void provisionLvm(const PartitionContext& ctx, const XenSettings& s);
  void removeLvm(const PartitionContext& ctx, const XenSettings& s);
};

}  // namespace phi::xen
