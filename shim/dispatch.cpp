// Routing and the verb table of the runphi CLI.
#include "cli.hpp"
#include "runc_forwarding.hpp"
#include "runc_locator.hpp"

#include "loop_guard.h"

#include <phi/driver/command.hpp>
#include <phi/error.hpp>
#include <phi/version.hpp>

#include <map>
#include <set>

namespace runphi {

namespace {

// Verbs whose first positional is the id of an existing container.
const std::set<std::string> kExistingContainerVerbs = {"start", "state",  "kill",   "delete", "ps",        "exec",
                                                       "pause", "resume", "update", "events", "checkpoint"};
// Verbs that make a new container from a bundle.
const std::set<std::string> kCreatingVerbs = {"create", "run", "restore"};

using Verb = int (*)(Cli&);
const std::map<std::string, Verb> kPartitionVerbs = {
    {"create", createVerb},         {"run", runVerb},       {"restore", restoreVerb},
    {"start", startVerb},           {"state", stateVerb},   {"kill", killVerb},
    {"delete", deleteVerb},         {"pause", pauseVerb},   {"resume", resumeVerb},
    {"checkpoint", checkpointVerb}, {"events", eventsVerb}, {"guest-status", guestStatusVerb}};

}  // namespace

phi::RouteDecision route(const Cli& cli) {
  const Invocation& inv = cli.inv;
  if (kCreatingVerbs.count(inv.verb)) return cli.runtime.routeCreate(inv.containerId, inv.flag("bundle", "."));
  if (kExistingContainerVerbs.count(inv.verb)) return cli.runtime.routeExisting(inv.containerId);
  if (inv.verb == "guest-status") return {phi::Route::Runphi, "runphi's own verb"};
  return {phi::Route::Runc, "not a partitioned container"};
}

int dispatch(Cli& cli) {
  const Invocation& inv = cli.inv;
  if (inv.verb == "list") return listVerb(cli);
  if (inv.verb == "check") return checkVerb(cli);
  if (inv.verb == "env") return envVerb(cli);

  phi::RouteDecision decision = route(cli);
  if (!decision.warning().empty()) cli.log.warn(decision.warning());
  if (decision.route() == phi::Route::Runc) {
    std::string runc = locateRunc(cli.runtime.options().runcPath());
    cli.log.debug("forwarding `" + inv.verb + "` to " + runc + " (" + decision.reason() + ")");
    forwardToRunc(inv, runc);
  }
  const bool held = cli.runtime.holds(inv.containerId);
  if (kCreatingVerbs.count(inv.verb) && held) {
    throw phi::Error(phi::ErrorCode::AlreadyExists, "container with id \"" + inv.containerId + "\" already exists");
  }
  if (!kCreatingVerbs.count(inv.verb) && !held) {
    throw phi::Error(phi::ErrorCode::NotFound, "container \"" + inv.containerId + "\" does not exist");
  }
  auto verb = kPartitionVerbs.find(inv.verb);
  if (verb == kPartitionVerbs.end()) {
    throw phi::Error(phi::ErrorCode::NotSupported, "`" + inv.verb + "` is not available for partitioned container \"" +
                                                       inv.containerId + "\": it has no processes to " + inv.verb);
  }
  return verb->second(cli);
}

int print(Cli& cli, const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), cli.out);
  return std::fflush(cli.out) == 0 ? 0 : 1;
}

std::string forwardingReport(const phi::RuntimeOptions& options) {
  std::string runc;
  try {
    runc = locateRunc(options.runcPath());
  } catch (const phi::Error&) {
    return "forwards to: no runc";
  }
  // Asked with the loop marker set: a runc that is runphi again says so
  // instead of asking the next one.
  runphi_mark_forwarded(runc.c_str(), "runphi-shim");
  phi::CommandResult r = phi::runCommand({runc, "--version"});
  runphi_unmark_forwarded();
  std::string first = r.out().substr(0, r.out().find('\n'));
  const std::string prefix = "runc version ";
  std::string version = r.exitCode() == 0 && first.rfind(prefix, 0) == 0 ? first.substr(prefix.size()) : "";
  std::string report = "forwards to: " + runc + (version.empty() ? "" : " " + version);
  // go-runc splits the first line once on "version ".
  return report.find("version ") == std::string::npos ? report : "forwards to: " + runc;
}

std::string versionReport(const phi::RuntimeOptions& options) {
  std::string backend = options.backend().empty() ? "none" : options.backend();
  return std::string("runc version ") + PHI_VERSION_STRING + " (runphi " + PHI_VERSION_STRING +
         ", backend: " + backend + ", " + forwardingReport(options) + ")\ncommit: runphi-" + PHI_VERSION_STRING +
         "\nspec: " + PHI_OCI_SPEC_VERSION + "\n";
}

}  // namespace runphi
