// shim/oci_grammar.cpp: runc's command-line grammar. Every argv that
// containerd, Docker or Podman sends must parse, and what is forwarded to
// runc must be exactly what was typed minus runphi's own flag.
#include "oci_grammar.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace {

using runphi::Action;
using runphi::FlagKind;
using runphi::FlagSpec;
using runphi::IdArg;
using runphi::ParsedCommand;
using runphi::VerbSpec;
using Args = std::vector<std::string>;

ParsedCommand parse(const Args& args) {
  return runphi::parseCommandLine(args);
}

// The UsageError message for `args`; records a failure when parsing
// succeeds or throws anything else.
std::string usageError(const Args& args) {
  try {
    runphi::parseCommandLine(args);
  } catch (const runphi::UsageError& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected runphi::UsageError, got another exception: " << e.what();
    return {};
  }
  std::string joined;
  for (const std::string& a : args) joined += " " + a;
  ADD_FAILURE() << "expected runphi::UsageError for:" << joined;
  return {};
}

std::string join(const Args& args) {
  std::string s;
  for (const std::string& a : args) s += (s.empty() ? "" : " ") + a;
  return s;
}

Args concat(Args a, const Args& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}
#define EXPECT_CONTAINS(text, needle) EXPECT_PRED2(contains, std::string(text), std::string(needle))

// --- the table itself ---

TEST(GrammarTableTest, HasEveryRuncVerb) {
  std::set<std::string> names;
  for (const VerbSpec& v : runphi::verbs()) names.insert(v.name);
  for (const char* verb : {"checkpoint", "create", "delete", "events", "exec", "features", "kill", "list", "pause",
                           "ps", "restore", "resume", "run", "spec", "start", "state", "update", "help"}) {
    EXPECT_TRUE(names.count(verb)) << verb;
    EXPECT_NE(runphi::findVerb(verb), nullptr) << verb;
  }
  EXPECT_EQ(runphi::findVerb("frobnicate"), nullptr);
}

TEST(GrammarTableTest, HasEveryRuncGlobalFlag) {
  std::set<std::string> names;
  for (const FlagSpec& f : runphi::globalFlags()) names.insert(f.name);
  for (const char* flag :
       {"debug", "log", "log-format", "root", "criu", "systemd-cgroup", "rootless", "help", "version"}) {
    EXPECT_TRUE(names.count(flag)) << flag;
  }
}

TEST(GrammarTableTest, FlagNamesAndShortNamesUniquePerVerb) {
  for (const VerbSpec& v : runphi::verbs()) {
    std::set<std::string> longs;
    std::set<char> shorts = {'h'};  // every verb also takes -h
    for (const FlagSpec& f : v.flags) {
      EXPECT_TRUE(longs.insert(f.name).second) << v.name << " --" << f.name;
      if (f.shortName) {
        EXPECT_TRUE(shorts.insert(f.shortName).second) << v.name << " -" << f.shortName;
      }
    }
  }
}

// runc 1.1's flags for the verbs containerd uses; a missing one would make a
// real call fail to parse.
TEST(GrammarTableTest, HasRuncFlagsForContainerdVerbs) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> expected = {
      {"create", {"bundle", "console-socket", "pid-file", "no-pivot", "no-new-keyring", "preserve-fds"}},
      {"run",
       {"bundle", "console-socket", "detach", "keep", "pid-file", "no-subreaper", "no-pivot", "no-new-keyring",
        "preserve-fds"}},
      {"exec",
       {"console-socket", "cwd", "env", "tty", "user", "additional-gids", "process", "detach", "pid-file",
        "process-label", "apparmor", "no-new-privs", "cap", "preserve-fds", "cgroup", "ignore-paused"}},
      {"kill", {"all"}},
      {"delete", {"force"}},
      {"ps", {"format"}},
      {"events", {"interval", "stats"}},
      {"list", {"format", "quiet"}},
      {"update",
       {"resources", "blkio-weight", "cpu-period", "cpu-quota", "cpu-share", "cpu-rt-period", "cpu-rt-runtime",
        "cpuset-cpus", "cpuset-mems", "memory", "memory-reservation", "memory-swap", "pids-limit", "l3-cache-schema",
        "mem-bw-schema"}},
      {"checkpoint",
       {"image-path", "work-path", "parent-path", "leave-running", "tcp-established", "ext-unix-sk", "shell-job",
        "lazy-pages", "status-fd", "page-server", "file-locks", "pre-dump", "manage-cgroups-mode", "empty-ns",
        "auto-dedup"}},
      {"restore",
       {"console-socket", "image-path", "work-path", "tcp-established", "ext-unix-sk", "shell-job", "file-locks",
        "manage-cgroups-mode", "bundle", "detach", "pid-file", "no-subreaper", "no-pivot", "empty-ns", "auto-dedup",
        "lazy-pages", "lsm-profile", "lsm-mount-context"}},
  };
  for (const auto& [verb, flags] : expected) {
    const VerbSpec* v = runphi::findVerb(verb);
    ASSERT_NE(v, nullptr) << verb;
    std::set<std::string> have;
    for (const FlagSpec& f : v->flags) have.insert(f.name);
    for (const std::string& f : flags) EXPECT_TRUE(have.count(f)) << verb << " --" << f;
  }
}

// --- every verb with every flag, in every spelling Go accepts ---

enum class Style { Long, LongEquals, SingleDashLong, Short };
const char* styleName(Style s) {
  switch (s) {
    case Style::Long: return "--name value";
    case Style::LongEquals: return "--name=value";
    case Style::SingleDashLong: return "-name value";
    case Style::Short: return "-n value";
  }
  return "?";
}

// Appends `f` set in `style`, with `value` for Value/List flags.
void appendFlag(Args& args, const FlagSpec& f, Style style, const std::string& value) {
  std::string name = f.name;
  bool shortOk = style == Style::Short && f.shortName;
  std::string spelled = shortOk                          ? std::string("-") + f.shortName
                        : style == Style::SingleDashLong ? "-" + name
                                                         : "--" + name;
  if (f.kind == FlagKind::Bool) {
    args.push_back(style == Style::LongEquals ? spelled + "=true" : spelled);
  } else if (style == Style::LongEquals) {
    args.push_back(spelled + "=" + value);
  } else {
    args.push_back(spelled);
    args.push_back(value);
  }
}

