// list: runc's containers and runphi's together, in runc's formats. A board
// with no runc (only partitioned containers) lists runphi's alone.
#include "cli.hpp"
#include "list_output.hpp"
#include "loop_guard.h"
#include "runc_forwarding.hpp"
#include "runc_locator.hpp"

#include <phi/driver/command.hpp>
#include <phi/error.hpp>

#include <algorithm>

namespace runphi {

int listVerb(Cli& cli) {
  const Invocation& inv = cli.inv;
  std::string runc;
  try {
    runc = locateRunc(cli.runtime.options().runcPath());
  } catch (const phi::Error& e) {
    if (e.code() != phi::ErrorCode::NotFound) throw;
    cli.log.debug(std::string("listing runphi's containers only: ") + e.what());
  }
  std::vector<phi::ContainerState> ours = cli.runtime.list();
  if (ours.empty() && !runc.empty()) {
    cli.log.debug("forwarding `list` to " + runc + " (runphi holds no containers)");
    forwardToRunc(inv, runc);
  }

  std::vector<ListEntry> all;
  if (!runc.empty()) {
    std::vector<std::string> argv{runc};
    argv.insert(argv.end(), inv.forwardArgs.begin(), inv.forwardArgs.begin() + static_cast<long>(inv.globalArgCount));
    argv.insert(argv.end(), {"list", "--format", "json"});
    runphi_mark_forwarded(runc.c_str(), "runphi-shim");  // loop_guard.h: a runc that is runphi again stops
    phi::CommandResult r = phi::runCommand(argv);
    runphi_unmark_forwarded();
    if (r.exitCode() != 0) {
      std::fputs(r.err().c_str(), stderr);
      return r.exitCode() < 0 ? 1 : r.exitCode();
    }
    all = parseRuncList(r.out());
  }
  for (const phi::ContainerState& s : ours) {
    all.push_back({s.id(), s.pid(), phi::statusName(s.status()), s.bundle(), s.rootfs(), s.created(), s.owner(),
                   s.annotations()});
  }
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.id < b.id; });

  std::string format = inv.flag("format", "table");
  if (inv.flagSet("quiet")) return print(cli, renderListQuiet(all));
  if (format == "json") return print(cli, renderListJson(all));
  if (format == "table") return print(cli, renderListTable(all));
  throw phi::Error(phi::ErrorCode::InvalidArgument, "invalid format option \"" + format + "\" (table or json)");
}

}  // namespace runphi
