#include "jailhouse_driver.hpp"

#include <phi/driver/tick_source.hpp>
#include "cell_c_renderer.hpp"
#include "cell_create_refusal.hpp"
#include "cell_serializer.hpp"
#include "jailhouse_cli.hpp"
#include "jailhouse_sysfs.hpp"
#include "toolkit/hex.hpp"
#include "toolkit/json.hpp"

#include <phi/driver/command.hpp>
#include <phi/driver/files.hpp>
#include <phi/error.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace phi::jailhouse {

namespace {

constexpr size_t kMaxCmdline = 4096;

// What a cell file and a kernel command line may weigh at most.
constexpr std::size_t kMaxCellBytes = std::size_t{1} << 20;

std::string resolveField(const PartitionContext& ctx, const char* field, const std::string& path) {
  try {
    return resolveInRootfs(ctx.rootfs(), path);
  } catch (const Error& e) {
    throw Error(e.code(), std::string("boot/config.json: \"") + field + "\": " + e.what());
  }
}

std::string substitute(std::string text, const std::string& key, const std::string& value) {
  for (size_t pos = 0; (pos = text.find(key, pos)) != std::string::npos; pos += value.size())
    text.replace(pos, key.size(), value);
  return text;
}

}  // namespace

JailhouseSettings JailhouseDriver::settings(const PartitionContext& ctx) {
  return parseJailhouseSettings(ctx.platform());
}

std::string JailhouseDriver::cellPath(const PartitionContext& ctx) {
  return ctx.workDir() + "/" + ctx.partitionName() + ".cell";
}
std::string JailhouseDriver::cSourcePath(const PartitionContext& ctx) {
  return ctx.workDir() + "/" + ctx.partitionName() + ".c";
}
std::string JailhouseDriver::startedMarker(const PartitionContext& ctx) {
  return ctx.workDir() + "/started";
}

std::string JailhouseDriver::firmwareLink(const PartitionContext& ctx, const JailhouseSettings& s) {
  // The partition name: unique per container, at most 31 characters (the
  // Omnivisor CLI's limit for an rCPU image name).
  return s.rcpuFirmwareDir + "/" + ctx.partitionName();
}

CellDescription JailhouseDriver::cellFor(const PartitionContext& ctx, const JailhouseSettings& s) {
  CellRequest req;
  req.platform = &ctx.platform();
  req.settings = &s;
  req.allocation = &ctx.allocation();
  req.zic = &ctx.zic();
  req.name = ctx.partitionName();
  return generateCell(req);
}

LinuxBoot JailhouseDriver::linuxBoot(const PartitionContext& ctx, const JailhouseSettings& s) {
  const ZicConfig& zic = ctx.zic();
  LinuxBoot boot;
  boot.kernel =
      zic.kernel().empty() ? resolveField(ctx, "inmate", zic.inmate()) : resolveField(ctx, "kernel", zic.kernel());
  if (zic.dtb().empty()) {
    throw Error(ErrorCode::InvalidArgument,
                "boot/config.json: a Linux guest on Jailhouse needs a device tree: set \"dtb\" (jailhouse cell linux "
                "requires -d on arm64)");
  }
  boot.dtb = resolveField(ctx, "dtb", zic.dtb());
  if (!zic.cpio().empty()) boot.initrd = resolveField(ctx, "cpio", zic.cpio());
  // The kernel command line: <rootfs>/boot/cmdline when the image has one,
  // else the platform's linux_cmdline.
  boot.cmdline = s.linuxCmdline;
  std::string file;
  try {
    file = resolveInRootfs(ctx.rootfs(), "/boot/cmdline");
  } catch (const Error& e) {
    if (e.code() != ErrorCode::NotFound) throw Error(e.code(), std::string("boot/cmdline: ") + e.what());
  }
  if (!file.empty()) {
    std::string text = readFile(file, kMaxCmdline + 64);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
      text.pop_back();
    }
    if (text.size() > kMaxCmdline) {
      throw Error(ErrorCode::InvalidArgument,
                  "boot/cmdline: " + std::to_string(text.size()) + " bytes; at most " + std::to_string(kMaxCmdline));
    }
    for (char c : text) {
      if (static_cast<unsigned char>(c) < 0x20 && c != '\t') {
        throw Error(ErrorCode::InvalidArgument, "boot/cmdline: must be one line of text (found a control character)");
      }
    }
    boot.cmdline = text;
  }
  return boot;
}