// The verb's arguments setting every flag (List flags twice).
Args allFlags(const VerbSpec& v, Style style) {
  Args args;
  for (const FlagSpec& f : v.flags) {
    appendFlag(args, f, style, "a-" + std::string(f.name));
    if (f.kind == FlagKind::List) appendFlag(args, f, style, "b-" + std::string(f.name));
  }
  return args;
}

void expectAllFlagsSet(const VerbSpec& v, const runphi::Invocation& inv) {
  EXPECT_EQ(inv.flags.size(), v.flags.size());
  for (const FlagSpec& f : v.flags) {
    auto it = inv.flags.find(f.name);
    ASSERT_NE(it, inv.flags.end()) << "--" << f.name;
    std::vector<std::string> want;
    switch (f.kind) {
      case FlagKind::Bool: want = {"true"}; break;
      case FlagKind::Value: want = {"a-" + std::string(f.name)}; break;
      case FlagKind::List: want = {"a-" + std::string(f.name), "b-" + std::string(f.name)}; break;
    }
    EXPECT_EQ(it->second, want) << "--" << f.name;
    EXPECT_TRUE(inv.flagSet(f.name)) << "--" << f.name;
  }
}

TEST(GrammarVerbTableTest, EveryVerbParsesWithAllItsFlags) {
  for (const VerbSpec& v : runphi::verbs()) {
    for (Style style : {Style::Long, Style::LongEquals, Style::SingleDashLong, Style::Short}) {
      Args args = concat({v.name}, allFlags(v, style));
      if (v.id == IdArg::Required) args.push_back("cid");
      SCOPED_TRACE(std::string(styleName(style)) + ": runphi " + join(args));
      ParsedCommand cmd;
      try {
        cmd = parse(args);
      } catch (const std::exception& e) {
        ADD_FAILURE() << "did not parse: " << e.what();
        continue;
      }
      const runphi::Invocation& inv = cmd.invocation;
      EXPECT_EQ(inv.verb, v.name);
      EXPECT_EQ(inv.forwardArgs, args);
      EXPECT_EQ(inv.globalArgCount, 0u);
      if (std::string(v.name) == "help") {
        EXPECT_EQ(cmd.action, Action::PrintHelp);
        continue;
      }
      EXPECT_EQ(cmd.action, Action::Execute);
      EXPECT_EQ(inv.containerId, v.id == IdArg::Required ? "cid" : "");
      EXPECT_TRUE(inv.args.empty());
      expectAllFlagsSet(v, inv);
    }
  }
}

TEST(GrammarVerbTableTest, EveryVerbParsesWithNoFlags) {
  for (const VerbSpec& v : runphi::verbs()) {
    Args args = {v.name};
    if (v.id == IdArg::Required) args.push_back("cid");
    SCOPED_TRACE(join(args));
    ParsedCommand cmd = parse(args);
    EXPECT_EQ(cmd.invocation.verb, v.name);
    EXPECT_TRUE(cmd.invocation.flags.empty());
    if (v.id == IdArg::Required) {
      EXPECT_EQ(cmd.invocation.containerId, "cid");
    }
  }
}

// urfave/cli (runc's CLI library) moves flags given after the positionals
// to the front, except for exec and ps.
TEST(GrammarVerbTableTest, FlagsAfterTheIdParseForReorderingVerbs) {
  for (const VerbSpec& v : runphi::verbs()) {
    if (v.flagsBeforeArgsOnly || v.id != IdArg::Required) continue;
    Args args = concat({v.name, "cid"}, allFlags(v, Style::Long));
    SCOPED_TRACE(join(args));
    ParsedCommand cmd = parse(args);
    EXPECT_EQ(cmd.invocation.containerId, "cid");
    EXPECT_TRUE(cmd.invocation.args.empty());
    expectAllFlagsSet(v, cmd.invocation);
  }
}

TEST(GrammarVerbTableTest, EveryVerbWithEveryGlobalFlag) {
  const Args globals = {"--debug", "--log",  "/l.json",   "--log-format",     "json",       "--root",
                        "/r",      "--criu", "/bin/criu", "--systemd-cgroup", "--rootless", "auto"};
  for (const VerbSpec& v : runphi::verbs()) {
    Args tail = concat({v.name}, allFlags(v, Style::Long));
    if (v.id == IdArg::Required) tail.push_back("cid");
    Args args = concat(globals, tail);
    SCOPED_TRACE(join(args));
    ParsedCommand cmd = parse(args);
    EXPECT_EQ(cmd.invocation.globalArgCount, globals.size());
    EXPECT_EQ(cmd.invocation.forwardArgs, args);
    EXPECT_EQ(cmd.invocation.global.root, "/r");
    if (std::string(v.name) != "help") expectAllFlagsSet(v, cmd.invocation);
  }
}

// --- global flags ---

TEST(GrammarGlobalTest, EveryGlobalFlagFromTheTable) {
  Args args;
  for (const FlagSpec& f : runphi::globalFlags()) {
    std::string name = f.name;
    if (name == "help" || name == "version") continue;  // they change the action
    args.push_back("--" + name);
    if (f.kind != FlagKind::Bool) {
      args.push_back(name == "log-format" ? "json" : name == "rootless" ? "true" : "v-" + name);
    }
  }
  args.push_back("list");
  ParsedCommand cmd = parse(args);
  const runphi::GlobalOptions& g = cmd.invocation.global;
  EXPECT_EQ(cmd.action, Action::Execute);
  EXPECT_EQ(cmd.invocation.verb, "list");
  for (const FlagSpec& f : runphi::globalFlags()) {
    std::string name = f.name;
    if (name == "debug") {
      EXPECT_TRUE(g.debug);
    } else if (name == "log") {
      EXPECT_EQ(g.log, "v-log");
    } else if (name == "log-format") {
      EXPECT_EQ(g.logFormat, "json");
    } else if (name == "root") {
      EXPECT_EQ(g.root, "v-root");
    } else if (name == "criu") {
      EXPECT_EQ(g.criu, "v-criu");
    } else if (name == "systemd-cgroup") {
      EXPECT_TRUE(g.systemdCgroup);
    } else if (name == "rootless") {
      EXPECT_EQ(g.rootless, "true");
    } else if (name == "runphi-config") {
      EXPECT_EQ(g.runphiConfig, "v-runphi-config");
    } else if (name != "help" && name != "version") {
      ADD_FAILURE() << "global flag --" << name << " not covered by this test";
    }
  }
}

