// The lifecycle verbs of partitioned containers, one file each
// (create.cpp, start.cpp, ...). Each loads the container under its lock,
// checks the transition, acts through the driver, and saves the record;
// a multi-step verb undoes what it did when a later step fails.
#pragma once

#include <phi/container.hpp>
#include <phi/create_request.hpp>
#include <phi/signal.hpp>

#include "lifecycle/runtime_env.hpp"
#include "runtime/state_store.hpp"

#include <string>

namespace phi::lifecycle {

// create/restore: `checkpointDir` empty for a new guest.
ContainerRecord create(RuntimeEnv& env, const CreateRequest& request, const std::string& checkpointDir);
void start(RuntimeEnv& env, const std::string& id);
void kill(RuntimeEnv& env, const std::string& id, Signal signal, const KillOptions& options);
void remove(RuntimeEnv& env, const std::string& id, const RemoveOptions& options);
void pause(RuntimeEnv& env, const std::string& id);
void resume(RuntimeEnv& env, const std::string& id);
void checkpoint(RuntimeEnv& env, const std::string& id, const CheckpointOptions& options);
// The record, brought up to date with the hypervisor when `ask`.
ContainerRecord state(RuntimeEnv& env, const std::string& id, bool ask);

}  // namespace phi::lifecycle
