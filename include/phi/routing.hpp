// Who handles a call: runphi itself (a partitioned container) or the real
// runc. The runphi CLI asks before every call; an embedder may ask too.
#pragma once

#include <phi/export.hpp>

#include <memory>
#include <string>

namespace phi {
inline namespace v1 {

enum class Route { Runphi, Runc };

class PHI_API RouteDecision {
 public:
  RouteDecision(Route route, std::string reason, std::string warning = {});
  ~RouteDecision();
  RouteDecision(const RouteDecision&);
  RouteDecision& operator=(const RouteDecision&);
  RouteDecision(RouteDecision&&) noexcept;
  RouteDecision& operator=(RouteDecision&&) noexcept;

  Route route() const noexcept;
  // One line for the log, e.g. "annotation org.runphi.runtime=runc".
  const std::string& reason() const noexcept;
  // Set when the bundle asked for something that was ignored.
  const std::string& warning() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The annotation that forces a route at create: "runphi" or "runc".
inline constexpr const char* kRuntimeAnnotation = "org.runphi.runtime";
// A rootfs holding this file is a partitioned container (ZIC).
inline constexpr const char* kZicConfigPath = "boot/config.json";

// Route of a `create`/`run` for the bundle at `bundleDir`: the annotation wins,
// else the presence of <rootfs>/boot/config.json (resolved inside the rootfs).
// An annotation with any other value is ignored with a warning. Throws
// phi::Error when the bundle's config.json is unreadable or malformed.  since 0.1
PHI_API RouteDecision decideCreate(const std::string& bundleDir);

}  // namespace v1
}  // namespace phi