TEST(GrammarGlobalTest, Defaults) {
  ParsedCommand cmd = parse({"list"});
  const runphi::GlobalOptions& g = cmd.invocation.global;
  EXPECT_EQ(g.root, "");
  EXPECT_EQ(g.log, "");
  EXPECT_EQ(g.logFormat, "text");
  EXPECT_FALSE(g.debug);
  EXPECT_FALSE(g.systemdCgroup);
  EXPECT_EQ(g.criu, "");
  EXPECT_EQ(g.rootless, "");
  EXPECT_EQ(g.runphiConfig, "");
  EXPECT_EQ(cmd.invocation.forwardArgs, (Args{"list"}));
  EXPECT_EQ(cmd.invocation.globalArgCount, 0u);
}

TEST(GrammarGlobalTest, GoSpellings) {
  for (const Args& prefix : {Args{"--root", "/r"}, Args{"--root=/r"}, Args{"-root", "/r"}, Args{"-root=/r"}}) {
    Args args = concat(prefix, {"state", "id"});
    SCOPED_TRACE(join(args));
    ParsedCommand cmd = parse(args);
    EXPECT_EQ(cmd.invocation.global.root, "/r");
    EXPECT_EQ(cmd.invocation.forwardArgs, args);
    EXPECT_EQ(cmd.invocation.globalArgCount, prefix.size());
    EXPECT_EQ(cmd.invocation.containerId, "id");
  }
}

TEST(GrammarGlobalTest, BoolGlobalsWithExplicitValues) {
  EXPECT_TRUE(parse({"--debug=true", "list"}).invocation.global.debug);
  EXPECT_FALSE(parse({"--debug=false", "list"}).invocation.global.debug);
  EXPECT_TRUE(parse({"-debug", "list"}).invocation.global.debug);
  EXPECT_FALSE(parse({"--systemd-cgroup=false", "list"}).invocation.global.systemdCgroup);
}

TEST(GrammarGlobalTest, SystemdCgroupAndRootless) {
  ParsedCommand cmd = parse({"--systemd-cgroup", "--rootless=false", "--root", "/run/runc", "state", "id"});
  EXPECT_TRUE(cmd.invocation.global.systemdCgroup);
  EXPECT_EQ(cmd.invocation.global.rootless, "false");
  EXPECT_EQ(cmd.invocation.globalArgCount, 4u);
  cmd = parse({"--rootless", "auto", "list"});
  EXPECT_EQ(cmd.invocation.global.rootless, "auto");
}

TEST(GrammarGlobalTest, LogFormatTextAndJson) {
  EXPECT_EQ(parse({"--log-format", "text", "list"}).invocation.global.logFormat, "text");
  EXPECT_EQ(parse({"--log-format", "json", "list"}).invocation.global.logFormat, "json");
  EXPECT_EQ(parse({"--log-format=json", "list"}).invocation.global.logFormat, "json");  // podman
}

// --- real callers ---

const Args kContainerd = {"--root", "/run/containerd/runc/default", "--log", "/x/log.json", "--log-format", "json"};

struct Shape {
  Args tail;
  std::string verb, id;
  Args positionals;
  std::vector<std::pair<std::string, std::vector<std::string>>> flags;
};

