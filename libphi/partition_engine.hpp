// The lifecycle of partitioned containers: create, start, state, kill,
// delete, pause/resume and run, each a sequence of steps that undoes what it
// did when a later step fails.
#pragma once

#include <phi/config.hpp>
#include <phi/forwarding.hpp>
#include <phi/invocation.hpp>
#include <phi/log.hpp>

#include "state_store.hpp"

#include <string>

namespace phi {

// Exit statuses of the container process (runphi-monitor).
inline constexpr int kExitShutdown = 0;     // the guest shut down or powered off
inline constexpr int kExitCrashed = 134;    // the guest crashed
inline constexpr int kExitDestroyed = 137;  // destroyed (SIGKILL, delete --force, vanished)

class PartitionEngine {
 public:
  PartitionEngine(const RuntimeConfig& config, Logger& log, const Invocation& inv);

  void create(const RouteDecision& why);
  // `restore`: like create, but the guest comes back running from a checkpoint.
  void restore(const RouteDecision& why);
  void checkpoint();
  void start();
  int run(const RouteDecision& why);  // create + start; waits unless --detach
  void kill();
  void remove();              // `delete`
  std::string state();        // `state` output (runc's JSON)
  std::string guestStatus();  // `guest-status` output for the monitor
  void pause();
  void resume();

 private:
  struct Loaded;
  void createFrom(const RouteDecision& why, const std::string& checkpointDir);
  Loaded load(bool tolerant);
  void refresh(Loaded& p);
  void destroyPartition(Loaded& p, int exitStatus);
  void pokeMonitor(const ContainerRecord& r);
  void stopMonitor(const ContainerRecord& r);
  std::string stateJson(const ContainerRecord& r) const;

  const RuntimeConfig& config_;
  Logger& log_;
  const Invocation& inv_;
  StateStore store_;
  std::string id_;
};

}  // namespace phi