std::vector<std::string> JailhouseDriver::createArgv(const PartitionContext& ctx, const JailhouseSettings& s) {
  return {s.cli, "cell", "create", cellPath(ctx)};
}

std::vector<std::string> JailhouseDriver::loadArgv(const PartitionContext& ctx, const JailhouseSettings& s,
                                                   const CellDescription& cell) {
  switch (guestKindOf(ctx.zic())) {
    case GuestKind::BareMetal:
      return {s.cli,
              "cell",
              "load",
              ctx.partitionName(),
              resolveField(ctx, "inmate", ctx.zic().inmate()),
              "-a",
              hexString(cell.cpuResetAddress)};
    case GuestKind::Rpu: {
      std::vector<std::string> argv{s.cli, "cell", "load", ctx.partitionName()};
      for (int r : cell.rcpus) argv.insert(argv.end(), {"-r", ctx.partitionName(), std::to_string(r)});
      return argv;
    }
    case GuestKind::Linux: break;
  }
  return {};
}

std::vector<std::string> JailhouseDriver::startArgv(const PartitionContext& ctx, const JailhouseSettings& s) {
  if (guestKindOf(ctx.zic()) != GuestKind::Linux) return {s.cli, "cell", "start", ctx.partitionName()};
  LinuxBoot boot = linuxBoot(ctx, s);
  std::vector<std::string> argv{s.cli, "cell", "linux", cellPath(ctx), boot.kernel, "-d", boot.dtb};
  if (!boot.initrd.empty()) argv.insert(argv.end(), {"-i", boot.initrd});
  if (!boot.cmdline.empty()) argv.insert(argv.end(), {"-c", boot.cmdline});
  return argv;
}

void JailhouseDriver::generateConfig(const PartitionContext& ctx) {
  JailhouseSettings s = settings(ctx);
  CellDescription cell = cellFor(ctx, s);
  std::string bytes = serializeCell(cell, "cell \"" + ctx.partitionName() + "\"");
  GuestKind kind = guestKindOf(ctx.zic());
  // Everything the later phases need is checked now, before anything exists.
  if (kind == GuestKind::Linux) (void)linuxBoot(ctx, s);
  if (kind != GuestKind::Linux) {
    std::string image = resolveField(ctx, "inmate", ctx.zic().inmate());
    if (kind == GuestKind::BareMetal) {
      struct stat st {};
      if (::stat(image.c_str(), &st) == 0) {
        const MemoryRegion* m = regionAt(cell, cell.cpuResetAddress);
        std::uint64_t room = m ? m->virtStart + m->size - cell.cpuResetAddress : 0;
        if (static_cast<std::uint64_t>(st.st_size) > room) {
          throw Error(ErrorCode::InvalidArgument, "boot/config.json: \"inmate\" " + ctx.zic().inmate() + " is " +
                                                      std::to_string(st.st_size) + " bytes, but the cell's RAM from " +
                                                      hexString(cell.cpuResetAddress) + " holds " +
                                                      std::to_string(room));
        }
      }
    }
  }
  writeFileAtomically(cSourcePath(ctx), renderCellC(cell), 0644);
  writeFileAtomically(cellPath(ctx), bytes, 0644);
}