TEST(GrammarCallerTest, ContainerdShapes) {
  const std::vector<Shape> shapes = {
      {{"create", "--bundle", "/b", "--pid-file", "/p", "--console-socket", "/s", "id"},
       "create",
       "id",
       {},
       {{"bundle", {"/b"}}, {"pid-file", {"/p"}}, {"console-socket", {"/s"}}}},
      {{"create", "--bundle", "/b", "--pid-file", "/p", "--no-pivot", "--no-new-keyring", "--preserve-fds", "2", "id"},
       "create",
       "id",
       {},
       {{"bundle", {"/b"}},
        {"pid-file", {"/p"}},
        {"no-pivot", {"true"}},
        {"no-new-keyring", {"true"}},
        {"preserve-fds", {"2"}}}},
      {{"start", "id"}, "start", "id", {}, {}},
      {{"state", "id"}, "state", "id", {}, {}},
      {{"kill", "--all", "id", "9"}, "kill", "id", {"9"}, {{"all", {"true"}}}},
      {{"kill", "id", "15"}, "kill", "id", {"15"}, {}},
      {{"kill", "id", "SIGKILL"}, "kill", "id", {"SIGKILL"}, {}},
      {{"delete", "--force", "id"}, "delete", "id", {}, {{"force", {"true"}}}},
      {{"delete", "id"}, "delete", "id", {}, {}},
      {{"exec", "--process", "/p.json", "--detach", "--pid-file", "/p", "id"},
       "exec",
       "id",
       {},
       {{"process", {"/p.json"}}, {"detach", {"true"}}, {"pid-file", {"/p"}}}},
      {{"exec", "--process", "/p.json", "--console-socket", "/s", "--detach", "--pid-file", "/p", "id"},
       "exec",
       "id",
       {},
       {{"process", {"/p.json"}}, {"console-socket", {"/s"}}, {"detach", {"true"}}, {"pid-file", {"/p"}}}},
      {{"ps", "--format", "json", "id"}, "ps", "id", {}, {{"format", {"json"}}}},
      {{"update", "--resources", "-", "id"}, "update", "id", {}, {{"resources", {"-"}}}},
      {{"events", "--stats", "id"}, "events", "id", {}, {{"stats", {"true"}}}},
      {{"events", "--interval", "5s", "id"}, "events", "id", {}, {{"interval", {"5s"}}}},
      {{"pause", "id"}, "pause", "id", {}, {}},
      {{"resume", "id"}, "resume", "id", {}, {}},
      {{"list", "--format", "json"}, "list", "", {}, {{"format", {"json"}}}},
      {{"features"}, "features", "", {}, {}},
      {{"checkpoint", "--image-path", "/i", "--work-path", "/w", "--leave-running", "--file-locks", "id"},
       "checkpoint",
       "id",
       {},
       {{"image-path", {"/i"}}, {"work-path", {"/w"}}, {"leave-running", {"true"}}, {"file-locks", {"true"}}}},
      {{"restore", "--detach", "--pid-file", "/p", "--no-subreaper", "--no-pivot", "--image-path", "/i", "--work-path",
        "/w", "--bundle", "/b", "id"},
       "restore",
       "id",
       {},
       {{"detach", {"true"}},
        {"pid-file", {"/p"}},
        {"no-subreaper", {"true"}},
        {"no-pivot", {"true"}},
        {"image-path", {"/i"}},
        {"work-path", {"/w"}},
        {"bundle", {"/b"}}}},
  };
  for (const Shape& s : shapes) {
    Args args = concat(kContainerd, s.tail);
    SCOPED_TRACE("runphi " + join(args));
    ParsedCommand cmd;
    try {
      cmd = parse(args);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "did not parse: " << e.what();
      continue;
    }
    const runphi::Invocation& inv = cmd.invocation;
    EXPECT_EQ(cmd.action, Action::Execute);
    EXPECT_EQ(inv.global.root, "/run/containerd/runc/default");
    EXPECT_EQ(inv.global.log, "/x/log.json");
    EXPECT_EQ(inv.global.logFormat, "json");
    EXPECT_EQ(inv.verb, s.verb);
    EXPECT_EQ(inv.containerId, s.id);
    EXPECT_EQ(inv.args, s.positionals);
    EXPECT_EQ(inv.forwardArgs, args);
    EXPECT_EQ(inv.globalArgCount, kContainerd.size());
    EXPECT_EQ(inv.flags.size(), s.flags.size());
    for (const auto& [name, values] : s.flags) {
      auto it = inv.flags.find(name);
      ASSERT_NE(it, inv.flags.end()) << name;
      EXPECT_EQ(it->second, values) << name;
    }
  }
}

TEST(GrammarCallerTest, SystemdCgroupAndRootlessFromContainerd) {
  Args args = concat({"--root", "/run/containerd/runc/k8s.io", "--log", "/x/log.json", "--log-format", "json",
                      "--systemd-cgroup", "--rootless=false"},
                     {"create", "--bundle", "/b", "--pid-file", "/p", "id"});
  ParsedCommand cmd = parse(args);
  EXPECT_TRUE(cmd.invocation.global.systemdCgroup);
  EXPECT_EQ(cmd.invocation.global.rootless, "false");
  EXPECT_EQ(cmd.invocation.globalArgCount, 8u);
  EXPECT_EQ(cmd.invocation.forwardArgs, args);
  EXPECT_EQ(cmd.invocation.containerId, "id");
}

TEST(GrammarCallerTest, CriuCheckpoint) {
  Args args = {"--criu", "/usr/sbin/criu", "checkpoint", "--image-path", "/i", "id"};
  ParsedCommand cmd = parse(args);
  EXPECT_EQ(cmd.invocation.global.criu, "/usr/sbin/criu");
  EXPECT_EQ(cmd.invocation.verb, "checkpoint");
  EXPECT_EQ(cmd.invocation.flag("image-path"), "/i");
  EXPECT_EQ(cmd.invocation.containerId, "id");
  EXPECT_EQ(cmd.invocation.globalArgCount, 2u);
}

TEST(GrammarCallerTest, PodmanConmonShapes) {
  Args args = {"--root",
               "/run/runc",
               "--systemd-cgroup",
               "--log-format=json",
               "--log",
               "/var/lib/c/ctr.log",
               "create",
               "--bundle",
               "/b",
               "--pid-file",
               "/p",
               "--no-new-keyring",
               "--console-socket",
               "/s",
               "ctr"};
  ParsedCommand cmd = parse(args);
  EXPECT_EQ(cmd.invocation.global.logFormat, "json");
  EXPECT_EQ(cmd.invocation.global.log, "/var/lib/c/ctr.log");
  EXPECT_TRUE(cmd.invocation.global.systemdCgroup);
  EXPECT_EQ(cmd.invocation.globalArgCount, 6u);
  EXPECT_EQ(cmd.invocation.containerId, "ctr");
  EXPECT_TRUE(cmd.invocation.flagSet("no-new-keyring"));
  EXPECT_EQ(cmd.invocation.forwardArgs, args);

  // podman exec: conmon passes --exec-style arguments through `exec`.
  args = {"--root", "/run/runc", "exec", "--pid-file", "/p", "--process", "/p.json", "--detach", "--tty", "ctr"};
  cmd = parse(args);
  EXPECT_EQ(cmd.invocation.flag("process"), "/p.json");
  EXPECT_TRUE(cmd.invocation.flagSet("tty"));
  EXPECT_EQ(cmd.invocation.containerId, "ctr");
}

TEST(GrammarCallerTest, DockerManualShapes) {
  ParsedCommand cmd = parse({"run", "-d", "-b", "/b", "--pid-file", "/p", "ctr"});
  EXPECT_TRUE(cmd.invocation.flagSet("detach"));
  EXPECT_EQ(cmd.invocation.flag("bundle"), "/b");
  cmd = parse({"spec", "--rootless", "--bundle", "/b"});
  EXPECT_TRUE(cmd.invocation.flagSet("rootless"));
  EXPECT_EQ(cmd.invocation.global.rootless, "") << "spec's --rootless is not the global one";
  cmd = parse({"list", "-q"});
  EXPECT_TRUE(cmd.invocation.flagSet("quiet"));
  cmd = parse({"list", "-f", "json"});
  EXPECT_EQ(cmd.invocation.flag("format"), "json");
}

