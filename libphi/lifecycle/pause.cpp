// pause and resume, when the driver can.
#include <phi/error.hpp>

#include "lifecycle/loaded_container.hpp"
#include "lifecycle/verbs.hpp"

namespace phi::lifecycle {

void pause(RuntimeEnv& env, const std::string& id) {
  LoadedContainer c = loadContainer(env, id, false);
  refresh(env, c);
  if (!canPause(c.record.status)) {
    throw Error(ErrorCode::InvalidArgument,
                "container \"" + id + "\" is not running (" + statusName(c.record.status) + ")");
  }
  c.driver->pause(c.ctx);
  transition(c.record, Status::Paused);
  saveRecord(env, c.record);
}

void resume(RuntimeEnv& env, const std::string& id) {
  LoadedContainer c = loadContainer(env, id, false);
  refresh(env, c);
  if (!canResume(c.record.status)) {
    throw Error(ErrorCode::InvalidArgument,
                "container \"" + id + "\" is not paused (" + statusName(c.record.status) + ")");
  }
  c.driver->resume(c.ctx);
  transition(c.record, Status::Running);
  saveRecord(env, c.record);
}

}  // namespace phi::lifecycle
