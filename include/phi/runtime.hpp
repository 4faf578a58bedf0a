// The OCI lifecycle entry point: one call per runphi invocation.
#pragma once

#include <phi/config.hpp>
#include <phi/export.hpp>
#include <phi/forwarding.hpp>
#include <phi/invocation.hpp>
#include <phi/log.hpp>

#include <memory>

namespace phi {

class PHI_API Runtime {
 public:
  Runtime(RuntimeConfig config, Logger& logger);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  // Who handles `inv`; see docs/architecture.md for the rules.
  RouteDecision route(const Invocation& inv) const;

  // Carries out `inv` and returns the exit status for the process. A call
  // routed to runc replaces the current process with runc and does not
  // return. Throws phi::Error on failure.
  int execute(const Invocation& inv);

  // The runc binary forwarded calls go to (configured path, else `runc` on
  // PATH, never this program itself).
  std::string runcBinary() const;

  // `runphi --version`: three lines that containerd's go-runc parser reads
  // ("runc version ...", "commit: ...", "spec: ..."), naming runphi and the
  // configured backend.
  std::string versionReport() const;

  const RuntimeConfig& config() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace phi
