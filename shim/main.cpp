// runphi: the OCI command-line shim. It parses runc's grammar, sets libphi up
// from runphi.json (log sinks included), and maps each verb onto one typed
// libphi call; forwarding to runc and every line on stdout happen here.
#include "cli.hpp"
#include "loop_guard.h"
#include "oci_grammar.hpp"

#include <phi/phi.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

namespace {

// runc's convention: the error goes to stderr and, for containerd, to --log.
int fail(const phi::Logger& logger, const std::string& message) {
  logger.error(message);
  std::fprintf(stderr, "runphi: %s\n", message.c_str());
  return 1;
}

// This program, for the container process to call back with signals.
std::string selfPath() {
  char buffer[4096];
  ssize_t n = ::readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : std::string();
}

// runphi's own log and journald at the configured level; runc's --log at
// info, or debug with --debug, as runc does.
void installSinks(phi::RuntimeOptions& options, const runphi::GlobalOptions& global) {
  options.addLogSink(phi::makeRuntimeLogSink(options.logPath()), options.logLevel());
  if (options.journald()) options.addLogSink(phi::makeJournalSink(), options.logLevel());
  options.addLogSink(
      phi::makeOciLogSink(global.log, global.logFormat == "json" ? phi::OciLogFormat::Json : phi::OciLogFormat::Text),
      global.debug ? phi::LogLevel::Debug : phi::LogLevel::Info);
}

}  // namespace

int main(int argc, char** argv) {
  // Reached by a call runphi itself forwarded to "runc": stop, one hop.
  if (runphi_loop_detected("runphi")) return 1;
  std::vector<std::string> args(argv + 1, argv + argc);
  runphi::ParsedCommand cmd;
  try {
    cmd = runphi::parseCommandLine(args);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  cmd.invocation.argv0 = argv[0];
  const runphi::Invocation& inv = cmd.invocation;

  phi::RuntimeOptions options;
  std::string configError;
  try {
    options = phi::RuntimeOptions::fromFile(phi::RuntimeOptions::configPath(inv.global.runphiConfig));
  } catch (const phi::Error& e) {
    configError = e.what();
    options.setLogPath({});  // the file that names the log is itself broken
  }
  bool levelOk = options.applyDebugLevelEnv();
  options.setRuncRoot(inv.global.root);
  if (options.cliPath().empty()) options.setCliPath(selfPath());
  installSinks(options, inv.global);
  phi::Logger logger = options.logger().forContainer(inv.containerId);
  if (!configError.empty()) {
    // `check` reports it as its first (and only) line; nothing else can be
    // checked without the settings.
    if (cmd.action == runphi::Action::Execute && inv.verb == "check") {
      std::printf("fail configuration: %s; fix: correct the file or name another with --runphi-config\n",
                  configError.c_str());
      std::fflush(stdout);
    }
    return fail(logger, "invalid configuration: " + configError);
  }
  if (!levelOk) logger.warn(std::string("ignoring RUNPHI_DEBUG_LEVEL=") + std::getenv("RUNPHI_DEBUG_LEVEL"));

  try {
    switch (cmd.action) {
      case runphi::Action::PrintVersion: std::fputs(runphi::versionReport(options).c_str(), stdout); return 0;
      case runphi::Action::PrintHelp: std::fputs(cmd.helpText.c_str(), stdout); return 0;
      case runphi::Action::Execute: break;
    }
    phi::Runtime runtime(std::move(options));
    runphi::Cli cli{inv, runtime, logger};
    return runphi::dispatch(cli);
  } catch (const phi::Error& e) {
    return fail(logger, e.what());
  } catch (const std::exception& e) {
    return fail(logger, std::string("internal error: ") + e.what());
  }
}
