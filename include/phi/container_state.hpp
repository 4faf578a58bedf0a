// What a partitioned container is doing, as libphi records it: a typed status
// with the transitions the lifecycle allows, and the runc-shaped JSON.
#pragma once

#include <phi/export.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>

namespace phi {
inline namespace v1 {

enum class Status { Creating, Created, Running, Paused, Stopped };

// "creating", "created", "running", "paused", "stopped": runc's words. since 0.2
PHI_API const char* statusName(Status status) noexcept;
PHI_API std::optional<Status> parseStatus(const std::string& text) noexcept;  // since 0.2

// The lifecycle's rules, in one place.                                since 0.2
PHI_API bool canStart(Status s) noexcept;               // created
PHI_API bool canKill(Status s) noexcept;                // created, running, paused
PHI_API bool canDelete(Status s, bool force) noexcept;  // anything but running/paused, unless forced
PHI_API bool canPause(Status s) noexcept;               // running
PHI_API bool canResume(Status s) noexcept;              // paused
PHI_API bool canCheckpoint(Status s) noexcept;          // running, paused

// How ContainerState::toJson renders.
enum class StateFormat {
  Runc,  // `runc state`: indented, ociVersion id pid status bundle rootfs created [annotations] owner
  Oci,   // the OCI state hooks read on stdin: one line, ociVersion id status pid bundle annotations
};

class PHI_API ContainerState {
 public:
  ContainerState();
  ~ContainerState();
  ContainerState(const ContainerState&);
  ContainerState& operator=(const ContainerState&);
  ContainerState(ContainerState&&) noexcept;
  ContainerState& operator=(ContainerState&&) noexcept;

  const std::string& id() const noexcept;
  Status status() const noexcept;
  // The container process (runphi-monitor); 0 once stopped (as runc reports).
  int pid() const noexcept;
  const std::string& bundle() const noexcept;
  const std::string& rootfs() const noexcept;
  const std::string& created() const noexcept;  // RFC 3339 with nanoseconds
  const std::string& owner() const noexcept;
  const std::map<std::string, std::string>& annotations() const noexcept;
  // The partition in the hypervisor and the driver that made it.
  const std::string& partitionName() const noexcept;
  const std::string& backend() const noexcept;
  // The container process's exit status once stopped.
  std::optional<int> exitStatus() const noexcept;

  bool canStart() const noexcept { return phi::canStart(status()); }
  bool canKill() const noexcept { return phi::canKill(status()); }
  bool canDelete(bool force = false) const noexcept { return phi::canDelete(status(), force); }
  bool canPause() const noexcept { return phi::canPause(status()); }
  bool canResume() const noexcept { return phi::canResume(status()); }
  bool canCheckpoint() const noexcept { return phi::canCheckpoint(status()); }

  // The state as runc renders it (`runc state`, with its trailing newline)
  // or as OCI hooks receive it.                                        since 0.2
  std::string toJson(StateFormat format = StateFormat::Runc) const;

  struct Impl;
  PHI_LOCAL explicit ContainerState(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace v1
}  // namespace phi
