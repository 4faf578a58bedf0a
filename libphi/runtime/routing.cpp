#include <phi/error.hpp>
#include <phi/routing.hpp>

#include "model/value_class.hpp"
#include "sdk/rootfs_path.hpp"
#include "toolkit/json.hpp"

namespace phi {
inline namespace v1 {

struct RouteDecision::Impl {
  Route route;
  std::string reason, warning;
};

RouteDecision::RouteDecision(Route route, std::string reason, std::string warning)
    : impl_(std::make_unique<Impl>(Impl{route, std::move(reason), std::move(warning)})) {}
PHI_VALUE_CLASS_MEMBERS(RouteDecision)
PHI_GETTER(RouteDecision, Route, route, route)
PHI_GETTER(RouteDecision, const std::string&, reason, reason)
PHI_GETTER(RouteDecision, const std::string&, warning, warning)

namespace {
// A bundle config.json larger than this is not read to route it (runc has no
// limit; such a bundle goes to runc unless its rootfs is a ZIC's).
constexpr std::size_t kMaxRoutedConfigBytes = std::size_t{16} << 20;
}  // namespace

RouteDecision decideCreate(const std::string& bundleDir) {
  std::string bundle = bundleDir.empty() ? "." : bundleDir;
  std::string configPath = bundle + "/config.json";
  // Read the way runc reads it, so no bundle runc accepts is refused here.
  Json::Value config;
  try {
    config = readJsonFile(configPath, DuplicateKeys::LastWins, kMaxRoutedConfigBytes);
  } catch (const Error& e) {
    if (e.code() == ErrorCode::NotFound) throw;
    // Deeper or larger than runphi reads, or malformed: runc parses what it
    // parses and gives its own error. Only a bundle that looks like a ZIC by
    // the conventional rootfs stays here, with runphi's error.
    if (regularFileInRootfs(bundle + "/rootfs", kZicConfigPath)) throw;
    return {Route::Runc, std::string("runphi cannot read ") + configPath + " (" + e.what() + "); left to runc", {}};
  }
  if (!config.isObject()) throw Error(ErrorCode::ParseError, configPath + ": top level must be a JSON object");

  std::string warning;
  const Json::Value& annotations = config["annotations"];
  if (annotations.isObject() && annotations.isMember(kRuntimeAnnotation)) {
    const Json::Value& value = annotations[kRuntimeAnnotation];
    std::string v = value.isString() ? value.asString() : "";
    if (v == "runphi") return {Route::Runphi, std::string("annotation ") + kRuntimeAnnotation + "=runphi", {}};
    if (v == "runc") return {Route::Runc, std::string("annotation ") + kRuntimeAnnotation + "=runc", {}};
    warning = configPath + ": annotation " + kRuntimeAnnotation + " is " + toCompactJson(value) +
              ", expected \"runphi\" or \"runc\"; deciding by the rootfs instead";
  }

  const Json::Value& root = config["root"];
  if (!root.isObject() || !root["path"].isString() || root["path"].asString().empty()) {
    // No rootfs: nothing partitioned to run; runc gives its own error.
    return {Route::Runc, "no root.path in " + configPath, warning};
  }
  std::string rootfs = root["path"].asString();
  if (rootfs.front() != '/') rootfs = bundle + "/" + rootfs;
  try {
    if (regularFileInRootfs(rootfs, kZicConfigPath)) {
      return {Route::Runphi, rootfs + "/" + kZicConfigPath + " exists", warning};
    }
  } catch (const Error& e) {
    if (e.code() != ErrorCode::NotFound) throw;
  }
  return {Route::Runc, std::string("no ") + kZicConfigPath + " in rootfs " + rootfs, warning};
}

}  // namespace v1
}  // namespace phi
