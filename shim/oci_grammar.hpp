// runc's command-line grammar as data: its global flags, every verb and each
// verb's flags, so any argv containerd, Docker or Podman sends parses.
#pragma once

#include "invocation.hpp"

#include <stdexcept>
#include <string>
#include <vector>

namespace runphi {

enum class FlagKind { Bool, Value, List };  // List: repeatable, every value kept

struct FlagSpec {
  const char* name;  // long name, without dashes
  char shortName;    // 0 when none
  FlagKind kind;
  const char* help;
};

enum class IdArg { None, Required };

struct VerbSpec {
  const char* name;
  IdArg id;
  // Go's flag parsing stops at the first positional for these (runc's
  // SkipArgReorder): exec's command and ps's arguments may look like flags.
  bool flagsBeforeArgsOnly;
  const char* usage;  // positional part of the synopsis
  const char* help;
  std::vector<FlagSpec> flags;
};

const std::vector<FlagSpec>& globalFlags();
const std::vector<VerbSpec>& verbs();
const VerbSpec* findVerb(const std::string& name);

// A command line runphi cannot make sense of; exit status 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What main() should do after parsing.
enum class Action { Execute, PrintVersion, PrintHelp };

struct ParsedCommand {
  Action action = Action::Execute;
  std::string helpText;  // for PrintHelp
  Invocation invocation;
};

// Parses argv[1..]. Throws UsageError with a message for the user.
ParsedCommand parseCommandLine(const std::vector<std::string>& args);

}  // namespace runphi
