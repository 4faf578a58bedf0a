// state: the record, brought up to date with the hypervisor.
#include "lifecycle/loaded_container.hpp"
#include "lifecycle/verbs.hpp"

namespace phi::lifecycle {

ContainerRecord state(RuntimeEnv& env, const std::string& id, bool ask) {
  LoadedContainer c = loadContainer(env, id, true);
  if (ask && c.driver) refresh(env, c);
  return c.record;
}

}  // namespace phi::lifecycle
