// state, and runphi's own guest-status.
#include "cli.hpp"

namespace runphi {

int stateVerb(Cli& cli) {
  return print(cli, cli.runtime.open(cli.inv.containerId).state().toJson(phi::StateFormat::Runc));
}

// "created", "running", "paused" or "stopped <exit status>".
int guestStatusVerb(Cli& cli) {
  phi::ContainerState s = cli.runtime.open(cli.inv.containerId).state();
  std::string text = phi::statusName(s.status());
  if (s.status() == phi::Status::Stopped) text += " " + std::to_string(s.exitStatus().value_or(-1));
  return print(cli, text + "\n");
}

}  // namespace runphi
