// runphi: the OCI command-line shim. It parses runc's grammar and hands the
// call to libphi; everything else happens in the library.
#include "oci_grammar.hpp"

#include <phi/phi.hpp>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

namespace {

phi::LogSettings logSettings(const phi::RuntimeConfig& config, const phi::GlobalOptions& global) {
  phi::LogSettings s;
  s.runtimeLogPath = config.logPath;
  s.runtimeLevel = config.logLevel;
  s.journald = config.journald;
  s.ociLogPath = global.log;
  s.ociLogFormat = global.logFormat == "json" ? phi::OciLogFormat::Json : phi::OciLogFormat::Text;
  s.ociDebug = global.debug;
  return s;
}

// runc's convention: the error goes to stderr and, for containerd, to --log.
int fail(phi::Logger& logger, const std::string& message) {
  logger.error(message);
  std::fprintf(stderr, "runphi: %s\n", message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  runphi::ParsedCommand cmd;
  try {
    cmd = runphi::parseCommandLine(args);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  cmd.invocation.argv0 = argv[0];
  const phi::Invocation& inv = cmd.invocation;

  phi::RuntimeConfig config;
  std::string configError;
  try {
    config = phi::loadRuntimeConfig(phi::runtimeConfigPath(inv.global.runphiConfig));
  } catch (const phi::Error& e) {
    configError = e.what();
    config.logPath.clear();  // the file that names the log is itself broken
  }
  bool levelOk = phi::applyDebugLevelEnv(config);
  phi::Logger logger(logSettings(config, inv.global));
  logger.setContainerId(inv.containerId);
  if (!configError.empty()) return fail(logger, "invalid configuration: " + configError);
  if (!levelOk) logger.warn(std::string("ignoring RUNPHI_DEBUG_LEVEL=") + std::getenv("RUNPHI_DEBUG_LEVEL"));

  try {
    phi::Runtime runtime(config, logger);
    switch (cmd.action) {
      case runphi::Action::PrintVersion: std::fputs(runtime.versionReport().c_str(), stdout); return 0;
      case runphi::Action::PrintHelp: std::fputs(cmd.helpText.c_str(), stdout); return 0;
      case runphi::Action::Execute: return runtime.execute(inv);
    }
  } catch (const phi::Error& e) {
    return fail(logger, e.what());
  } catch (const std::exception& e) {
    return fail(logger, std::string("internal error: ") + e.what());
  }
  return 1;
}
