#include "lifecycle/loaded_container.hpp"

#include <phi/driver/files.hpp>
#include <phi/error.hpp>

#include "lifecycle/boot_manager.hpp"
#include "lifecycle/container_process.hpp"
#include "lifecycle/container_process_protocol.hpp"
#include "lifecycle/phase_timer.hpp"
#include "resources/resource_ledger.hpp"

#include <unistd.h>

#include <csignal>
#include <functional>

namespace phi {

namespace {

// What create copied into the state directory; small files by nature.
constexpr std::size_t kMaxCopyBytes = std::size_t{16} << 20;

bool live(Status s) {
  return s == Status::Created || s == Status::Running || s == Status::Paused;
}

}  // namespace

std::string RuntimeEnv::cliPath() const {
  if (!options.cliPath().empty()) return options.cliPath();
  return install_layout::cliPath();
}

PartitionContext makePartitionContext(const RuntimeEnv& env, const std::string& dir, const ContainerRecord& record,
                                      const OciSpec& spec, const ZicConfig& zic, const PlatformTemplate& platform,
                                      const Allocation& allocation, const std::string& driverName) {
  PartitionContext c;
  // The boot files create pinned (boot_manager.hpp); a container made by an
  // earlier version has none and keeps its rootfs.
  const std::string pinned = dir + "/" + kPinnedBootDir;
  c.setContainerId(record.id)
      .setPartitionName(record.partitionName)
      .setBundle(record.bundle)
      .setRootfs(::access(pinned.c_str(), F_OK) == 0 ? pinned : record.rootfs)
      .setWorkDir(dir + "/" + kDriverWorkDir)
      .setDriverStateDir(env.driverStateDir(driverName))
      .setSpec(spec)
      .setZic(zic)
      .setPlatform(platform)
      .setAllocation(allocation)
      .setLog(env.log.forContainer(record.id));
  return c;
}

LoadedContainer loadContainer(RuntimeEnv& env, const std::string& id, bool tolerant) {
  if (!env.store.holds(id)) throw Error(ErrorCode::NotFound, "container \"" + id + "\" does not exist");
  LoadedContainer c;
  c.dir = env.store.containerDir(id);
  c.lock.emplace(FileLock::directory(c.dir));
  const Logger log = env.log.forContainer(id);
  auto attempt = [&](const char* what, const std::function<void()>& step) {
    try {
      step();
    } catch (const Error& e) {
      if (!tolerant) throw;
      log.warn(std::string("container \"") + id + "\": " + what + ": " + e.what());
    }
  };
  std::optional<ContainerRecord> record;
  // A corrupt state.json (a full disk, a crash) must not make the container
  // impossible to delete: delete --force goes on with what else is on disk.
  attempt("reading its state", [&] { record = env.store.load(id); });
  if (record) {
    c.record = *record;
  } else {
    // Killed before the first state write, or the state is unreadable: all
    // we know is the id; the partition name, if any, is in the ledger.
    c.record.id = id;
    c.record.status = Status::Creating;
    c.record.backend = env.options.backend();
  }
  attempt("reading its OCI spec", [&] {
    std::string path = c.dir + "/" + kSpecCopy;
    if (::access(path.c_str(), R_OK) == 0) c.spec = parseOciSpec(readFile(path, kMaxCopyBytes), path, c.record.bundle);
  });
  attempt("reading its ZIC config", [&] {
    std::string path = c.dir + "/" + kZicCopy;
    if (::access(path.c_str(), R_OK) == 0) c.zic = parseZicConfig(readFile(path, kMaxCopyBytes), path);
  });
  attempt("reading its platform", [&] {
    std::string path = c.dir + "/" + kPlatformCopy;
    if (::access(path.c_str(), R_OK) == 0) {
      c.platform = loadPlatformTemplate(path);
    } else if (!env.options.platformTemplate().empty()) {
      c.platform = loadPlatformTemplate(env.options.platformTemplate());
    }
    if (!c.platform.name().empty()) {
      ResourceLedger ledger(env.options.stateRoot(), c.platform);
      c.allocation = ledger.find(env.store.ownerKey(id)).value_or(Allocation{});
      // The ledger's reservation is the name the partition was made with.
      std::string reserved = ledger.partitionName(env.store.ownerKey(id));
      if (!reserved.empty()) c.record.partitionName = reserved;
    }
  });
  attempt("loading its driver", [&] {
    std::string backend = c.record.backend.empty() ? env.options.backend() : c.record.backend;
    if (backend.empty()) throw Error(ErrorCode::NoDriver, "no backend recorded or configured");
    try {
      c.driver = env.drivers.load(backend);
    } catch (const Error& e) {
      c.driverError = e.what();
      throw;
    }
  });
  c.ctx = makePartitionContext(env, c.dir, c.record, c.spec, c.zic, c.platform, c.allocation,
                               c.driver ? c.driver->name() : c.record.backend);
  return c;
}

void saveRecord(RuntimeEnv& env, const ContainerRecord& record) {
  env.store.save(record);
  if (record.status == Status::Stopped && record.exitStatus >= 0) {
    writeFileAtomically(env.store.containerDir(record.id) + "/" + container_process::kExitStatusFile,
                        std::to_string(record.exitStatus) + "\n");
  }
}

bool transition(ContainerRecord& record, Status to) {
  const Status from = record.status;
  bool allowed = false;
  switch (to) {
    case Status::Creating: allowed = false; break;
    case Status::Created: allowed = from == Status::Creating || from == Status::Created; break;
    case Status::Running:
      allowed =
          from == Status::Creating || from == Status::Created || from == Status::Running || from == Status::Paused;
      break;
    case Status::Paused: allowed = from == Status::Running || from == Status::Paused; break;
    case Status::Stopped: allowed = true; break;
  }
  if (allowed) record.status = to;
  return allowed;
}

int exitStatusFor(GuestExit exit) {
  switch (exit) {
    case GuestExit::Shutdown: return container_process::kExitShutdown;
    case GuestExit::Crashed: return container_process::kExitCrashed;
    default: return container_process::kExitDestroyed;
  }
}

void refresh(RuntimeEnv& env, LoadedContainer& c) {
  ContainerRecord& r = c.record;
  if (!live(r.status)) return;
  GuestStatus g = c.driver->queryState(c.ctx);
  const Status before = r.status;
  Status now;
  switch (g.state) {
    case GuestState::Created: now = Status::Created; break;
    case GuestState::Running: now = Status::Running; break;
    // A partition created but not yet started may be a paused domain (xl create -p).
    case GuestState::Paused: now = before == Status::Created ? Status::Created : Status::Paused; break;
    case GuestState::Stopped:
    case GuestState::Absent:
      now = Status::Stopped;
      if (r.exitStatus < 0) r.exitStatus = exitStatusFor(g.state == GuestState::Absent ? GuestExit::Destroyed : g.exit);
      break;
    default: return;
  }
  if (now == before) return;
  const Logger log = env.log.forContainer(r.id);
  if (!transition(r, now)) {
    log.warn(std::string("container \"") + r.id + "\": the hypervisor reports " + statusName(now) +
             ", which cannot follow " + statusName(before) + "; keeping " + statusName(before));
    return;
  }
  log.info("container \"" + r.id + "\" is now " + statusName(r.status));
  saveRecord(env, r);
}

void destroyPartition(RuntimeEnv& env, LoadedContainer& c, int exitStatus) {
  // No reserved name: create never reached a driver call, nothing to destroy.
  if (c.driver && !c.record.partitionName.empty()) {
    auto ticks = c.driver->tickSource(c.platform);
    PhaseTimer timer(*ticks, c.ctx.log(), "destroy " + c.record.id);
    c.driver->destroy(c.ctx);
    timer.phase("driver destroy");
  }
  if (c.record.status != Status::Stopped || c.record.exitStatus < 0) c.record.exitStatus = exitStatus;
  transition(c.record, Status::Stopped);
  saveRecord(env, c.record);
}

void pokeContainerProcess(const ContainerRecord& r) {
  if (sameProcess(r.pid, r.monitorStartTime)) ::kill(r.pid, SIGUSR1);
}

}  // namespace phi
