#include "cell_create_refusal.hpp"

#include "jailhouse_sysfs.hpp"

namespace phi::jailhouse {

namespace {

std::string dialectFacts(Dialect d) {
  const DialectInfo& info = dialectInfo(d);
  return std::string("\"") + info.name + "\" (" + info.signature + ", revision " + std::to_string(info.revision) + ")";
}

// `dialect "runphi-rev13" (JHCELL, revision 13), a fork's layout, for arm64,
// from <template>`: what the cell is.
std::string cellFormatOf(const PartitionContext& ctx, const JailhouseSettings& s) {
  const PlatformTemplate& p = ctx.platform();
  return "dialect " + dialectFacts(s.dialect) +
         (dialectInfo(s.dialect).upstream ? ", upstream Jailhouse's layout," : ", a fork's layout,") + " for " +
         (p.arch().empty() ? "an unnamed architecture" : p.arch()) +
         (p.sourcePath().empty() ? "" : ", from " + p.sourcePath());
}

}  // namespace

Error cellCreateRefused(const PartitionContext& ctx, const JailhouseSettings& s, const std::vector<std::string>& argv,
                        const CommandResult& result) {
  std::string message = result.describe(argv);
  if (result.exitCode() != 0 && result.err().find("Invalid argument") != std::string::npos) {
    if (!jailhouseEnabled(s.sysfsRoot)) {
      message += "; Jailhouse is not enabled (" + s.sysfsRoot + "/enabled does not read 1): run `" + s.cli +
                 " enable <system configuration>` first";
    } else {
      message += "; likely cause: the running Jailhouse is not of the platform template's dialect. The cell is of " +
                 cellFormatOf(ctx, s) + ". Upstream Jailhouse takes " + dialectFacts(Dialect::A14) + " on master and " +
                 dialectFacts(Dialect::A12) +
                 " in v0.12; it and the forks refuse each other's cells, logging \"Not a cell configuration\" "
                 "(signature) or \"Configuration file revision mismatch\" (revision) in the kernel log. Set "
                 "\"dialect\" in the template to the hypervisor's (docs/jailhouse.md, Dialects); if it is right, the "
                 "kernel log names the check that failed";
    }
  }
  return Error(ErrorCode::ChildFailed, message);
}

Error cellCreateIgnored(const PartitionContext& ctx, const JailhouseSettings& s, const std::vector<std::string>& argv,
                        const CommandResult& result) {
  return Error(ErrorCode::ChildFailed,
               result.describe(argv) + ", but no cell \"" + ctx.partitionName() + "\" appeared under " + s.sysfsRoot +
                   "/cells: upstream Jailhouse does that for a cell of another architecture (kernel log: "
                   "\"Configuration architecture mismatch\"); the cell is of " +
                   cellFormatOf(ctx, s));
}

}  // namespace phi::jailhouse
