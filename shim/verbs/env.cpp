// `runphi env`: the configuration as runphi resolved it, as JSON on stdout
// (indented like runc's `state`): every runphi.json setting with its default
// filled in and an installed template's name turned into its path, then
// what was found where. Something not found is a string "error" member of
// its object, never a failed call.
#include "cli.hpp"
#include "runc_locator.hpp"

#include <phi/error.hpp>
#include <phi/platform.hpp>
#include <phi/version.hpp>

#include "toolkit/json.hpp"

#include <json/reader.h>

#include <sstream>

namespace runphi {

namespace {

// Go's json.MarshalIndent(v, "", "  "), the shape runc's `state` prints.
void writeIndented(const Json::Value& v, const std::string& indent, std::string& out) {
  const bool object = v.isObject();
  if ((!object && !v.isArray()) || v.empty()) {
    if (object)
      out += "{}";
    else if (v.isArray())
      out += "[]";
    else
      out += phi::toCompactJson(v);
    return;
  }
  const std::string inner = indent + "  ";
  out += object ? "{\n" : "[\n";
  bool first = true;
  auto member = [&](const std::string* name, const Json::Value& child) {
    out += std::string(first ? "" : ",\n") + inner;
    first = false;
    if (name) out += phi::toCompactJson(Json::Value(*name)) + ": ";
    writeIndented(child, inner, out);
  };
  if (object) {
    for (const std::string& name : v.getMemberNames()) member(&name, v[name]);
  } else {
    for (const Json::Value& child : v) member(nullptr, child);
  }
  out += "\n" + indent + (object ? "}" : "]");
}

}  // namespace

int envVerb(Cli& cli) {
  const phi::RuntimeOptions& o = cli.runtime.options();
  Json::Value env(Json::objectValue);
  env["version"] = PHI_VERSION_STRING;
  Json::Value& file = env["config_file"];
  file["path"] = phi::RuntimeOptions::configPath(cli.inv.global.runphiConfig);
  file["exists"] = !o.sourcePath().empty();

  Json::Value config;
  std::istringstream in(o.toJson());
  Json::parseFromStream(Json::CharReaderBuilder(), in, &config, nullptr);
  env["config"] = config;
  env["runc_root"] = o.runcRoot();

  Json::Value& driver = env["driver"];
  driver["name"] = o.backend();
  driver["search_path"] = Json::Value(Json::arrayValue);
  for (const std::string& dir : cli.runtime.drivers().searchPath()) driver["search_path"].append(dir);
  if (!o.backend().empty()) {
    try {
      phi::DriverInfo info = cli.runtime.drivers().info(o.backend());
      driver["path"] = info.path();
      driver["abi_version"] = info.abiVersion();
    } catch (const phi::Error& e) {
      driver["error"] = e.what();
    }
  }

  Json::Value& platform = env["platform"];
  platform["path"] = o.platformTemplate();
  if (!o.platformTemplate().empty()) {
    try {
      platform["name"] = phi::loadPlatformTemplate(o.platformTemplate()).name();
    } catch (const phi::Error& e) {
      platform["error"] = e.what();
    }
  }

  Json::Value& runc = env["runc"];
  try {
    runc["path"] = locateRunc(o.runcPath());
  } catch (const phi::Error& e) {
    runc["error"] = e.what();
  }

  std::string text;
  writeIndented(env, "", text);
  return print(cli, text + "\n");
}

}  // namespace runphi
