#include "lifecycle/oci_hooks.hpp"

#include <phi/error.hpp>

#include "sdk/process.hpp"

namespace phi {

namespace {

void runHook(const OciHook& hook, const char* point, const std::string& stateJson, const Logger& log) {
  // hook.args() includes the hook's argv[0], which need not be its path.
  std::vector<std::string> argv = hook.args().empty() ? std::vector<std::string>{hook.path()} : hook.args();
  ProcessOptions options;
  options.program = hook.path();
  options.input = stateJson;
  options.env = &hook.env();
  options.timeoutSeconds = hook.timeoutSeconds().value_or(0);
  log.debug(std::string("running ") + point + " hook " + hook.path());
  ProcessResult r = runProcess(argv, options);
  if (r.exitCode != 0) {
    throw Error(ErrorCode::ChildFailed, std::string(point) + " hook failed: " + describeFailure(argv, r));
  }
}

}  // namespace

void runHooks(const OciSpec& spec, HookPoint point, const std::string& stateJson, const Logger& log) {
  for (const OciHook& hook : spec.hooks(point)) runHook(hook, hookPointName(point), stateJson, log);
}

void runHooksWarnOnly(const OciSpec& spec, HookPoint point, const std::string& stateJson, const Logger& log) {
  for (const OciHook& hook : spec.hooks(point)) {
    try {
      runHook(hook, hookPointName(point), stateJson, log);
    } catch (const Error& e) {
      log.warn(e.what());
    }
  }
}

}  // namespace phi
