// kill: TERM, INT, HUP, QUIT, PWR ask the guest to shut down; KILL destroys
// the partition; a partition that never ran is destroyed whatever the signal.
#include <phi/error.hpp>

#include "lifecycle/loaded_container.hpp"
#include "lifecycle/phase_timer.hpp"
#include "lifecycle/verbs.hpp"

#include <csignal>

namespace phi::lifecycle {

void kill(RuntimeEnv& env, const std::string& id, Signal signal, const KillOptions& options) {
  LoadedContainer c = loadContainer(env, id, false);
  refresh(env, c);
  const Status status = c.record.status;
  if (!canKill(status)) {
    // As runc: --all on a stopped container is a no-op; a plain kill says
    // "container not running", the words containerd's shim looks for.
    if (options.all()) return;
    throw Error(ErrorCode::InvalidArgument, "container not running: \"" + id + "\" is " + statusName(status));
  }
  auto ticks = c.driver->tickSource(c.platform);
  PhaseTimer timer(*ticks, c.ctx.log(), "kill " + id);
  const int sig = signal.number();
  if (sig == 0) return;
  if (sig == SIGKILL) {
    destroyPartition(env, c, exitStatusFor(GuestExit::Destroyed));
  } else if (signal.asksShutdown()) {
    if (status == Status::Running) {
      c.driver->shutdown(c.ctx);  // the guest stops by itself; the container process sees it
      timer.phase("driver shutdown");
    } else {
      // A partition that never ran cannot shut down: it is destroyed, and the
      // container ends as a process killed by that signal would.
      destroyPartition(env, c, 128 + sig);
    }
  } else {
    throw Error(ErrorCode::NotSupported, "signal " + std::to_string(sig) +
                                             " cannot be delivered to a partitioned container (TERM, INT, HUP, "
                                             "QUIT, PWR ask the guest to shut down; KILL destroys it)");
  }
  pokeContainerProcess(c.record);
}

}  // namespace phi::lifecycle
