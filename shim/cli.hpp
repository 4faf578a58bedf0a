// One call of the runphi CLI: the parsed command line, the libphi runtime it
// drives, and where its output goes. Each verb maps its flags onto one typed
// libphi call (verbs/*.cpp); only the CLI prints, forwards to runc or exits.
#pragma once

#include "invocation.hpp"

#include <phi/log.hpp>
#include <phi/routing.hpp>
#include <phi/runtime.hpp>

#include <cstdio>
#include <string>

namespace runphi {

struct Cli {
  const Invocation& inv;
  phi::Runtime& runtime;
  phi::Logger log;
  std::FILE* out = stdout;
};

// Who handles the call; see docs/architecture.md for the rules.
phi::RouteDecision route(const Cli& cli);

// Routes and carries out the call; returns the exit status. A call routed
// to runc replaces this process with runc and does not return. Throws
// phi::Error on failure.
int dispatch(Cli& cli);

// `runphi --version`: the three lines containerd's go-runc parser reads
// ("runc version ...", "commit: ...", "spec: ..."; old versions want exactly
// three), naming runphi, the configured backend and forwardingReport.
std::string versionReport(const phi::RuntimeOptions& options);
// "forwards to: <runc> <its version>" (or "forwards to: no runc"): the runc
// that calls for other containers go to.
std::string forwardingReport(const phi::RuntimeOptions& options);

// The verbs a partitioned container answers (verbs/*.cpp).
int createVerb(Cli& cli);       // create
int runVerb(Cli& cli);          // run: create + start, waits unless --detach
int restoreVerb(Cli& cli);      // restore
int startVerb(Cli& cli);        // start
int stateVerb(Cli& cli);        // state
int guestStatusVerb(Cli& cli);  // guest-status (runphi's own)
int killVerb(Cli& cli);         // kill
int deleteVerb(Cli& cli);       // delete
int pauseVerb(Cli& cli);        // pause
int resumeVerb(Cli& cli);       // resume
int checkpointVerb(Cli& cli);   // checkpoint
int eventsVerb(Cli& cli);       // events --stats: the partition's figures
// runphi's own, about the host rather than a container.
int checkVerb(Cli& cli);  // check: ok/fail per part of the setup, exit 1 if any failed
int envVerb(Cli& cli);    // env: the resolved configuration as JSON
// list: runc's containers and runphi's, merged (runc's own output when
// runphi holds none).
int listVerb(Cli& cli);

// Writes `text` to the call's stdout; the exit status of a verb that printed.
int print(Cli& cli, const std::string& text);

}  // namespace runphi