// --- Go's flag spellings ---

TEST(GrammarGoFormsTest, BoolWithExplicitValue) {
  ParsedCommand cmd = parse({"delete", "--force=true", "id"});
  EXPECT_EQ(cmd.invocation.flags.at("force"), (std::vector<std::string>{"true"}));
  EXPECT_TRUE(cmd.invocation.flagSet("force"));
  cmd = parse({"delete", "--force=false", "id"});
  EXPECT_EQ(cmd.invocation.flags.at("force"), (std::vector<std::string>{"false"}));
  EXPECT_FALSE(cmd.invocation.flagSet("force"));
  cmd = parse({"delete", "-f", "id"});
  EXPECT_TRUE(cmd.invocation.flagSet("force"));
  cmd = parse({"delete", "-force", "id"});
  EXPECT_TRUE(cmd.invocation.flagSet("force"));
  cmd = parse({"delete", "-f=false", "id"});
  EXPECT_FALSE(cmd.invocation.flagSet("force"));
}

TEST(GrammarGoFormsTest, BoolNeverConsumesTheNextArgument) {
  ParsedCommand cmd = parse({"delete", "--force", "true"});
  EXPECT_EQ(cmd.invocation.containerId, "true") << "Go: a bool flag takes a value only with '='";
}

TEST(GrammarGoFormsTest, EveryBoolSpellingGoAccepts) {
  // strconv.ParseBool: 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False.
  std::vector<std::string> rejected;
  for (const std::string v : {"1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"}) {
    bool want = v == "1" || v[0] == 't' || v[0] == 'T';
    try {
      ParsedCommand cmd = parse({"delete", "--force=" + v, "id"});
      EXPECT_EQ(cmd.invocation.flagSet("force"), want) << v;
    } catch (const runphi::UsageError& e) {
      rejected.push_back(v);
    }
  }
  if (!rejected.empty()) {
    FAIL() << "bool flag values that Go's strconv.ParseBool (and so runc) accepts are rejected: " << join(rejected)
           << " (e.g. `runphi delete --force=t id`; Boost's bool validator knows only "
              "true/false/1/0/yes/no/on/off; describe() and parseFlags(), shim/oci_grammar.cpp)";
  }
}

TEST(GrammarGoFormsTest, ValueStartingWithDashIsTheValue) {
  ParsedCommand cmd = parse({"update", "--memory-swap", "-1", "--cpu-quota=-1", "id"});
  EXPECT_EQ(cmd.invocation.flag("memory-swap"), "-1");
  EXPECT_EQ(cmd.invocation.flag("cpu-quota"), "-1");
  EXPECT_EQ(cmd.invocation.containerId, "id");
  cmd = parse({"--log", "--debug", "list"});
  EXPECT_EQ(cmd.invocation.global.log, "--debug");
  EXPECT_FALSE(cmd.invocation.global.debug);
}

TEST(GrammarGoFormsTest, ValueContainingEqualsAndSpaces) {
  ParsedCommand cmd = parse({"exec", "--env", "A=1", "-e", "B=x y", "--env=C==", "-e=D=4", "id", "env"});
  EXPECT_EQ(cmd.invocation.flags.at("env"), (std::vector<std::string>{"A=1", "B=x y", "C==", "D=4"}));
}

TEST(GrammarGoFormsTest, ListFlagsKeepEveryValueInOrder) {
  ParsedCommand cmd =
      parse({"exec", "--cap", "CAP_B", "-c", "CAP_A", "--additional-gids", "10", "-g", "20", "id", "sh"});
  EXPECT_EQ(cmd.invocation.flags.at("cap"), (std::vector<std::string>{"CAP_B", "CAP_A"}));
  EXPECT_EQ(cmd.invocation.flags.at("additional-gids"), (std::vector<std::string>{"10", "20"}));
  EXPECT_EQ(cmd.invocation.flag("cap"), "CAP_A");
}

TEST(GrammarGoFormsTest, RepeatedValueFlagLastWins) {
  // Go's flag package (and runc) takes the last value: `runc --root a --root b
  // list` lists b; Invocation::flag() documents "last value".
  try {
    ParsedCommand cmd = parse({"--root", "/a", "--root", "/b", "list", "-f", "json", "-f", "table"});
    EXPECT_EQ(cmd.invocation.global.root, "/b");
    EXPECT_EQ(cmd.invocation.flag("format"), "table");
  } catch (const runphi::UsageError& e) {
    FAIL() << "a repeated Value flag is rejected, runc takes the last value: `runphi --root /a --root /b "
              "list` -> "
           << e.what() << " (Boost multiple_occurrences; parseFlags(), shim/oci_grammar.cpp)";
  }
}

TEST(GrammarGoFormsTest, RepeatedBoolFlagAccepted) {
  try {
    ParsedCommand cmd = parse({"--debug", "--debug", "delete", "-f", "--force", "id"});
    EXPECT_TRUE(cmd.invocation.global.debug);
    EXPECT_TRUE(cmd.invocation.flagSet("force"));
  } catch (const runphi::UsageError& e) {
    FAIL() << "a repeated bool flag is rejected, Go/runc accept it: `runphi --debug --debug ...` -> " << e.what()
           << " (parseFlags(), shim/oci_grammar.cpp)";
  }
}

TEST(GrammarGoFormsTest, EmptyValueAccepted) {
  // Go accepts `--pid-file ""` and `--log=` (an empty string value).
  std::vector<std::string> failures;
  for (const Args& args : {Args{"create", "--pid-file", "", "id"}, Args{"create", "--pid-file=", "id"},
                           Args{"--log=", "list"}, Args{"--log", "", "list"}}) {
    try {
      ParsedCommand cmd = parse(args);
      EXPECT_EQ(cmd.invocation.forwardArgs, args);
    } catch (const runphi::UsageError& e) {
      failures.push_back("`" + join(args) + "`: " + e.what());
    }
  }
  if (!failures.empty()) {
    std::string all;
    for (const std::string& f : failures) all += "\n  " + f;
    FAIL() << "an empty flag value is rejected (Go/runc accept it; Boost refuses the normalised "
              "\"--name=\" as empty_adjacent_parameter, splitArgs()/parseFlags(), shim/oci_grammar.cpp):"
           << all;
  }
}

