#include <phi/error.hpp>
#include <phi/runtime.hpp>
#include <phi/version.hpp>

#include "container_list.hpp"
#include "partition_engine.hpp"
#include "process.hpp"
#include "runc_locator.hpp"
#include "state_store.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

namespace phi {

namespace {

// Verbs whose first positional is the id of an existing container.
const std::set<std::string> kExistingContainerVerbs = {"start", "state",  "kill",   "delete", "ps",        "exec",
                                                       "pause", "resume", "update", "events", "checkpoint"};
// Verbs that make a new container from a bundle.
const std::set<std::string> kCreatingVerbs = {"create", "run", "restore"};

}  // namespace

struct Runtime::Impl {
  RuntimeConfig config;
  Logger& log;
  mutable std::string runc;  // resolved lazily: list/forward only

  Impl(RuntimeConfig c, Logger& l) : config(std::move(c)), log(l) {}

  StateStore store(const Invocation& inv) const { return StateStore(config.stateRoot, inv.global.root); }

  const std::string& runcBinary() const {
    if (runc.empty()) runc = locateRunc(config.runcPath);
    return runc;
  }

  [[noreturn]] void forward(const Invocation& inv, const RouteDecision& why) const {
    const std::string& program = runcBinary();
    log.debug("forwarding `" + inv.verb + "` to " + program + " (" + why.reason + ")");
    std::vector<std::string> argv;
    argv.reserve(inv.forwardArgs.size() + 1);
    argv.push_back(inv.argv0.empty() ? program : inv.argv0);
    argv.insert(argv.end(), inv.forwardArgs.begin(), inv.forwardArgs.end());
    replaceProcess(program, argv);
  }

  // A call about a partitioned container: the lifecycle engine.
  int partitioned(const Invocation& inv, const RouteDecision& why) const {
    PartitionEngine engine(config, log, inv);
    const std::string& verb = inv.verb;
    if (verb == "create") {
      engine.create(why);
    } else if (verb == "run") {
      return engine.run(why);
    } else if (verb == "start") {
      engine.start();
    } else if (verb == "state") {
      std::fputs(engine.state().c_str(), stdout);
    } else if (verb == "guest-status") {
      std::fputs(engine.guestStatus().c_str(), stdout);
    } else if (verb == "kill") {
      engine.kill();
    } else if (verb == "delete") {
      engine.remove();
    } else if (verb == "pause") {
      engine.pause();
    } else if (verb == "resume") {
      engine.resume();
    } else if (verb == "checkpoint") {
      engine.checkpoint();
    } else if (verb == "restore") {
      engine.restore(why);
    } else {
      throw Error(ErrorCode::NotSupported, "`" + verb + "` is not available for partitioned container \"" +
                                               inv.containerId + "\": it has no processes to " + verb);
    }
    return std::fflush(stdout) == 0 ? 0 : 1;
  }

  int list(const Invocation& inv) const {
    std::vector<ContainerRecord> ours = store(inv).list();
    if (ours.empty()) forward(inv, {Route::Runc, "runphi holds no containers", {}});

    std::vector<std::string> argv{runcBinary()};
    argv.insert(argv.end(), inv.forwardArgs.begin(), inv.forwardArgs.begin() + static_cast<long>(inv.globalArgCount));
    argv.insert(argv.end(), {"list", "--format", "json"});
    ProcessResult r = runProcess(argv);
    if (r.exitCode != 0) {
      std::fputs(r.err.c_str(), stderr);
      return r.exitCode < 0 ? 1 : r.exitCode;
    }
    std::vector<ContainerRecord> all = parseRuncList(r.out);
    all.insert(all.end(), ours.begin(), ours.end());
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.id < b.id; });

    std::string format = inv.flag("format", "table");
    std::string text = inv.flagSet("quiet") ? renderListQuiet(all)
                       : format == "json"   ? renderListJson(all)
                       : format == "table"  ? renderListTable(all)
                                            : throw Error(ErrorCode::InvalidArgument,
                                                          "invalid format option \"" + format + "\" (table or json)");
    std::fwrite(text.data(), 1, text.size(), stdout);
    return std::fflush(stdout) == 0 ? 0 : 1;
  }
};

Runtime::Runtime(RuntimeConfig config, Logger& logger) : impl_(std::make_unique<Impl>(std::move(config), logger)) {}
Runtime::~Runtime() = default;

const RuntimeConfig& Runtime::config() const noexcept {
  return impl_->config;
}
std::string Runtime::runcBinary() const {
  return impl_->runcBinary();
}

std::string Runtime::versionReport() const {
  std::string backend = impl_->config.backend.empty() ? "none" : impl_->config.backend;
  return std::string("runc version ") + PHI_VERSION_STRING + " (runphi " + PHI_VERSION_STRING +
         ", backend: " + backend + ")\ncommit: runphi-" + PHI_VERSION_STRING + "\nspec: " + PHI_OCI_SPEC_VERSION + "\n";
}

RouteDecision Runtime::route(const Invocation& inv) const {
  if (kCreatingVerbs.count(inv.verb)) {
    if (impl_->store(inv).holds(inv.containerId)) return {Route::Runphi, "runphi holds state for this id", {}};
    return decideCreate(inv.flag("bundle", "."));
  }
  if (kExistingContainerVerbs.count(inv.verb) && impl_->store(inv).holds(inv.containerId)) {
    return {Route::Runphi, "runphi holds state for this id", {}};
  }
  if (inv.verb == "guest-status") return {Route::Runphi, "runphi's own verb", {}};
  return {Route::Runc, "not a partitioned container", {}};
}

int Runtime::execute(const Invocation& inv) {
  impl_->log.setContainerId(inv.containerId);
  if (inv.verb == "list") return impl_->list(inv);

  RouteDecision decision = route(inv);
  if (!decision.warning.empty()) impl_->log.warn(decision.warning);
  if (decision.route == Route::Runc) impl_->forward(inv, decision);

  if (kCreatingVerbs.count(inv.verb) && impl_->store(inv).holds(inv.containerId)) {
    throw Error(ErrorCode::AlreadyExists, "container with id \"" + inv.containerId + "\" already exists");
  }
  if (!kCreatingVerbs.count(inv.verb) && !impl_->store(inv).holds(inv.containerId)) {
    throw Error(ErrorCode::NotFound, "container \"" + inv.containerId + "\" does not exist");
  }
  return impl_->partitioned(inv, decision);
}

}  // namespace phi
