// checkpoint: the driver saves the guest; without --leave-running the
// container stops, as runc's does.
#include <phi/error.hpp>

#include "lifecycle/loaded_container.hpp"
#include "lifecycle/phase_timer.hpp"
#include "lifecycle/verbs.hpp"

#include <filesystem>

namespace phi::lifecycle {

void checkpoint(RuntimeEnv& env, const std::string& id, const CheckpointOptions& options) {
  LoadedContainer c = loadContainer(env, id, false);
  refresh(env, c);
  if (!canCheckpoint(c.record.status)) {
    throw Error(ErrorCode::InvalidArgument,
                "cannot checkpoint container \"" + id + "\": it is " + statusName(c.record.status));
  }
  const std::string& dir = options.imagePath();
  if (dir.empty()) throw Error(ErrorCode::InvalidArgument, "checkpoint of a partitioned container needs --image-path");
  std::filesystem::create_directories(dir);
  auto ticks = c.driver->tickSource(c.platform);
  PhaseTimer timer(*ticks, c.ctx.log(), "checkpoint " + id);
  c.driver->checkpoint(c.ctx, dir, options.leaveRunning());
  timer.phase("driver checkpoint");
  if (!options.leaveRunning()) {
    // Its guest lives on in the image.
    c.record.exitStatus = exitStatusFor(GuestExit::Shutdown);
    transition(c.record, Status::Stopped);
    saveRecord(env, c.record);
    pokeContainerProcess(c.record);
  }
}

}  // namespace phi::lifecycle