// urfave/cli v1 (runc's CLI library) moves only the verb's *known* flags to
// the front; any other dash-token stays where it is, so after the first
// positional it is a positional: `runc kill <id> -9` parses (checked against
// runc 1.1.5), while `runc kill -9 <id>` is "flag provided but not defined".
TEST(GrammarGoFormsTest, UnknownDashTokenAfterFirstPositionalIsAPositional) {
  try {
    ParsedCommand cmd = parse({"kill", "x", "-9"});
    EXPECT_EQ(cmd.invocation.containerId, "x");
    EXPECT_EQ(cmd.invocation.args, (Args{"-9"}));
    cmd = parse({"kill", "x", "-SIGKILL", "--all"});
    EXPECT_TRUE(cmd.invocation.flagSet("all"));
    EXPECT_EQ(cmd.invocation.containerId, "x");
    EXPECT_EQ(cmd.invocation.args, (Args{"-SIGKILL"}));
  } catch (const runphi::UsageError& e) {
    FAIL() << "`runphi kill x -9` is rejected (" << e.what()
           << ") but runc 1.1 accepts it: urfave/cli's reorderArgs leaves unknown dash-tokens in place, so "
              "after the first positional they are positionals; splitArgs() in shim/oci_grammar.cpp rejects "
              "every unknown dash-token for verbs without flagsBeforeArgsOnly";
  }
}

TEST(GrammarGoFormsTest, UnknownDashTokenBeforeFirstPositionalIsAnError) {
  EXPECT_CONTAINS(usageError({"kill", "-9", "x"}), "-9");
  EXPECT_CONTAINS(usageError({"delete", "-x", "foo"}), "-x");
}

// --- exec and ps: flag parsing stops at the first positional ---

TEST(GrammarStopAtPositionalTest, ExecCommandKeepsItsFlags) {
  ParsedCommand cmd = parse({"exec", "id", "sh", "-c", "echo"});
  EXPECT_EQ(cmd.invocation.containerId, "id");
  EXPECT_EQ(cmd.invocation.args, (Args{"sh", "-c", "echo"}));
  EXPECT_TRUE(cmd.invocation.flags.empty());
}

TEST(GrammarStopAtPositionalTest, ExecFlagsAfterIdBelongToTheCommand) {
  ParsedCommand cmd = parse({"exec", "--tty", "id", "ls", "--tty", "-e", "X", "--nonexistent-flag"});
  EXPECT_EQ(cmd.invocation.flags.size(), 1u);
  EXPECT_TRUE(cmd.invocation.flagSet("tty"));
  EXPECT_EQ(cmd.invocation.args, (Args{"ls", "--tty", "-e", "X", "--nonexistent-flag"}));
}

TEST(GrammarStopAtPositionalTest, ExecWithProcessJsonHasNoCommand) {
  ParsedCommand cmd = parse({"exec", "-p", "/p.json", "-d", "id"});
  EXPECT_EQ(cmd.invocation.flag("process"), "/p.json");
  EXPECT_TRUE(cmd.invocation.flagSet("detach"));
  EXPECT_TRUE(cmd.invocation.args.empty());
}

TEST(GrammarStopAtPositionalTest, PsArgumentsLookLikeFlags) {
  ParsedCommand cmd = parse({"ps", "id", "-ef"});
  EXPECT_EQ(cmd.invocation.containerId, "id");
  EXPECT_EQ(cmd.invocation.args, (Args{"-ef"}));
  cmd = parse({"ps", "-f", "table", "id", "-o", "pid,comm", "--format"});
  EXPECT_EQ(cmd.invocation.flag("format"), "table");
  EXPECT_EQ(cmd.invocation.args, (Args{"-o", "pid,comm", "--format"}));
}

TEST(GrammarStopAtPositionalTest, ForwardArgsUntouched) {
  Args args = {"--root", "/r", "exec", "-t", "id", "sh", "-c", "echo 'a b'"};
  EXPECT_EQ(parse(args).invocation.forwardArgs, args);
}

// --- "--" ---

TEST(GrammarDoubleDashTest, EndsVerbFlags) {
  ParsedCommand cmd = parse({"kill", "--all", "--", "id", "9"});
  EXPECT_TRUE(cmd.invocation.flagSet("all"));
  EXPECT_EQ(cmd.invocation.containerId, "id");
  EXPECT_EQ(cmd.invocation.args, (Args{"9"}));

  cmd = parse({"kill", "--all", "--", "id", "--not-a-flag"});
  EXPECT_EQ(cmd.invocation.containerId, "id");
  EXPECT_EQ(cmd.invocation.args, (Args{"--not-a-flag"}));
  EXPECT_EQ(cmd.invocation.flags.size(), 1u);
  // create takes exactly one argument, as in runc.
  EXPECT_NE(std::string(usageError({"create", "--bundle", "/b", "--", "id", "--not-a-flag"})).find("too many"),
            std::string::npos);

  cmd = parse({"delete", "--", "--force"});
  EXPECT_EQ(cmd.invocation.containerId, "--force");
  EXPECT_FALSE(cmd.invocation.flagSet("force"));
}

TEST(GrammarDoubleDashTest, ExecAfterFlags) {
  ParsedCommand cmd = parse({"exec", "--detach", "--", "id", "sh", "-c", "x"});
  EXPECT_TRUE(cmd.invocation.flagSet("detach"));
  EXPECT_EQ(cmd.invocation.containerId, "id");
  EXPECT_EQ(cmd.invocation.args, (Args{"sh", "-c", "x"}));
}

TEST(GrammarDoubleDashTest, ForwardedVerbatim) {
  Args args = {"--root", "/r", "kill", "--", "id", "KILL"};
  ParsedCommand cmd = parse(args);
  EXPECT_EQ(cmd.invocation.forwardArgs, args);
  EXPECT_EQ(cmd.invocation.globalArgCount, 2u);
}

