#include "jailhouse_cli.hpp"

#include <phi/error.hpp>

namespace phi::jailhouse {

CommandResult runJailhouse(const PartitionContext& ctx, const JailhouseSettings& s,
                           const std::vector<std::string>& argv) {
  CommandOptions options;
  options.setTimeoutSeconds(s.cliTimeoutSeconds);
  try {
    CommandResult r = runCommand(argv, options);
    ctx.log().debug("jailhouse: " + r.describe(argv));
    return r;
  } catch (const Error& e) {
    ctx.log().debug(std::string("jailhouse: ") + e.what());
    throw;
  }
}

CommandResult runJailhouseChecked(const PartitionContext& ctx, const JailhouseSettings& s,
                                  const std::vector<std::string>& argv) {
  CommandResult r = runJailhouse(ctx, s, argv);
  if (r.exitCode() != 0 || r.timedOut()) throw Error(ErrorCode::ChildFailed, r.describe(argv));
  return r;
}

}  // namespace phi::jailhouse
