#include "oci_grammar.hpp"

#include <boost/program_options.hpp>

#include <algorithm>
#include <cstdint>
#include <sstream>

namespace po = boost::program_options;

namespace runphi {

namespace {

using K = FlagKind;

// Flags the verbs share.
const FlagSpec kConsoleSocket{"console-socket", 0, K::Value, "unix socket that receives the pty master"};
const FlagSpec kPidFile{"pid-file", 0, K::Value, "write the container process pid to this file"};
const FlagSpec kBundle{"bundle", 'b', K::Value, "bundle directory (default: current directory)"};
const FlagSpec kNoPivot{"no-pivot", 0, K::Bool, "do not use pivot_root"};
const FlagSpec kNoNewKeyring{"no-new-keyring", 0, K::Bool, "do not create a new session keyring"};
const FlagSpec kPreserveFds{"preserve-fds", 0, K::Value, "number of extra fds to pass to the container"};
const FlagSpec kDetach{"detach", 'd', K::Bool, "detach from the container's process"};
const FlagSpec kNoSubreaper{"no-subreaper", 0, K::Bool, "do not become a subreaper"};
const FlagSpec kImagePath{"image-path", 0, K::Value, "checkpoint image directory"};
const FlagSpec kWorkPath{"work-path", 0, K::Value, "criu work directory"};
const FlagSpec kTcpEstablished{"tcp-established", 0, K::Bool, "allow open tcp connections"};
const FlagSpec kExtUnixSk{"ext-unix-sk", 0, K::Bool, "allow external unix sockets"};
const FlagSpec kShellJob{"shell-job", 0, K::Bool, "allow shell jobs"};
const FlagSpec kFileLocks{"file-locks", 0, K::Bool, "handle file locks"};
const FlagSpec kManageCgroups{"manage-cgroups-mode", 0, K::Value, "cgroups mode: soft, full, strict"};
const FlagSpec kEmptyNs{"empty-ns", 0, K::List, "namespace to leave empty"};
const FlagSpec kAutoDedup{"auto-dedup", 0, K::Bool, "deduplicate the image"};
const FlagSpec kLazyPages{"lazy-pages", 0, K::Bool, "use userfaultfd lazy pages"};

const std::vector<FlagSpec> kGlobalFlags = {
    {"debug", 0, K::Bool, "enable debug logging"},
    {"log", 0, K::Value, "log file (runc-style; containerd reads it)"},
    {"log-format", 0, K::Value, "log format: text or json"},
    {"root", 0, K::Value, "root directory for container state"},
    {"criu", 0, K::Value, "path to criu"},
    {"systemd-cgroup", 0, K::Bool, "use systemd for cgroups"},
    {"rootless", 0, K::Value, "rootless mode: true, false or auto"},
    {"runphi-config", 0, K::Value, "runphi configuration file (runphi only; never passed to runc)"},
    {"help", 'h', K::Bool, "show help"},
    {"version", 'v', K::Bool, "print the version"},
};

const std::vector<VerbSpec> kVerbs = {
    {"checkpoint",
     IdArg::Required,
     false,
     "<container-id>",
     "checkpoint a running container",
     {kImagePath,
      kWorkPath,
      {"parent-path", 0, K::Value, "previous checkpoint images"},
      {"leave-running", 0, K::Bool, "leave the process running"},
      kTcpEstablished,
      kExtUnixSk,
      kShellJob,
      kLazyPages,
      {"status-fd", 0, K::Value, "fd to report lazy-pages readiness"},
      {"page-server", 0, K::Value, "page server address"},
      kFileLocks,
      {"pre-dump", 0, K::Bool, "dump memory only"},
      kManageCgroups,
      kEmptyNs,
      kAutoDedup}},
    {"create",
     IdArg::Required,
     false,
     "<container-id>",
     "create a container",
     {kBundle, kConsoleSocket, kPidFile, kNoPivot, kNoNewKeyring, kPreserveFds}},
    {"delete",
     IdArg::Required,
     false,
     "<container-id>",
     "delete a container",
     {{"force", 'f', K::Bool, "kill a running container first"}}},
    {"events",
     IdArg::Required,
     false,
     "<container-id>",
     "display container events",
     {{"interval", 0, K::Value, "stats interval (e.g. 5s)"}, {"stats", 0, K::Bool, "print stats once and exit"}}},
    {"exec",
     IdArg::Required,
     true,
     "<container-id> <command> [args...]",
     "run a process in a container",
     {kConsoleSocket,
      {"cwd", 0, K::Value, "working directory"},
      {"env", 'e', K::List, "environment variable"},
      {"tty", 't', K::Bool, "allocate a pty"},
      {"user", 'u', K::Value, "uid[:gid]"},
      {"additional-gids", 'g', K::List, "additional gid"},
      {"process", 'p', K::Value, "process.json file"},
      kDetach,
      kPidFile,
      {"process-label", 0, K::Value, "SELinux label"},
      {"apparmor", 0, K::Value, "AppArmor profile"},
      {"no-new-privs", 0, K::Bool, "set no_new_privs"},
      {"cap", 'c', K::List, "add a capability"},
      kPreserveFds,
      {"cgroup", 0, K::List, "sub-cgroup to run in"},
      {"ignore-paused", 0, K::Bool, "exec into a paused container"}}},
    {"features", IdArg::None, false, "", "show the enabled features", {}},
    {"kill",
     IdArg::Required,
     false,
     "<container-id> [signal]",
     "send a signal to a container",
     {{"all", 'a', K::Bool, "signal every process in the container"}}},
    {"list",
     IdArg::None,
     false,
     "",
     "list containers",
     {{"format", 'f', K::Value, "table or json"}, {"quiet", 'q', K::Bool, "print only ids"}}},
    {"pause", IdArg::Required, false, "<container-id>", "pause a container", {}},
    {"ps",
     IdArg::Required,
     true,
     "<container-id> [ps options]",
     "list a container's processes",
     {{"format", 'f', K::Value, "table or json"}}},
    {"restore",
     IdArg::Required,
     false,
     "<container-id>",
     "restore a container from a checkpoint",
     {kConsoleSocket,
      kImagePath,
      kWorkPath,
      kTcpEstablished,
      kExtUnixSk,
      kShellJob,
      kFileLocks,
      kManageCgroups,
      kBundle,
      kDetach,
      kPidFile,
      kNoSubreaper,
      kNoPivot,
      kEmptyNs,
      kAutoDedup,
      kLazyPages,
      {"lsm-profile", 0, K::Value, "LSM profile"},
      {"lsm-mount-context", 0, K::Value, "LSM mount context"}}},
    {"resume", IdArg::Required, false, "<container-id>", "resume a paused container", {}},
    {"run",
     IdArg::Required,
     false,
     "<container-id>",
     "create and start a container",
     {kBundle,
      kConsoleSocket,
      kDetach,
      {"keep", 0, K::Bool, "keep the container after it exits"},
      kPidFile,
      kNoSubreaper,
      kNoPivot,
      kNoNewKeyring,
      kPreserveFds}},
    {"spec",
     IdArg::None,
     false,
     "",
     "write a new config.json",
     {kBundle, {"rootless", 0, K::Bool, "a spec for a rootless container"}}},
    {"start", IdArg::Required, false, "<container-id>", "start a created container", {}},
    {"state", IdArg::Required, false, "<container-id>", "print a container's state", {}},
    {"update",
     IdArg::Required,
     false,
     "<container-id>",
     "update a container's resources",
     {{"resources", 'r', K::Value, "resources JSON file, - for stdin"},
      {"blkio-weight", 0, K::Value, ""},
      {"cpu-period", 0, K::Value, ""},
      {"cpu-quota", 0, K::Value, ""},
      {"cpu-share", 0, K::Value, ""},
      {"cpu-rt-period", 0, K::Value, ""},
      {"cpu-rt-runtime", 0, K::Value, ""},
      {"cpuset-cpus", 0, K::Value, ""},
      {"cpuset-mems", 0, K::Value, ""},
      {"kernel-memory", 0, K::Value, ""},
      {"kernel-memory-tcp", 0, K::Value, ""},
      {"memory", 0, K::Value, ""},
      {"cpu-idle", 0, K::Value, ""},
      {"memory-reservation", 0, K::Value, ""},
      {"memory-swap", 0, K::Value, ""},
      {"pids-limit", 0, K::Value, ""},
      {"l3-cache-schema", 0, K::Value, ""},
      {"mem-bw-schema", 0, K::Value, ""}}},
    {"help", IdArg::None, false, "[command]", "show help", {}},
    // runphi's own: what the container process of a partitioned container
    // asks to learn whether its guest still runs.
    {"guest-status",
     IdArg::Required,
     false,
     "<container-id>",
     "print a partitioned container's guest status (created, running, paused, stopped <exit status>)",
     {}},
    // runphi's own, about the host: kata-runtime's check and env.
    {"check", IdArg::None, false, "", "check the hypervisor, platform template, CPUs, runc and state root", {}},
    {"env", IdArg::None, false, "", "print the resolved configuration as JSON", {}},
};

const FlagSpec kHelpFlag{"help", 'h', K::Bool, "show help for this command"};

// Looks a token up as a flag of `flags`: "--name", "--name=v", "-n" or
// Go's single-dash long form "-name".
const FlagSpec* matchFlag(const std::vector<FlagSpec>& flags, const std::string& token, std::string* inlineValue,
                          bool* hasInline) {
  std::string body = token.substr(token[1] == '-' ? 2 : 1);
  size_t eq = body.find('=');
  *hasInline = eq != std::string::npos;
  std::string name = *hasInline ? body.substr(0, eq) : body;
  if (*hasInline) *inlineValue = body.substr(eq + 1);
  for (const FlagSpec& f : flags) {
    if (name == f.name || (name.size() == 1 && name[0] == f.shortName)) return &f;
  }
  if (name == kHelpFlag.name || name == "h") return &kHelpFlag;
  return nullptr;
}

struct Split {
  std::vector<std::string> options;  // normalised to --name=<kValueMark><value>
  std::vector<std::string> positionals;
  size_t consumed = 0;             // tokens consumed from the input, a "--" included
  std::vector<size_t> runphiOnly;  // indices of tokens that belong to runphi-only flags, ascending
};

// Every value handed to Boost starts with this byte, so Boost never reads a
// value as an option ("-1"), never sees an empty one, and never interprets it:
// values stay exactly as Go's flag package would keep them.
constexpr char kValueMark = '\x01';

// Tokenises with Go's flag rules, normalising every flag to "--name=<value>"
// for Boost.Program_options. Stops at the first positional when
// `stopAtPositional` (global flags; exec and ps); "--" ends the flags.
Split splitArgs(const std::vector<std::string>& args, size_t begin, const std::vector<FlagSpec>& flags,
                bool stopAtPositional, const std::string& context) {
  Split out;
  size_t i = begin;
  for (; i < args.size(); ++i) {
    const std::string& tok = args[i];
    if (tok == "--") {
      if (!stopAtPositional) {
        out.positionals.insert(out.positionals.end(), args.begin() + static_cast<long>(i) + 1, args.end());
        i = args.size();
      } else {
        ++i;
      }
      break;
    }
    if (tok.size() < 2 || tok[0] != '-') {
      if (stopAtPositional) break;
      out.positionals.push_back(tok);
      continue;
    }
    std::string value;
    bool hasInline = false;
    const FlagSpec* f = matchFlag(flags, tok, &value, &hasInline);
    if (!f && !out.positionals.empty()) {
      // runc's CLI moves only known flags in front of the arguments: an
      // unknown dash-token after one (`kill id -9`) is an argument.
      out.positionals.push_back(tok);
      continue;
    }
    if (!f) throw UsageError(context + ": flag provided but not defined: " + tok);
    bool runphiOnly = std::string(f->name) == "runphi-config";
    if (runphiOnly) out.runphiOnly.push_back(i);
    if (f->kind == K::Bool) {
      out.options.push_back("--" + std::string(f->name) + "=" + kValueMark + (hasInline ? value : "true"));
      continue;
    }
    if (!hasInline) {
      if (i + 1 >= args.size()) throw UsageError(context + ": flag needs an argument: " + tok);
      value = args[++i];
      if (runphiOnly) out.runphiOnly.push_back(i);
    }
    out.options.push_back("--" + std::string(f->name) + "=" + kValueMark + value);
  }
  out.consumed = i - begin;
  return out;
}

po::options_description describe(const std::vector<FlagSpec>& flags, const std::string& caption) {
  po::options_description desc(caption);
  // Every kind takes repeated values: Go keeps the last of a repeated flag.
  for (const FlagSpec& f : flags) {
    std::string names = f.name;
    if (f.shortName) names += std::string(",") + f.shortName;
    desc.add_options()(names.c_str(), po::value<std::vector<std::string>>(), f.help);
  }
  if (std::none_of(flags.begin(), flags.end(), [](const FlagSpec& f) { return std::string(f.name) == "help"; })) {
    desc.add_options()("help,h", po::value<std::vector<std::string>>(), kHelpFlag.help);
  }
  return desc;
}

// Validates the normalised flags with Boost.Program_options.
po::variables_map parseFlags(const std::vector<std::string>& options, const po::options_description& desc,
                             const std::string& context) {
  po::variables_map vm;
  try {
    // One token at a time: each is a whole "--name=<value>", and Boost's
    // parser erases every token from the front of its list, which makes a
    // long command line (100 000 flags) take a minute.
    po::parsed_options parsed(&desc);
    for (const std::string& option : options) {
      po::parsed_options one = po::command_line_parser(std::vector<std::string>{option})
                                   .options(desc)
                                   .style(po::command_line_style::unix_style)
                                   .run();
      parsed.options.insert(parsed.options.end(), one.options.begin(), one.options.end());
    }
    po::store(parsed, vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(context + ": " + e.what());
  }
  return vm;
}

// Go's strconv.ParseBool.
bool parseGoBool(const std::string& v, const std::string& flag, const std::string& context) {
  for (const char* t : {"1", "t", "T", "TRUE", "true", "True"}) {
    if (v == t) return true;
  }
  for (const char* f : {"0", "f", "F", "FALSE", "false", "False"}) {
    if (v == f) return false;
  }
  throw UsageError(context + ": invalid boolean value \"" + v + "\" for --" + flag);
}

// The flags by long name with the value mark removed; a boolean holds "true"
// or "false" (its last value), a value flag its last value, a list every value.
void collectFlags(const po::variables_map& vm, const std::vector<FlagSpec>& flags,
                  std::map<std::string, std::vector<std::string>>& out, const std::string& context) {
  auto values = [&](const std::string& name) {
    std::vector<std::string> v = vm[name].as<std::vector<std::string>>();
    for (std::string& s : v) s.erase(0, 1);
    return v;
  };
  for (const FlagSpec& f : flags) {
    if (!vm.count(f.name)) continue;
    std::vector<std::string> v = values(f.name);
    switch (f.kind) {
      case K::Bool: out[f.name] = {parseGoBool(v.back(), f.name, context) ? "true" : "false"}; break;
      case K::Value: out[f.name] = {v.back()}; break;
      case K::List: out[f.name] = v; break;
    }
  }
  if (vm.count("help") &&
      std::none_of(flags.begin(), flags.end(), [](const FlagSpec& f) { return std::string(f.name) == "help"; })) {
    out["help"] = {parseGoBool(values("help").back(), "help", context) ? "true" : "false"};
  }
}

std::string usageText(const VerbSpec* verb) {
  std::ostringstream os;
  if (!verb) {
    os << "runphi: OCI runtime for partitioned containers; other containers go to runc.\n\n"
       << "usage: runphi [global options] <command> [command options] [arguments...]\n\ncommands:\n";
    for (const VerbSpec& v : kVerbs)
      os << "  " << v.name << std::string(12 - std::string(v.name).size(), ' ') << v.help << "\n";
    os << "\n" << describe(kGlobalFlags, "global options");
  } else {
    os << "usage: runphi " << verb->name << " [command options] " << verb->usage << "\n\n"
       << verb->help << "\n\n"
       << describe(verb->flags, "options");
  }
  return os.str();
}

}  // namespace

const std::vector<FlagSpec>& globalFlags() {
  return kGlobalFlags;
}
const std::vector<VerbSpec>& verbs() {
  return kVerbs;
}

const VerbSpec* findVerb(const std::string& name) {
  for (const VerbSpec& v : kVerbs) {
    if (name == v.name) return &v;
  }
  return nullptr;
}

ParsedCommand parseCommandLine(const std::vector<std::string>& args) {
  ParsedCommand cmd;
  Invocation& inv = cmd.invocation;

  Split global = splitArgs(args, 0, kGlobalFlags, true, "runphi");
  po::variables_map gvm = parseFlags(global.options, describe(kGlobalFlags, "global options"), "runphi");
  std::map<std::string, std::vector<std::string>> g;
  collectFlags(gvm, kGlobalFlags, g, "runphi");
  auto gv = [&](const char* name, const std::string& fallback = {}) {
    return g.count(name) ? g[name].back() : fallback;
  };
  inv.global.root = gv("root");
  inv.global.log = gv("log");
  inv.global.logFormat = gv("log-format", "text");
  inv.global.debug = gv("debug") == "true";
  inv.global.systemdCgroup = gv("systemd-cgroup") == "true";
  inv.global.criu = gv("criu");
  inv.global.rootless = gv("rootless");
  inv.global.runphiConfig = gv("runphi-config");
  if (inv.global.logFormat != "text" && inv.global.logFormat != "json") {
    throw UsageError("runphi: invalid log format \"" + inv.global.logFormat + "\" (text or json)");
  }

  // runc's argv minus the runphi-only flag, which runc would reject.
  for (size_t i = 0; i < global.consumed; ++i) {
    // runphiOnly is ascending: a binary search keeps 100 000 such flags linear-ish.
    if (!std::binary_search(global.runphiOnly.begin(), global.runphiOnly.end(), i)) {
      inv.forwardArgs.push_back(args[i]);
    }
  }
  inv.globalArgCount = inv.forwardArgs.size();
  inv.forwardArgs.insert(inv.forwardArgs.end(), args.begin() + static_cast<long>(global.consumed), args.end());

  if (gv("version") == "true") {
    cmd.action = Action::PrintVersion;
    return cmd;
  }
  if (global.consumed == args.size()) {
    if (gv("help") == "true") {
      cmd.action = Action::PrintHelp;
      cmd.helpText = usageText(nullptr);
      return cmd;
    }
    throw UsageError("runphi: no command given; see `runphi --help`");
  }

  inv.verb = args[global.consumed];
  const VerbSpec* verb = findVerb(inv.verb);
  if (!verb) throw UsageError("runphi: unknown command \"" + inv.verb + "\"; see `runphi --help`");
  std::string context = "runphi " + inv.verb;

  Split local = splitArgs(args, global.consumed + 1, verb->flags, verb->flagsBeforeArgsOnly, context);
  if (verb->flagsBeforeArgsOnly) {
    local.positionals.insert(local.positionals.end(),
                             args.begin() + static_cast<long>(global.consumed + 1 + local.consumed), args.end());
  }
  po::variables_map vm = parseFlags(local.options, describe(verb->flags, "options"), context);
  collectFlags(vm, verb->flags, inv.flags, context);
  bool verbHelp = inv.flag("help") == "true";
  inv.flags.erase("help");

  if (inv.verb == "help" || gv("help") == "true" || verbHelp) {
    cmd.action = Action::PrintHelp;
    const VerbSpec* topic = verb;
    if (inv.verb == "help") topic = local.positionals.empty() ? nullptr : findVerb(local.positionals[0]);
    if (inv.verb == "help" && !local.positionals.empty() && !topic) {
      throw UsageError("runphi: no help topic for \"" + local.positionals[0] + "\"");
    }
    cmd.helpText = usageText(topic);
    return cmd;
  }

  // runc's argument counts: one id (kill: and a signal; exec, ps: and a
  // command line); list, spec, features: none.
  size_t maxArgs = verb->flagsBeforeArgsOnly ? SIZE_MAX : inv.verb == "kill" ? 2 : verb->id == IdArg::Required ? 1 : 0;
  if (local.positionals.size() > maxArgs) {
    std::string extra;
    for (size_t k = maxArgs; k < local.positionals.size(); ++k) extra += " \"" + local.positionals[k] + "\"";
    throw UsageError(context + ": too many arguments:" + extra + " (usage: runphi " + inv.verb + " " + verb->usage +
                     ")");
  }
  if (verb->id == IdArg::Required) {
    if (local.positionals.empty() || local.positionals[0].empty()) {
      throw UsageError(context + ": container id required (usage: runphi " + inv.verb + " " + verb->usage + ")");
    }
    inv.containerId = local.positionals[0];
    inv.args.assign(local.positionals.begin() + 1, local.positionals.end());
  } else {
    inv.args = local.positionals;
  }
  return cmd;
}

}  // namespace runphi
