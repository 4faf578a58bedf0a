// start, kill, delete, pause, resume, checkpoint: one libphi call each.
#include "cli.hpp"

namespace runphi {

namespace {

phi::Container open(Cli& cli) {
  return cli.runtime.open(cli.inv.containerId);
}

}  // namespace

int startVerb(Cli& cli) {
  open(cli).start();
  return print(cli, "");
}

int killVerb(Cli& cli) {
  phi::Signal signal = phi::Signal::parse(cli.inv.args.empty() ? "TERM" : cli.inv.args[0]);
  open(cli).kill(signal, phi::KillOptions().setAll(cli.inv.flagSet("all")));
  return print(cli, "");
}

int deleteVerb(Cli& cli) {
  open(cli).remove(phi::RemoveOptions().setForce(cli.inv.flagSet("force")));
  return print(cli, "");
}

int pauseVerb(Cli& cli) {
  open(cli).pause();
  return print(cli, "");
}

int resumeVerb(Cli& cli) {
  open(cli).resume();
  return print(cli, "");
}

int checkpointVerb(Cli& cli) {
  phi::CheckpointOptions options(cli.inv.flag("image-path"));
  open(cli).checkpoint(options.setLeaveRunning(cli.inv.flagSet("leave-running")));
  return print(cli, "");
}

}  // namespace runphi
