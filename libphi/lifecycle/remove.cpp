// delete: destroy the partition, stop the container process, poststop
// hooks, give the resources back, remove the state.
#include <phi/error.hpp>

#include "lifecycle/container_cgroup.hpp"
#include "lifecycle/container_process.hpp"
#include "lifecycle/loaded_container.hpp"
#include "lifecycle/oci_hooks.hpp"
#include "lifecycle/verbs.hpp"
#include "resources/resource_ledger.hpp"
#include "runtime/container_state_impl.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <thread>

namespace phi::lifecycle {

namespace {

// Lets the container process exit by itself (it sees the partition gone),
// then kills it if it will not.
void stopContainerProcess(const ContainerRecord& r, const Logger& log) {
  // When this process created the container, the container process is its
  // child: reap it once it has exited or been killed below, so no zombie is
  // left behind.
  struct Reap {
    pid_t pid;
    ~Reap() {
      while (pid > 0 && ::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
      }
    }
  } reap{r.creatorPid == ::getpid() ? r.pid : 0};
  if (!sameProcess(r.pid, r.monitorStartTime)) return;
  ::kill(r.pid, SIGUSR1);
  // Up to 2 s, looking often: it usually exits within a few milliseconds.
  for (int i = 0; i < 400 && sameProcess(r.pid, r.monitorStartTime); ++i) {
    ::waitpid(r.pid, nullptr, WNOHANG);  // reaps it when we are its parent (run)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (sameProcess(r.pid, r.monitorStartTime)) {
    log.warn("container process " + std::to_string(r.pid) + " did not exit; killing it");
    ::kill(r.pid, SIGKILL);
    ::waitpid(r.pid, nullptr, WNOHANG);
  }
}

}  // namespace

void remove(RuntimeEnv& env, const std::string& id, const RemoveOptions& options) {
  const bool force = options.force();
  LoadedContainer c = loadContainer(env, id, force);
  const Logger log = env.log.forContainer(id);
  if (c.driver) {
    try {
      refresh(env, c);
    } catch (const Error& e) {
      if (!force) throw;
      log.warn("cannot query partition of \"" + id + "\": " + e.what());
    }
  }
  // Without its driver nobody can tell whether the partition still runs:
  // giving its CPUs and memory to the next container would share them.
  if (!c.driver && !c.record.partitionName.empty()) {
    throw Error(ErrorCode::NoDriver, "cannot delete container \"" + id + "\": its driver" +
                                         (c.record.backend.empty() ? std::string() : " \"" + c.record.backend + "\"") +
                                         " cannot be loaded (" +
                                         (c.driverError.empty() ? "no backend" : c.driverError) + "), so partition " +
                                         c.record.partitionName + " may still exist; its state and resources are kept");
  }
  const Status status = c.record.status;
  if (!canDelete(status, force)) {
    throw Error(ErrorCode::InvalidArgument,
                "cannot delete container \"" + id + "\" that is not stopped: " + statusName(status) + " (use --force)");
  }
  // Always: a guest that shut down by itself still has a partition (a
  // Jailhouse cell, a preserved Xen domain) until it is destroyed.
  destroyPartition(env, c, exitStatusFor(GuestExit::Destroyed));
  // The container process reads its exit status under this lock before it
  // exits: let it in, then finish under the lock again.
  c.lock.reset();
  stopContainerProcess(c.record, log);
  removeCgroups(recordedCgroups(c.dir), log);
  c.lock.emplace(FileLock::directory(c.dir));
  runHooksWarnOnly(c.spec, HookPoint::Poststop, makeContainerState(c.record).toJson(StateFormat::Oci), log);
  if (!c.platform.name().empty()) ResourceLedger(env.options.stateRoot(), c.platform).release(env.store.ownerKey(id));
  c.lock.reset();
  env.store.remove(id);
  log.info("deleted container \"" + id + "\"");
}

}  // namespace phi::lifecycle
