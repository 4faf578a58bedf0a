// One OCI runtime call as the runphi CLI parsed it, with the original
// arguments kept so a forwarded call reaches runc exactly as it was typed.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace runphi {

// runc's global flags.
struct GlobalOptions {
  std::string root;                // --root; empty = runc's default
  std::string log;                 // --log
  std::string logFormat = "text";  // --log-format text|json
  bool debug = false;              // --debug
  bool systemdCgroup = false;      // --systemd-cgroup
  std::string criu;                // --criu
  std::string rootless;            // --rootless true|false|auto
  std::string runphiConfig;        // --runphi-config (runphi only, never forwarded)
};

struct Invocation {
  GlobalOptions global;
  std::string verb;         // "create", "state", ...
  std::string containerId;  // empty for verbs without one (list, spec, features)
  // The verb's flags by long name; a repeated flag keeps every value in order,
  // a boolean flag holds "true" or "false".
  std::map<std::string, std::vector<std::string>> flags;
  std::vector<std::string> args;  // positionals after the container id
  // argv[0] as runphi was called; runc gets the same (it prints it in usage
  // text, so a forwarded call must look as if runc had been called).
  std::string argv0;
  // argv[1..] minus runphi-only flags: what runc receives when forwarded.
  std::vector<std::string> forwardArgs;
  // How many of forwardArgs are global flags (they precede the verb).
  size_t globalArgCount = 0;

  // Last value of a flag, or `fallback` when absent.
  std::string flag(const std::string& name, const std::string& fallback = {}) const {
    auto it = flags.find(name);
    return it == flags.end() || it->second.empty() ? fallback : it->second.back();
  }
  bool flagSet(const std::string& name) const {
    auto it = flags.find(name);
    return it != flags.end() && !it->second.empty() && it->second.back() != "false";
  }
};

}  // namespace runphi
