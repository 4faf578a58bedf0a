// start: created -> running.
#include <phi/error.hpp>

#include "lifecycle/loaded_container.hpp"
#include "lifecycle/oci_hooks.hpp"
#include "lifecycle/phase_timer.hpp"
#include "lifecycle/verbs.hpp"
#include "runtime/container_state_impl.hpp"

namespace phi::lifecycle {

void start(RuntimeEnv& env, const std::string& id) {
  LoadedContainer c = loadContainer(env, id, false);
  // No hypervisor query first: a partition that vanished makes the driver's
  // start fail anyway, and the query would delay every start.
  if (!canStart(c.record.status)) {
    throw Error(ErrorCode::InvalidArgument,
                "cannot start container \"" + id + "\": it is " + statusName(c.record.status));
  }
  const Logger& log = c.ctx.log();
  auto ticks = c.driver->tickSource(c.platform);
  PhaseTimer timer(*ticks, log, "start " + id);
  runHooks(c.spec, HookPoint::StartContainer, makeContainerState(c.record).toJson(StateFormat::Oci), log);
  c.driver->start(c.ctx);
  timer.phase("driver start");
  transition(c.record, Status::Running);
  saveRecord(env, c.record);
  pokeContainerProcess(c.record);
  runHooksWarnOnly(c.spec, HookPoint::Poststart, makeContainerState(c.record).toJson(StateFormat::Oci), log);
  timer.total();
}

}  // namespace phi::lifecycle
