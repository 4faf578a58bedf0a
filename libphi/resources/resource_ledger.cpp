#include "resources/resource_ledger.hpp"

#include <phi/error.hpp>

#include <phi/driver/files.hpp>

#include "resources/allocation_json.hpp"
#include "resources/resource_manager.hpp"
#include "runtime/state_store.hpp"
#include "toolkit/file_lock.hpp"
#include "toolkit/json.hpp"

#include <sys/stat.h>

#include <filesystem>

namespace phi {

ResourceLedger::ResourceLedger(const std::string& stateRoot, PlatformTemplate platform)
    : platform_(std::move(platform)),
      dir_(stateRoot + "/resources"),
      path_(dir_ + "/" + escapePathComponent(platform_.name()) + ".json"),
      lockPath_(dir_ + "/" + escapePathComponent(platform_.name()) + ".lock") {}

std::map<std::string, Allocation> ResourceLedger::read() const {
  std::map<std::string, Allocation> records;
  Json::Value root;
  try {
    root = readJsonFile(path_);
  } catch (const Error& e) {
    if (e.code() == ErrorCode::NotFound) return records;
    throw;
  }
  if (!root.isObject() || root["platform"].asString() != platform_.name() || !root["allocations"].isObject()) {
    throw Error(ErrorCode::ParseError, path_ + ": not a resource ledger for platform \"" + platform_.name() + "\"");
  }
  for (const std::string& owner : root["allocations"].getMemberNames()) {
    records[owner] = allocationFromJson(root["allocations"][owner], path_ + " (" + owner + ")");
  }
  return records;
}

void ResourceLedger::write(const std::map<std::string, Allocation>& records) const {
  Json::Value root(Json::objectValue);
  root["platform"] = platform_.name();
  root["allocations"] = Json::Value(Json::objectValue);
  for (const auto& [owner, a] : records) root["allocations"][owner] = allocationToJson(a);
  writeFileAtomically(path_, toCompactJson(root) + "\n");
}

namespace {

void ensureDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw Error(ErrorCode::IoError, "cannot create " + dir + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);
}

// Managers with every record claimed; also proves no resource is held twice.
std::vector<std::unique_ptr<ResourceManager>> claimedManagers(const PlatformTemplate& platform,
                                                              const std::map<std::string, Allocation>& records) {
  auto managers = makeResourceManagers(platform);
  for (const auto& [owner, a] : records) {
    for (auto& m : managers) {
      try {
        m->claim(a);
      } catch (const Error& e) {
        throw e.wrap("resource ledger record of " + owner);
      }
    }
  }
  return managers;
}

}  // namespace

Allocation ResourceLedger::allocate(const std::string& owner, const PartitionRequest& request,
                                    const std::function<HeldByHypervisor()>& held) {
  ensureDir(dir_);
  FileLock lock(lockPath_);
  auto records = read();
  if (records.count(owner)) throw Error(ErrorCode::AlreadyExists, owner + " already holds resources");
  auto managers = claimedManagers(platform_, records);
  // Asked under the lock, after the records are claimed: a partition another
  // runphi is creating is already in them.
  if (held) {
    const HeldByHypervisor inUse = held();
    for (auto& m : managers) m->skipHeld(inUse);
  }
  Allocation a;
  for (auto& m : managers) m->allocate(request, owner, a);  // a throw leaves the ledger untouched
  records[owner] = a;
  write(records);
  return a;
}

bool ResourceLedger::release(const std::string& owner) {
  ensureDir(dir_);
  FileLock lock(lockPath_);
  auto records = read();
  if (!records.erase(owner)) return false;
  write(records);
  return true;
}

std::optional<Allocation> ResourceLedger::find(const std::string& owner) const {
  auto records = allocations();
  auto it = records.find(owner);
  if (it == records.end()) return std::nullopt;
  return it->second;
}

std::map<std::string, Allocation> ResourceLedger::allocations() const {
  ensureDir(dir_);
  FileLock lock(lockPath_);
  return read();
}

FreeResources ResourceLedger::freeResources() const {
  return freeResources(allocations());
}

FreeResources ResourceLedger::freeResources(const std::map<std::string, Allocation>& records) const {
  FreeResources out;
  for (const auto& m : claimedManagers(platform_, records)) m->reportFree(out);
  return out;
}

}  // namespace phi
