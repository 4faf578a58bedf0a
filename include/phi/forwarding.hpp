// Who handles a call: runphi itself (a partitioned container) or the real runc.
#pragma once

#include <phi/export.hpp>

#include <string>

namespace phi {

enum class Route { Runphi, Runc };

struct RouteDecision {
  Route route = Route::Runc;
  std::string reason;   // one line for the log, e.g. "annotation org.runphi.runtime=runc"
  std::string warning;  // set when the bundle asked for something that was ignored
};

// The annotation that forces a route at create: "runphi" or "runc".
inline constexpr const char* kRuntimeAnnotation = "org.runphi.runtime";
// A rootfs holding this file is a partitioned container (ZIC).
inline constexpr const char* kZicConfigPath = "boot/config.json";

// Route of a `create`/`run` for the bundle at `bundleDir`: the annotation wins,
// else the presence of <rootfs>/boot/config.json. An annotation with any other
// value is ignored with a warning, as in runPHI. Throws phi::Error when the
// bundle's config.json is unreadable or malformed.
PHI_API RouteDecision decideCreate(const std::string& bundleDir);

}  // namespace phi
