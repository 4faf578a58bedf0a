// create (and restore): from a ZIC bundle to a partition with its container
// process, every step undone, newest first, when a later one fails.
#include <phi/driver/files.hpp>
#include <phi/error.hpp>
#include <phi/routing.hpp>

#include "lifecycle/boot_manager.hpp"
#include "lifecycle/container_cgroup.hpp"
#include "lifecycle/container_process.hpp"
#include "lifecycle/container_process_protocol.hpp"
#include "lifecycle/loaded_container.hpp"
#include "lifecycle/oci_hooks.hpp"
#include "lifecycle/partition_name.hpp"
#include "lifecycle/phase_timer.hpp"
#include "lifecycle/rollback.hpp"
#include "lifecycle/verbs.hpp"
#include "resources/id_pool.hpp"
#include "resources/resource_ledger.hpp"
#include "runtime/container_state_impl.hpp"
#include "sdk/rootfs_path.hpp"
#include "toolkit/clock.hpp"
#include "toolkit/file_lock.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>

namespace phi::lifecycle {

namespace {

// Inputs a create reads; each is small by nature.
constexpr std::size_t kMaxBundleConfigBytes = std::size_t{16} << 20;
constexpr std::size_t kMaxZicConfigBytes = std::size_t{1} << 20;
constexpr std::size_t kMaxPlatformBytes = std::size_t{1} << 20;

std::string absoluteBundle(const std::string& bundle) {
  if (!bundle.empty() && bundle.front() == '/') return bundle;
  std::string cwd = std::filesystem::current_path().string();
  return bundle.empty() || bundle == "." ? cwd : cwd + "/" + bundle;
}

[[noreturn]] void noDriver(const RuntimeEnv& env, const std::string& id, const std::string& bundle) {
  std::string why;
  try {
    why = decideCreate(bundle).reason();
  } catch (const Error& e) {
    why = e.what();
  }
  const std::string& source = env.options.sourcePath();
  std::string where = source.empty() ? "the configuration file (none found, defaults in use)" : source;
  throw Error(ErrorCode::NoDriver, "container \"" + id + "\" is a partitioned container (" + why +
                                       ") but no driver is configured: set \"backend\" in " + where);
}

}  // namespace

ContainerRecord create(RuntimeEnv& env, const CreateRequest& request, const std::string& checkpointDir) {
  const std::string& id = request.id();
  // runc's own rule and message: an id is also a path component and a log field.
  if (!isValidContainerId(id)) throw Error(ErrorCode::InvalidArgument, "invalid container ID format");
  const std::string& backend = env.options.backend();
  if (backend.empty()) noDriver(env, id, request.bundle().empty() ? "." : request.bundle());
  const Logger log = env.log.forContainer(id);

  auto monotonic = makeMonotonicTickSource();
  PhaseTimer loading(*monotonic, log, "create " + id);
  // Declared before the rollback so its undo steps can still use them.
  std::unique_ptr<Driver> driver;
  PartitionContext ctx;
  Rollback undo(log);

  env.store.claim(id);
  const std::string dir = env.store.containerDir(id);
  undo.add("remove " + dir, [&env, id] { env.store.remove(id); });
  FileLock lock = FileLock::directory(dir);

  ContainerRecord record;
  record.id = id;
  record.status = Status::Creating;
  record.bundle = absoluteBundle(request.bundle());
  record.created = rfc3339Utc(std::chrono::system_clock::now(), 9);
  record.backend = backend;
  // No partition name until the ledger reserves one: nothing named, nothing to destroy.
  record.creatorPid = ::getpid();
  env.store.save(record);

  // Validation: everything is read and checked before anything is taken.
  driver = env.drivers.load(backend);
  const std::string& platformPath = env.options.platformTemplate();
  if (platformPath.empty()) {
    const std::string& source = env.options.sourcePath();
    throw Error(ErrorCode::InvalidArgument, "no \"platform_template\" configured for backend \"" + backend + "\" in " +
                                                (source.empty() ? "runphi.json" : source));
  }
  std::string platformText = readFile(platformPath, kMaxPlatformBytes);
  PlatformTemplate platform = parsePlatformTemplate(platformText, platformPath);
  platform.setSourcePath(platformPath);
  if (platform.driver() != backend) {
    throw Error(ErrorCode::InvalidArgument, platformPath + ": platform \"" + platform.name() + "\" is for driver \"" +
                                                platform.driver() + "\", but backend is \"" + backend + "\"");
  }
  // From here on, phases are timed with the driver's tick source.
  std::unique_ptr<TickSource> ticks = driver->tickSource(platform);
  loading.phase("loading the driver and the platform");
  PhaseTimer timer(*ticks, log, "create " + id);
  const std::string specPath = record.bundle + "/config.json";
  std::string specText = readFile(specPath, kMaxBundleConfigBytes);
  OciSpec spec = parseOciSpec(specText, specPath, record.bundle);
  const std::string zicOrigin = spec.rootfs() + "/" + kZicConfigPath;
  std::string zicText = readFileInRootfs(spec.rootfs(), kZicConfigPath, kMaxZicConfigBytes, zicOrigin);
  ZicConfig zic = parseZicConfig(zicText, zicOrigin);
  PartitionRequest partitionRequest = derivePartitionRequest(spec, zic, platform);
  // Opened once inside the rootfs; the driver sees only these pinned files.
  pinBootImages(spec.rootfs(), zic, partitionRequest.memoryBytes(), dir + "/" + kPinnedBootDir);
  writeFileAtomically(dir + "/" + kSpecCopy, specText);
  writeFileAtomically(dir + "/" + kZicCopy, zicText);
  writeFileAtomically(dir + "/" + kPlatformCopy, platformText);
  const std::string recordedConfig = dir + "/" + container_process::kRecordedConfigFile;
  writeFileAtomically(recordedConfig, env.options.toJson());
  record.platformPath = dir + "/" + kPlatformCopy;
  record.rootfs = spec.rootfs();
  record.annotations = spec.annotations();
  timer.phase("validation");

  ResourceLedger ledger(env.options.stateRoot(), platform);
  const std::string owner = env.store.ownerKey(id);
  LedgerClaim claim;
  claim.partitionName = [&](unsigned attempt) { return partitionNameFor(env.options.runcRoot(), id, attempt); };
  claim.reservedName = &record.partitionName;
  claim.ownerGone = [&env](const std::string& other) { return env.store.ownerGone(other); };
  Allocation allocation = ledger.allocate(
      owner, partitionRequest,
      [&] {
        HeldByHypervisor held{driver->busyCpus(platform)};
        if (!held.cpus.empty()) log.debug("the hypervisor reports CPUs " + joinIds(held.cpus) + " in use");
        return held;
      },
      claim);
  undo.add("release resources of " + owner, [ledger, owner]() mutable { ledger.release(owner); });
  // The name is recorded before any driver call, so a later delete --force
  // finds the partition even if this process dies now.
  env.store.save(record);
  timer.phase("allocation");

  ctx = makePartitionContext(env, dir, record, spec, zic, platform, allocation, backend);
  std::filesystem::create_directories(ctx.workDir());
  std::filesystem::create_directories(ctx.driverStateDir());

  driver->generateConfig(ctx);
  timer.phase("driver generateConfig");
  // The name is this container's in the ledger; a partition that has it
  // anyway was not made by this create, and its rollback must not touch it.
  if (GuestStatus existing = driver->queryState(ctx); existing.state != GuestState::Absent) {
    throw Error(ErrorCode::AlreadyExists, "a partition named \"" + ctx.partitionName() +
                                              "\" already exists in the hypervisor, not made by this create; "
                                              "leaving it alone");
  }
  // destroy() is idempotent, so it is safe to undo even a half-done create.
  undo.add("destroy partition " + ctx.partitionName(), [&] { driver->destroy(ctx); });
  if (checkpointDir.empty()) {
    driver->create(ctx);
    timer.phase("driver create");
  } else {
    driver->restore(ctx, checkpointDir);
    timer.phase("driver restore");
  }

  ContainerProcessLaunch launch;
  launch.cliPath = env.cliPath();
  launch.monitorPath = locateMonitor(env.options.monitorPath(), launch.cliPath);
  launch.recordedConfig = recordedConfig;
  launch.runcRoot = env.options.runcRoot();
  launch.containerId = id;
  launch.stateDir = dir;
  launch.console = driver->console(ctx);
  launch.consoleSocket = request.consoleSocket();
  launch.stdio[0] = request.stdinFd();
  launch.stdio[1] = request.stdoutFd();
  launch.stdio[2] = request.stderrFd();
  launch.watch = driver->watch(ctx);
  // linux.cgroupsPath: the container process's own cgroup, removed after it
  // (undo runs newest first: this after the container process is stopped).
  const std::vector<std::string> cgroups = cgroupDirsFor(recordedCgroupsPath(dir));
  if (!cgroups.empty()) {
    recordCgroups(dir, cgroups);
    undo.add("remove the container process's cgroups", [cgroups, log] { removeCgroups(cgroups, log); });
  }
  pid_t monitor = launchContainerProcess(launch);
  undo.add("stop the container process", [monitor] {
    ::kill(monitor, SIGKILL);
    ::waitpid(monitor, nullptr, 0);
  });
  joinCgroups(monitor, cgroups);
  record.pid = monitor;
  record.monitorStartTime = processStartTime(monitor);
  timer.phase("container process");

  // As runc does, the hooks run once the container process exists (waiting
  // for `start`, the guest not yet booted) and get its pid in the state:
  // Docker's libnetwork-setkey and the like act on /proc/<pid>.
  const std::string hookState = makeContainerState(record).toJson(StateFormat::Oci);
  runHooks(spec, HookPoint::Prestart, hookState, log);
  runHooks(spec, HookPoint::CreateRuntime, hookState, log);
  runHooks(spec, HookPoint::CreateContainer, hookState, log);
  timer.phase("hooks");

  if (!request.pidFile().empty()) writeFileAtomically(request.pidFile(), std::to_string(monitor), 0644);
  transition(record, checkpointDir.empty() ? Status::Created : Status::Running);
  saveRecord(env, record);
  undo.commit();
  timer.total("total after loading");
  loading.total();
  log.info("created partition " + record.partitionName + " on " + platform.name());
  return record;
}

}  // namespace phi::lifecycle
