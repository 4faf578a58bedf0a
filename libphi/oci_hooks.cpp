#include "oci_hooks.hpp"

#include <phi/error.hpp>

#include "process.hpp"

namespace phi {

void runHooks(const std::vector<OciHook>& hooks, const std::string& point, const std::string& stateJson, Logger& log) {
  for (const OciHook& hook : hooks) {
    // hook.args includes the hook's argv[0], which need not be its path.
    std::vector<std::string> argv = hook.args.empty() ? std::vector<std::string>{hook.path} : hook.args;
    ProcessOptions options;
    options.program = hook.path;
    options.input = stateJson;
    options.env = &hook.env;
    options.timeoutSeconds = hook.timeoutSeconds.value_or(0);
    log.debug("running " + point + " hook " + hook.path);
    ProcessResult r = runProcess(argv, options);
    if (r.exitCode != 0) {
      throw Error(ErrorCode::ChildFailed, point + " hook failed: " + describeFailure(argv, r));
    }
  }
}

void runHooksWarnOnly(const std::vector<OciHook>& hooks, const std::string& point, const std::string& stateJson,
                      Logger& log) {
  for (const OciHook& hook : hooks) {
    try {
      runHooks({hook}, point, stateJson, log);
    } catch (const Error& e) {
      log.warn(e.what());
    }
  }
}

}  // namespace phi
