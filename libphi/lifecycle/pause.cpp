// pause and resume, when the driver can.
#include <phi/error.hpp>

#include "lifecycle/loaded_container.hpp"
#include "lifecycle/verbs.hpp"

namespace phi::lifecycle {

namespace {

// Moves a live container between running and paused through `act`.
template <typename Act>
void switchTo(RuntimeEnv& env, const std::string& id, bool (*allowed)(Status) noexcept, const char* wanted, Status to,
              Act act) {
  LoadedContainer c = loadContainer(env, id, false);
  refresh(env, c);
  if (!allowed(c.record.status)) {
    throw Error(ErrorCode::InvalidArgument,
                "container \"" + id + "\" is not " + wanted + " (" + statusName(c.record.status) + ")");
  }
  act(*c.driver, c.ctx);
  transition(c.record, to);
  saveRecord(env, c.record);
}

}  // namespace

void pause(RuntimeEnv& env, const std::string& id) {
  switchTo(env, id, canPause, "running", Status::Paused, [](Driver& d, const PartitionContext& ctx) { d.pause(ctx); });
}

void resume(RuntimeEnv& env, const std::string& id) {
  switchTo(env, id, canResume, "paused", Status::Running,
           [](Driver& d, const PartitionContext& ctx) { d.resume(ctx); });
}

}  // namespace phi::lifecycle
