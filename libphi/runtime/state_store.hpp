// runphi's per-container state on disk. Each runc --root gets its own
// directory under the state root, so containerd namespaces never collide:
//   <state_root>/<escaped runc root>/<escaped container id>/state.json
#pragma once

#include <phi/container_state.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace phi {

// What libphi records of a container it manages; ContainerState shows it.
struct ContainerRecord {
  std::string id;
  int pid = 0;
  Status status = Status::Creating;
  std::string bundle;
  std::string rootfs;
  std::string created;  // RFC 3339 with nanoseconds, as runc prints it
  std::string owner;
  std::map<std::string, std::string> annotations;

  // Partitioned containers: what later calls need to find the partition
  // again, even if the bundle is gone.
  std::string partitionName;
  std::string backend;
  std::string platformPath;
  int exitStatus = -1;                      // the container process's status once stopped
  unsigned long long monitorStartTime = 0;  // /proc/<pid>/stat start time: recognises the monitor
  // The process that made it and can wait(2) for its container process.
  int creatorPid = 0;
};

// runc's default --root.
inline constexpr const char* kRuncDefaultRoot = "/run/runc";

// Percent-escapes every byte outside [A-Za-z0-9._-] (and a leading '.') so
// any string becomes one safe path component.
std::string escapePathComponent(const std::string& text);

// `runcRoot` as runc resolves --root: absolute, lexically clean.
std::string normalizeRuncRoot(const std::string& runcRoot);

// True when runc accepts `id` as a container id (runc 1.1's validateID):
// only [A-Za-z0-9_+,.-], and not "." or ".." (no path it would clean).
bool isValidContainerId(const std::string& id);

class StateStore {
 public:
  StateStore(std::string stateRoot, const std::string& runcRoot);

  const std::string& directory() const { return dir_; }
  std::string containerDir(const std::string& id) const;

  bool holds(const std::string& id) const;
  // Creates the container's directory (mode 0700); AlreadyExists if taken.
  void claim(const std::string& id);
  // The container's key in host-wide records (resource ledger): unique
  // across runc roots.
  std::string ownerKey(const std::string& id) const;
  // True when the container directory of ledger owner `owner` (of any runc
  // root under this state root) no longer exists: its records are stale.
  bool ownerGone(const std::string& owner) const;
  std::optional<ContainerRecord> load(const std::string& id) const;
  // Sorted by id; records that cannot be read are skipped, their errors
  // appended to `unreadable` when given.
  std::vector<ContainerRecord> list(std::vector<std::string>* unreadable = nullptr) const;
  void save(const ContainerRecord& record);  // atomic; directories mode 0700
  void remove(const std::string& id);        // idempotent

 private:
  // The state root (0700) and this runc root's directory under it.
  void makeRootDirs() const;

  std::string dir_;
  std::string rootKey_;
};

}  // namespace phi
