// One partitioned container: the OCI lifecycle verbs on a handle that
// Runtime::create, find or open returns. Every call loads the container's
// state from disk under its lock, brings it up to date with the hypervisor
// where the verb needs it, acts, and saves it; a handle holds no lock
// between calls, so other processes (the runphi CLI, containerd) may act on
// the same container in between.
#pragma once

#include <phi/container_state.hpp>
#include <phi/export.hpp>
#include <phi/signal.hpp>

#include <memory>
#include <string>

namespace phi {
inline namespace v1 {

class PHI_API KillOptions {
 public:
  KillOptions();  // since 0.2
  ~KillOptions();
  KillOptions(const KillOptions&);
  KillOptions& operator=(const KillOptions&);
  KillOptions(KillOptions&&) noexcept;
  KillOptions& operator=(KillOptions&&) noexcept;

  // runc's --all: a container that is no longer running is not an error.
  bool all() const noexcept;
  KillOptions& setAll(bool all);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class PHI_API RemoveOptions {
 public:
  RemoveOptions();  // since 0.2
  ~RemoveOptions();
  RemoveOptions(const RemoveOptions&);
  RemoveOptions& operator=(const RemoveOptions&);
  RemoveOptions(RemoveOptions&&) noexcept;
  RemoveOptions& operator=(RemoveOptions&&) noexcept;

  // runc's --force: a running or paused container is destroyed, and what
  // cannot be read of a broken container is skipped.
  bool force() const noexcept;
  RemoveOptions& setForce(bool force);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class PHI_API CheckpointOptions {
 public:
  explicit CheckpointOptions(std::string imagePath);  // since 0.2
  ~CheckpointOptions();
  CheckpointOptions(const CheckpointOptions&);
  CheckpointOptions& operator=(const CheckpointOptions&);
  CheckpointOptions(CheckpointOptions&&) noexcept;
  CheckpointOptions& operator=(CheckpointOptions&&) noexcept;

  const std::string& imagePath() const noexcept;  // created if missing
  // Without it the container stops once saved (exit status 0), as runc's.
  bool leaveRunning() const noexcept;
  CheckpointOptions& setLeaveRunning(bool leave);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class PHI_API Container {
 public:
  ~Container();
  Container(Container&&) noexcept;
  Container& operator=(Container&&) noexcept;
  Container(const Container&) = delete;
  Container& operator=(const Container&) = delete;

  const std::string& id() const noexcept;

  // The state, refreshed from the hypervisor: a guest that shut down or
  // crashed is reported stopped with its exit status.                  since 0.2
  ContainerState state();
  // The state as last recorded, without asking the hypervisor.         since 0.2
  ContainerState recordedState() const;

  // created -> running; startContainer hooks before, poststart after.  since 0.2
  void start();
  // See Signal::asksShutdown. A created, never started partition is
  // destroyed and ends with 128 + the signal. Signal 0 only checks that
  // the container can be signalled.                                    since 0.2
  void kill(Signal signal, const KillOptions& options = {});
  // `delete`: destroys the partition, stops the container process, runs
  // poststop hooks, gives the resources back and removes the state. The
  // handle is unusable afterwards.                                     since 0.2
  void remove(const RemoveOptions& options = {});
  void pause();   // running -> paused; NotSupported when the driver cannot.  since 0.2
  void resume();  // paused -> running.                                       since 0.2
  void checkpoint(const CheckpointOptions& options);  // since 0.2

  // Waits until the container process has exited and returns its exit
  // status (128 + N for a signal). Only the process that created the
  // container can wait for it; others get NotSupported.               since 0.2
  int wait();

  struct Impl;
  PHI_LOCAL explicit Container(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace v1
}  // namespace phi