TEST(GrammarDoubleDashTest, EndsGlobalFlags) {
  // `runc --root R -- list` is accepted by runc (urfave/cli drops the "--").
  try {
    ParsedCommand cmd = parse({"--root", "/r", "--", "list"});
    EXPECT_EQ(cmd.invocation.verb, "list");
    EXPECT_EQ(cmd.invocation.global.root, "/r");
  } catch (const runphi::UsageError& e) {
    FAIL() << "`runphi --root /r -- list` is rejected (" << e.what()
           << "), runc accepts it; splitArgs() (shim/oci_grammar.cpp) treats \"--\" in the global flags as "
              "consuming the rest, so no verb is left";
  }
}

// --- forwardArgs and runphi's own flag ---

TEST(GrammarForwardTest, RunphiConfigRemovedSeparateValue) {
  ParsedCommand cmd = parse({"--runphi-config", "/etc/x.json", "--root", "/r", "state", "id"});
  EXPECT_EQ(cmd.invocation.global.runphiConfig, "/etc/x.json");
  EXPECT_EQ(cmd.invocation.forwardArgs, (Args{"--root", "/r", "state", "id"}));
  EXPECT_EQ(cmd.invocation.globalArgCount, 2u);
}

TEST(GrammarForwardTest, RunphiConfigRemovedInlineValue) {
  ParsedCommand cmd =
      parse({"--root", "/r", "--runphi-config=/etc/x.json", "--debug", "create", "--bundle", "/b", "id"});
  EXPECT_EQ(cmd.invocation.global.runphiConfig, "/etc/x.json");
  EXPECT_EQ(cmd.invocation.forwardArgs, (Args{"--root", "/r", "--debug", "create", "--bundle", "/b", "id"}));
  EXPECT_EQ(cmd.invocation.globalArgCount, 3u);
}

TEST(GrammarForwardTest, RunphiConfigSingleDashForms) {
  ParsedCommand cmd = parse({"-runphi-config", "/c", "list"});
  EXPECT_EQ(cmd.invocation.global.runphiConfig, "/c");
  EXPECT_EQ(cmd.invocation.forwardArgs, (Args{"list"}));
  EXPECT_EQ(cmd.invocation.globalArgCount, 0u);
  cmd = parse({"--log", "/l", "-runphi-config=/c", "list"});
  EXPECT_EQ(cmd.invocation.forwardArgs, (Args{"--log", "/l", "list"}));
  EXPECT_EQ(cmd.invocation.globalArgCount, 2u);
}

TEST(GrammarForwardTest, RunphiConfigLastInGlobals) {
  ParsedCommand cmd = parse({"--root", "/r", "--log", "/l", "--runphi-config", "/c", "delete", "--force", "id"});
  EXPECT_EQ(cmd.invocation.forwardArgs, (Args{"--root", "/r", "--log", "/l", "delete", "--force", "id"}));
  EXPECT_EQ(cmd.invocation.globalArgCount, 4u);
}

TEST(GrammarForwardTest, ValueThatLooksLikeRunphiConfigIsKept) {
  // The value of another flag is not runphi's flag.
  Args args = {"--log", "--runphi-config", "list"};
  ParsedCommand cmd = parse(args);
  EXPECT_EQ(cmd.invocation.global.log, "--runphi-config");
  EXPECT_EQ(cmd.invocation.global.runphiConfig, "");
  if (cmd.invocation.forwardArgs != args) {
    FAIL()
        << "the value of another global flag that starts with \"--runphi-config\" is "
           "stripped from forwardArgs (parseCommandLine(), shim/oci_grammar.cpp, re-scans tokens by prefix instead of "
           "using the split's flag boundaries): `runphi --log --runphi-config list` forwards `"
        << join(cmd.invocation.forwardArgs) << "`";
  }
  EXPECT_EQ(cmd.invocation.forwardArgs, args);
}

TEST(GrammarForwardTest, VerbPartNeverFiltered) {
  Args args = {"exec", "id", "tool", "--runphi-config", "x"};
  ParsedCommand cmd = parse(args);
  EXPECT_EQ(cmd.invocation.forwardArgs, args);
  EXPECT_EQ(cmd.invocation.global.runphiConfig, "");
}

TEST(GrammarForwardTest, GlobalArgCountSplitsForwardArgs) {
  Args args = {"--debug", "--root=/r", "-log", "/l", "--runphi-config", "/c", "--log-format", "json", "list", "-q"};
  ParsedCommand cmd = parse(args);
  const runphi::Invocation& inv = cmd.invocation;
  ASSERT_EQ(inv.globalArgCount, 6u);
  EXPECT_EQ(Args(inv.forwardArgs.begin(), inv.forwardArgs.begin() + 6),
            (Args{"--debug", "--root=/r", "-log", "/l", "--log-format", "json"}));
  EXPECT_EQ(Args(inv.forwardArgs.begin() + 6, inv.forwardArgs.end()), (Args{"list", "-q"}));
}

// --- version and help ---

TEST(GrammarActionTest, Version) {
  for (const Args& args : {Args{"--version"}, Args{"-v"}, Args{"-version"}, Args{"--root", "/r", "--version"},
                           Args{"--version", "list"}}) {
    SCOPED_TRACE(join(args));
    EXPECT_EQ(parse(args).action, Action::PrintVersion);
  }
}

TEST(GrammarActionTest, TopLevelHelp) {
  for (const Args& args : {Args{"--help"}, Args{"-h"}, Args{"help"}, Args{"--debug", "--help"}}) {
    SCOPED_TRACE(join(args));
    ParsedCommand cmd = parse(args);
    EXPECT_EQ(cmd.action, Action::PrintHelp);
    EXPECT_CONTAINS(cmd.helpText, "usage: runphi");
    for (const VerbSpec& v : runphi::verbs()) EXPECT_CONTAINS(cmd.helpText, std::string("  ") + v.name);
    for (const FlagSpec& f : runphi::globalFlags()) EXPECT_CONTAINS(cmd.helpText, std::string("--") + f.name);
  }
}