void JailhouseDriver::create(const PartitionContext& ctx) {
  JailhouseSettings s = settings(ctx);
  const std::string path = cellPath(ctx);
  CellDescription cell = decodeCell(readFile(path, kMaxCellBytes), s.dialect, path);
  ::unlink(startedMarker(ctx).c_str());

  // The CPUs must still be the root cell's: a clearer error than EBUSY.
  std::vector<int> root;
  bool haveRoot = true;
  try {
    root = readCpuListFile(s.rootCpusAssignedListPath());
  } catch (const Error&) {
    haveRoot = false;  // the CLI reports what is wrong (module not loaded, disabled)
  }
  if (haveRoot) {
    for (int cpu : cell.cpus) {
      if (std::find(root.begin(), root.end(), cpu) == root.end()) {
        std::string list;
        for (int r : root) list += (list.empty() ? "" : ",") + std::to_string(r);
        throw Error(ErrorCode::InvalidArgument, "cannot create cell \"" + ctx.partitionName() + "\": CPU " +
                                                    std::to_string(cpu) + " is not the root cell's (" +
                                                    s.rootCpusAssignedListPath() + ": " +
                                                    (list.empty() ? "none" : list) + "); another cell holds it");
      }
    }
  }
  if (findCell(s.sysfsRoot, ctx.partitionName())) {
    throw Error(ErrorCode::AlreadyExists, "a Jailhouse cell named \"" + ctx.partitionName() + "\" already exists");
  }
  const std::vector<std::string> argv = createArgv(ctx, s);
  CommandResult created = runJailhouse(ctx, s, argv);
  if (created.exitCode() != 0 || created.timedOut()) throw cellCreateRefused(ctx, s, argv, created);
  // Upstream master exits 0 without creating anything when the architecture
  // byte is wrong (jailhouse-cli-sysfs.md §0 #12): check the cell is there.
  if (!findCell(s.sysfsRoot, ctx.partitionName())) throw cellCreateIgnored(ctx, s, argv, created);

  GuestKind kind = guestKindOf(ctx.zic());
  if (kind == GuestKind::Rpu) {
    // remoteproc finds rCPU firmware by name in the firmware directory: one
    // link per container, removed at destroy.
    std::string link = firmwareLink(ctx, s);
    std::string image = resolveField(ctx, "inmate", ctx.zic().inmate());
    struct stat st {};
    if (::lstat(link.c_str(), &st) == 0) {
      if (!S_ISLNK(st.st_mode)) {
        throw Error(ErrorCode::AlreadyExists, link + " exists and is not a link runphi made; not replacing it");
      }
      ::unlink(link.c_str());
    }
    if (::symlink(image.c_str(), link.c_str()) != 0) {
      throw Error(ErrorCode::IoError,
                  "cannot link RPU firmware " + link + " -> " + image + ": " + std::strerror(errno));
    }
  }
  if (kind != GuestKind::Linux) runJailhouseChecked(ctx, s, loadArgv(ctx, s, cell));
}

void JailhouseDriver::start(const PartitionContext& ctx) {
  JailhouseSettings s = settings(ctx);
  std::vector<std::string> argv = startArgv(ctx, s);
  writeFileAtomically(startedMarker(ctx), "", 0644);
  try {
    runJailhouseChecked(ctx, s, argv);
  } catch (...) {
    ::unlink(startedMarker(ctx).c_str());
    throw;
  }
}

void JailhouseDriver::shutdown(const PartitionContext& ctx) {
  JailhouseSettings s = settings(ctx);
  if (!findCell(s.sysfsRoot, ctx.partitionName())) return;
  runJailhouseChecked(ctx, s, {s.cli, "cell", "shutdown", ctx.partitionName()});
}

