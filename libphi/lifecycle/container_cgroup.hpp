// The cgroup the OCI spec asks for (linux.cgroupsPath), for the container
// process of a partitioned container: engines read a container's figures
// from its cgroup, so it must not sit in runphi's caller's. Both the
// cgroupfs form ("/a/b") and the systemd form ("slice:prefix:name", laid
// out as systemd would, without asking systemd) are understood, under every
// mounted cgroup v1 hierarchy and the cgroup v2 one.
#pragma once

#include <phi/log.hpp>

#include <sys/types.h>

#include <string>
#include <vector>

namespace phi {

// The directories (one per mounted hierarchy) for `cgroupsPath`, read from
// `mountinfo`; none for an empty path. Throws phi::Error for a malformed
// systemd form.
std::vector<std::string> cgroupDirsFor(const std::string& cgroupsPath,
                                       const std::string& mountinfo = "/proc/self/mountinfo");

// The systemd form's path below a hierarchy's root: "system.slice:runphi:x"
// is "system.slice/runphi-x.scope", "a-b.slice:p:n" "a.slice/a-b.slice/p-n.scope".
std::string systemdCgroupPath(const std::string& cgroupsPath);

// Creates each directory (cpuset v1: with its parent's cpus and mems) and
// moves `pid` into it. Throws phi::Error naming the file that failed.
void joinCgroups(pid_t pid, const std::vector<std::string>& dirs);

// Where create records the directories, in the state directory.
inline constexpr const char* kCgroupsFile = "cgroups";
// linux.cgroupsPath of the spec copy in `stateDir` ("" when none).
std::string recordedCgroupsPath(const std::string& stateDir);
// The directories create recorded (none when it recorded none).
std::vector<std::string> recordedCgroups(const std::string& stateDir);
void recordCgroups(const std::string& stateDir, const std::vector<std::string>& dirs);

// Removes the directories runphi made (deepest first); warns on failure.
void removeCgroups(const std::vector<std::string>& dirs, const Logger& log);

}  // namespace phi
