// create, run and restore: a new partitioned container from a bundle.
#include "cli.hpp"

#include <phi/error.hpp>

#include <optional>

namespace runphi {

namespace {

phi::CreateRequest request(const Cli& cli) {
  const Invocation& inv = cli.inv;
  phi::CreateRequest r(inv.containerId, inv.flag("bundle", "."));
  r.setPidFile(inv.flag("pid-file")).setConsoleSocket(inv.flag("console-socket"));
  // The container process's stdio are ours: containerd's FIFOs, or a terminal.
  r.setStdio(0, 1, 2);
  return r;
}

}  // namespace

int createVerb(Cli& cli) {
  cli.runtime.create(request(cli));
  return print(cli, "");
}

int restoreVerb(Cli& cli) {
  std::string image = cli.inv.flag("image-path");
  if (image.empty()) {
    throw phi::Error(phi::ErrorCode::InvalidArgument, "restore of a partitioned container needs --image-path");
  }
  cli.runtime.restore(request(cli), phi::RestoreOptions(image));
  return print(cli, "");
}

int runVerb(Cli& cli) {
  phi::Container container = cli.runtime.create(request(cli));
  auto removeForced = [&] { container.remove(phi::RemoveOptions().setForce(true)); };
  try {
    container.start();
  } catch (...) {
    removeForced();
    throw;
  }
  if (cli.inv.flagSet("detach")) return 0;
  int status = container.wait();
  if (!cli.inv.flagSet("keep")) removeForced();
  return status;
}

}  // namespace runphi
