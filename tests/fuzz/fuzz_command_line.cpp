// runc's command line (runphi::parseCommandLine). The input is argv[1..],
// NUL-separated. Refused with UsageError (the documented refusal, exit status
// 2) or phi::Error; otherwise what is forwarded to runc is argv minus only
// runphi's own flag, and the verb sits right after the global flags.
#include "fuzz_support.hpp"
#include "oci_grammar.hpp"

#include <phi/error.hpp>

namespace {

constexpr std::size_t kMaxArgs = 100000;

std::vector<std::string> splitArgs(const std::string& text) {
  std::vector<std::string> args;
  std::size_t start = 0;
  while (start <= text.size() && args.size() < kMaxArgs) {
    std::size_t nul = text.find('\0', start);
    if (nul == std::string::npos) nul = text.size();
    args.push_back(text.substr(start, nul - start));
    start = nul + 1;
  }
  return args;
}

bool isSubsequence(const std::vector<std::string>& part, const std::vector<std::string>& whole) {
  std::size_t j = 0;
  for (std::size_t i = 0; i < whole.size() && j < part.size(); ++i) {
    if (whole[i] == part[j]) ++j;
  }
  return j == part.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::string> args = splitArgs(phi::fuzz::bytesOf(data, size));
  runphi::ParsedCommand cmd;
  try {
    cmd = runphi::parseCommandLine(args);
  } catch (const runphi::UsageError&) {
    return 0;
  } catch (const phi::Error&) {
    return 0;
  }
  const runphi::Invocation& inv = cmd.invocation;
  phi::fuzz::require(isSubsequence(inv.forwardArgs, args), "forwarded arguments are argv minus some");
  if (inv.forwardArgs.size() < args.size()) {
    bool named = false;
    for (const std::string& a : args) named = named || a.find("runphi-config") != std::string::npos;
    phi::fuzz::require(named, "only --runphi-config is held back from runc");
  }
  phi::fuzz::require(inv.globalArgCount <= inv.forwardArgs.size(), "global flags precede the verb");
  if (cmd.action == runphi::Action::Execute) {
    phi::fuzz::require(runphi::findVerb(inv.verb) != nullptr, "an executed verb is one of runc's");
    phi::fuzz::require(inv.globalArgCount < inv.forwardArgs.size() && inv.forwardArgs[inv.globalArgCount] == inv.verb,
                       "the verb follows the global flags in what runc receives");
    const runphi::VerbSpec* verb = runphi::findVerb(inv.verb);
    if (verb->id == runphi::IdArg::Required) phi::fuzz::require(!inv.containerId.empty(), "a container id was given");
  }
  return 0;
}
