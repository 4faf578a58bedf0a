#include "xen_driver.hpp"

#include "xl_domain_state.hpp"

#include <phi/driver/command.hpp>
#include <phi/driver/files.hpp>
#include <phi/error.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

namespace phi::xen {

namespace {
constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;
}  // namespace

namespace {

constexpr const char* kConfigFile = "domain.cfg";

}  // namespace

XenSettings XenDriver::settings(const PartitionContext& ctx) {
  return parseXenSettings(ctx.platform().driverSettingsJson(), ctx.platform().sourcePath());
}

std::vector<std::string> XenDriver::xl(const XenSettings& s, std::initializer_list<std::string> args) {
  std::vector<std::string> argv{s.xlPath};
  argv.insert(argv.end(), args);
  return argv;
}

std::string XenDriver::configPath(const PartitionContext& ctx) {
  return ctx.workDir() + "/" + kConfigFile;
}

std::string XenDriver::lvmVolume(const PartitionContext& ctx, const XenSettings& s) {
  return "/dev/" + s.lvmVolumeGroup + "/" + ctx.partitionName();
}

XlGuestFiles XenDriver::guestFiles(const PartitionContext& ctx, const XenSettings& s) {
  const ZicConfig& zic = ctx.zic();
  XlGuestFiles files;
  auto resolve = [&](const char* field, const std::string& path) {
    try {
      return resolveInRootfs(ctx.rootfs(), path);
    } catch (const Error& e) {
      throw Error(e.code(), std::string("boot/config.json: \"") + field + "\": " + e.what());
    }
  };
  bool linux = zic.os() == GuestOs::Linux;
  files.kernel = linux && !zic.kernel().empty() ? resolve("kernel", zic.kernel()) : resolve("inmate", zic.inmate());
  if (linux && !zic.ramdisk().empty()) files.ramdisk = resolve("ramdisk", zic.ramdisk());
  if (zic.diskType() == DiskType::File) files.diskTarget = resolve("disk_image", zic.diskImage());
  if (zic.diskType() == DiskType::Lvm) {
    if (s.lvmVolumeGroup.empty()) {
      throw Error(ErrorCode::InvalidArgument, "container \"" + ctx.containerId() +
                                                  "\" asks for an LVM disk but platform \"" + ctx.platform().name() +
                                                  "\" names no xen.lvm_volume_group");
    }
    files.diskTarget = lvmVolume(ctx, s);
  }
  return files;
}

void XenDriver::generateConfig(const PartitionContext& ctx) {
  XenSettings s = settings(ctx);
  std::string cfg = XlConfigWriter(s).write(ctx, guestFiles(ctx, s));
  writeFileAtomically(configPath(ctx), cfg, 0644);
}

void XenDriver::provisionLvm(const PartitionContext& ctx, const XenSettings& s) {
  const ZicConfig& zic = ctx.zic();
  std::uint64_t sizeMiB = zic.diskSizeMiB();
  if (sizeMiB == 0) {
    // Like runPHI: the rootfs's size plus a third, plus 64 MiB for the filesystem.
    std::uint64_t bytes = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(
             ctx.spec().rootfs(), std::filesystem::directory_options::skip_permission_denied)) {
      if (entry.is_regular_file() && !entry.is_symlink()) bytes += entry.file_size();
    }
    sizeMiB = bytes * 13 / 10 / kMiB + 64;
  }
  std::string lv = lvmVolume(ctx, s);
  runCommandChecked(
      {"lvcreate", "-y", "-L", std::to_string(sizeMiB) + "M", "-n", ctx.partitionName(), s.lvmVolumeGroup});
  try {
    std::string mnt = ctx.workDir() + "/mnt";
    std::filesystem::create_directories(mnt);
    runCommandChecked({"mkfs.ext4", "-q", "-F", lv});
    runCommandChecked({"mount", lv, mnt});
    // The container's whole rootfs (ctx.rootfs() holds only its pinned boot files).
    CommandResult copy = runCommand({"cp", "-a", ctx.spec().rootfs() + "/.", mnt});
    CommandResult umount = runCommand({"umount", mnt});
    if (copy.exitCode() != 0)
      throw Error(ErrorCode::ChildFailed, "copying the rootfs to " + lv + " failed: " + copy.err());
    if (umount.exitCode() != 0) throw Error(ErrorCode::ChildFailed, "umount " + mnt + " failed: " + umount.err());
  } catch (...) {
    removeLvm(ctx, s);
    throw;
  }
}

void XenDriver::removeLvm(const PartitionContext& ctx, const XenSettings& s) {
  CommandResult r = runCommand({"lvremove", "-f", lvmVolume(ctx, s)});
  if (r.exitCode() != 0 && r.err().find("not found") == std::string::npos &&
      r.err().find("Failed to find") == std::string::npos) {
    throw Error(ErrorCode::ChildFailed, "lvremove -f " + lvmVolume(ctx, s) + " failed: " + r.err());
  }
}