void JailhouseDriver::destroy(const PartitionContext& ctx) {
  JailhouseSettings s = settings(ctx);
  if (findCell(s.sysfsRoot, ctx.partitionName())) {
    const std::vector<std::string> argv{s.cli, "cell", "destroy", ctx.partitionName()};
    CommandResult r = runJailhouse(ctx, s, argv);
    // Gone in the meantime: what destroy wanted.
    bool vanished = r.exitCode() != 0 && r.err().find("No such file or directory") != std::string::npos &&
                    !findCell(s.sysfsRoot, ctx.partitionName());
    if ((r.exitCode() != 0 || r.timedOut()) && !vanished) throw Error(ErrorCode::ChildFailed, r.describe(argv));
  }
  if (ctx.zic().rpuReq()) {
    std::string link = firmwareLink(ctx, s);
    struct stat st {};
    if (::lstat(link.c_str(), &st) == 0 && S_ISLNK(st.st_mode) && ::unlink(link.c_str()) != 0 && errno != ENOENT) {
      throw Error(ErrorCode::IoError, "cannot remove RPU firmware link " + link + ": " + std::strerror(errno));
    }
  }
  ::unlink(startedMarker(ctx).c_str());
}

std::vector<int> JailhouseDriver::busyCpus(const PlatformTemplate& platform) {
  JailhouseSettings s = parseJailhouseSettings(platform);
  return cpusInUse(s.sysfsRoot, s.rootCellId, s.rootCpusAssignedListPath(), platform.cpuPool());
}

GuestStatus JailhouseDriver::queryState(const PartitionContext& ctx) {
  JailhouseSettings s = settings(ctx);
  std::optional<SysfsCell> cell = findCell(s.sysfsRoot, ctx.partitionName());
  if (!cell) return {GuestState::Absent, GuestExit::None};
  const bool started = ::access(startedMarker(ctx).c_str(), F_OK) == 0;
  const std::string& st = cell->state;
  if (st == "running" || st == "running/locked") return {GuestState::Running, GuestExit::None};
  if (st == "shut down") {
    // A fresh or loaded cell reads "shut down" too: only a started one has stopped.
    return started ? GuestStatus{GuestState::Stopped, GuestExit::Shutdown}
                   : GuestStatus{GuestState::Created, GuestExit::None};
  }
  if (st == "failed" || st == "Comm ABI mismatch") return {GuestState::Stopped, GuestExit::Crashed};
  // "invalid": a cell being created, or one that wrote garbage into its state.
  return started ? GuestStatus{GuestState::Stopped, GuestExit::Crashed}
                 : GuestStatus{GuestState::Created, GuestExit::None};
}

ConsoleSpec JailhouseDriver::console(const PartitionContext& ctx) {
  JailhouseSettings s = settings(ctx);
  auto fill = [&](const std::string& text) {
    return substitute(substitute(substitute(text, "{cli}", s.cli), "{name}", ctx.partitionName()), "{sysfs_root}",
                      s.sysfsRoot);
  };
  if (!s.consoleRelay.path.empty()) return ConsoleSpec::file(fill(s.consoleRelay.path));
  std::vector<std::string> argv;
  for (const std::string& a : s.consoleRelay.argv) argv.push_back(fill(a));
  return argv.empty() ? ConsoleSpec() : ConsoleSpec::program(std::move(argv));
}

GuestWatch JailhouseDriver::watch(const PartitionContext& ctx) {
  // The cell's sysfs state, read the way queryState reads it; the id is the
  // one the cell got at create, and counts only while the name is ours.
  JailhouseSettings s = settings(ctx);
  std::optional<SysfsCell> cell = findCell(s.sysfsRoot, ctx.partitionName());
  if (!cell) return {};
  const std::string dir = s.sysfsRoot + "/cells/" + std::to_string(cell->id);
  const std::string started = startedMarker(ctx);
  return GuestWatch::stateFile(dir + "/state")
      .requireContent(dir + "/name", ctx.partitionName())
      .addRule(WatchRule::equals("shut down", GuestExit::Shutdown).onlyIfExists(started))
      .addRule(WatchRule::equals("failed", GuestExit::Crashed))
      .addRule(WatchRule::equals("Comm ABI mismatch", GuestExit::Crashed))
      .addRule(WatchRule::equals("invalid", GuestExit::Crashed).onlyIfExists(started))
      .setPollInterval(250, 1000);
}

}  // namespace phi::jailhouse