TEST(GrammarActionTest, VerbHelpInEveryForm) {
  for (const VerbSpec& v : runphi::verbs()) {
    if (std::string(v.name) == "help") continue;
    std::string expected;
    for (const Args& args : {Args{v.name, "--help"}, Args{v.name, "-h"}, Args{"help", v.name}, Args{"--help", v.name},
                             Args{v.name, "--help=true"}}) {
      SCOPED_TRACE(join(args));
      ParsedCommand cmd = parse(args);
      EXPECT_EQ(cmd.action, Action::PrintHelp);
      EXPECT_CONTAINS(cmd.helpText, std::string("usage: runphi ") + v.name);
      for (const FlagSpec& f : v.flags) EXPECT_CONTAINS(cmd.helpText, std::string("--") + f.name);
      if (expected.empty()) expected = cmd.helpText;
      EXPECT_EQ(cmd.helpText, expected);
    }
  }
}

TEST(GrammarActionTest, HelpNeedsNoContainerId) {
  ParsedCommand cmd = parse({"create", "--bundle", "/b", "--help"});
  EXPECT_EQ(cmd.action, Action::PrintHelp);
  EXPECT_CONTAINS(cmd.helpText, "usage: runphi create");
}

TEST(GrammarActionTest, HelpFalseIsNotHelp) {
  ParsedCommand cmd = parse({"state", "--help=false", "id"});
  EXPECT_EQ(cmd.action, Action::Execute);
  EXPECT_EQ(cmd.invocation.containerId, "id");
}

TEST(GrammarActionTest, HelpForUnknownTopicIsAnError) {
  std::string msg = usageError({"help", "frobnicate"});
  EXPECT_CONTAINS(msg, "frobnicate");
}

// --- errors ---

TEST(GrammarErrorTest, NoCommand) {
  EXPECT_CONTAINS(usageError({}), "no command");
  EXPECT_CONTAINS(usageError({"--root", "/r"}), "no command");
  EXPECT_CONTAINS(usageError({"--debug"}), "no command");
}

TEST(GrammarErrorTest, UnknownVerb) {
  std::string msg = usageError({"--root", "/r", "frobnicate", "id"});
  EXPECT_CONTAINS(msg, "unknown command");
  EXPECT_CONTAINS(msg, "\"frobnicate\"");
  EXPECT_CONTAINS(usageError({"CREATE", "id"}), "\"CREATE\"");
}

TEST(GrammarErrorTest, UnknownVerbFlag) {
  std::string msg = usageError({"create", "--nope", "id"});
  EXPECT_CONTAINS(msg, "--nope");
  EXPECT_CONTAINS(msg, "runphi create");
  EXPECT_CONTAINS(usageError({"create", "-x", "id"}), "-x");
  EXPECT_CONTAINS(usageError({"create", "id", "--nope=1"}), "--nope=1");
  // A flag of another verb is unknown here.
  EXPECT_CONTAINS(usageError({"start", "--force", "id"}), "--force");
  // A global flag after the verb is unknown, as in runc.
  EXPECT_CONTAINS(usageError({"list", "--root", "/r"}), "--root");
}

TEST(GrammarErrorTest, UnknownGlobalFlag) {
  std::string msg = usageError({"--nope", "list"});
  EXPECT_CONTAINS(msg, "--nope");
  EXPECT_CONTAINS(usageError({"--bundle", "/b", "create", "id"}), "--bundle");
}

TEST(GrammarErrorTest, MissingFlagValue) {
  std::string msg = usageError({"create", "id", "--bundle"});
  EXPECT_CONTAINS(msg, "--bundle");
  EXPECT_CONTAINS(msg, "argument");
  EXPECT_CONTAINS(usageError({"--root"}), "--root");
  EXPECT_CONTAINS(usageError({"list", "--format"}), "--format");
  EXPECT_CONTAINS(usageError({"exec", "--env"}), "--env");
  EXPECT_CONTAINS(usageError({"-log-format"}), "-log-format");
}

TEST(GrammarErrorTest, MissingContainerIdForEveryVerbThatNeedsOne) {
  for (const VerbSpec& v : runphi::verbs()) {
    if (v.id != IdArg::Required) continue;
    SCOPED_TRACE(v.name);
    std::string msg = usageError({"--root", "/r", v.name});
    EXPECT_CONTAINS(msg, "container id required");
    EXPECT_CONTAINS(msg, std::string("runphi ") + v.name);
  }
  EXPECT_CONTAINS(usageError({"create", "--bundle", "/b"}), "container id required");
  EXPECT_CONTAINS(usageError({"create", ""}), "container id required");
  EXPECT_CONTAINS(usageError({"kill", "--"}), "container id required");
}

TEST(GrammarErrorTest, BadLogFormat) {
  std::string msg = usageError({"--log-format", "xml", "list"});
  EXPECT_CONTAINS(msg, "\"xml\"");
  EXPECT_CONTAINS(msg, "log format");
  EXPECT_CONTAINS(usageError({"--log-format=JSON", "list"}), "\"JSON\"");
}

TEST(GrammarErrorTest, BadBoolValue) {
  std::string msg = usageError({"delete", "--force=maybe", "id"});
  EXPECT_CONTAINS(msg, "force");
  EXPECT_CONTAINS(msg, "maybe");
  EXPECT_CONTAINS(usageError({"--debug=maybe", "list"}), "debug");
}

TEST(GrammarErrorTest, AllAreUsageErrors) {
  // Nothing else escapes parseCommandLine for bad input.
  const std::vector<Args> bad = {{"-"},           {"---x", "list"}, {"create", "--bundle=", "--", "id"},
                                 {"--=", "list"}, {"list", "-="},   {"exec", "-"},
                                 {"--root=", ""}};
  for (const Args& args : bad) {
    SCOPED_TRACE(join(args));
    try {
      parse(args);
    } catch (const runphi::UsageError&) {
    } catch (const std::exception& e) {
      ADD_FAILURE() << "non-usage exception: " << e.what();
    }
  }
}

}  // namespace