void XenDriver::create(const PartitionContext& ctx) {
  XenSettings s = settings(ctx);
  bool lvm = ctx.zic().diskType() == DiskType::Lvm;
  if (lvm) provisionLvm(ctx, s);
  try {
    // -p: the domain is built but does not run before `start`.
    runCommandChecked(xl(s, {"create", "-p", configPath(ctx)}));
  } catch (...) {
    if (lvm) removeLvm(ctx, s);
    throw;
  }
}

void XenDriver::start(const PartitionContext& ctx) {
  XenSettings s = settings(ctx);
  runCommandChecked(xl(s, {"unpause", ctx.partitionName()}));
}

void XenDriver::shutdown(const PartitionContext& ctx) {
  XenSettings s = settings(ctx);
  CommandResult r = runCommand(xl(s, {"shutdown", ctx.partitionName()}));
  if (r.exitCode() != 0 && !isMissingDomainError(r.err())) {
    throw Error(ErrorCode::ChildFailed, "`" + s.xlPath + " shutdown " + ctx.partitionName() + "` exited with status " +
                                            std::to_string(r.exitCode()) + ": " + r.err());
  }
  // A guest that ignores the request is destroyed after the timeout.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(s.shutdownTimeoutSeconds);
  while (std::chrono::steady_clock::now() < deadline) {
    GuestState state = queryState(ctx).state;
    if (state == GuestState::Stopped || state == GuestState::Absent) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ctx.log().warn("domain " + ctx.partitionName() + " ignored shutdown for " + std::to_string(s.shutdownTimeoutSeconds) +
                 " s; destroying it");
  runCommandChecked(xl(s, {"destroy", ctx.partitionName()}));
}

void XenDriver::destroy(const PartitionContext& ctx) {
  XenSettings s = settings(ctx);
  CommandResult r = runCommand(xl(s, {"destroy", ctx.partitionName()}));
  if (r.exitCode() != 0 && !isMissingDomainError(r.err())) {
    throw Error(ErrorCode::ChildFailed, "`" + s.xlPath + " destroy " + ctx.partitionName() + "` exited with status " +
                                            std::to_string(r.exitCode()) + ": " + r.err());
  }
  if (ctx.zic().diskType() == DiskType::Lvm && !s.lvmVolumeGroup.empty()) removeLvm(ctx, s);
}

GuestStatus XenDriver::queryState(const PartitionContext& ctx) {
  XenSettings s = settings(ctx);
  CommandResult r = runCommand(xl(s, {"list", ctx.partitionName()}));
  if (r.exitCode() != 0) {
    if (isMissingDomainError(r.err())) return {GuestState::Absent, GuestExit::None};
    throw Error(ErrorCode::ChildFailed, "`" + s.xlPath + " list " + ctx.partitionName() + "` exited with status " +
                                            std::to_string(r.exitCode()) + ": " + r.err());
  }
  return parseXlListState(r.out(), ctx.partitionName());
}

ConsoleSpec XenDriver::console(const PartitionContext& ctx) {
  XenSettings s = settings(ctx);
  return ConsoleSpec::program({s.xlPath, "console", ctx.partitionName()});
}

void XenDriver::pause(const PartitionContext& ctx) {
  runCommandChecked(xl(settings(ctx), {"pause", ctx.partitionName()}));
}

void XenDriver::resume(const PartitionContext& ctx) {
  runCommandChecked(xl(settings(ctx), {"unpause", ctx.partitionName()}));
}

namespace {
constexpr const char* kSaveFile = "domain.xlsave";
}

void XenDriver::checkpoint(const PartitionContext& ctx, const std::string& imageDir, bool leaveRunning) {
  XenSettings s = settings(ctx);
  std::string file = imageDir + "/" + kSaveFile;
  // xl save stops and removes the domain unless -c keeps it running.
  if (leaveRunning) {
    runCommandChecked(xl(s, {"save", "-c", ctx.partitionName(), file}));
  } else {
    runCommandChecked(xl(s, {"save", ctx.partitionName(), file}));
  }
}

void XenDriver::restore(const PartitionContext& ctx, const std::string& imageDir) {
  XenSettings s = settings(ctx);
  // This container's own configuration (its name, its CPUs), not the saved one.
  runCommandChecked(xl(s, {"restore", configPath(ctx), imageDir + "/" + kSaveFile}));
}

GuestWatch XenDriver::watch(const PartitionContext& ctx) {
  // `xl list <name>`: the State column's letters, read as queryState reads them.
  XenSettings s = settings(ctx);
  return GuestWatch::statusProgram(xl(s, {"list", ctx.partitionName()}), ctx.partitionName(), 5, missingDomainMarkers())
      .addRule(WatchRule::anyOf("c", GuestExit::Crashed))
      .addRule(WatchRule::anyOf("sd", GuestExit::Shutdown))
      .setPollInterval(250, 1000);
}

}  // namespace phi::xen
