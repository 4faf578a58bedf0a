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
#include <set>

namespace phi {

ResourceLedger::ResourceLedger(const std::string& stateRoot, PlatformTemplate platform)
    : platform_(std::move(platform)),
      dir_(stateRoot + "/resources"),
      path_(dir_ + "/" + escapePathComponent(platform_.name()) + ".json"),
      lockPath_(dir_ + "/" + escapePathComponent(platform_.name()) + ".lock") {}

ResourceLedger::Contents ResourceLedger::read() const {
  Contents contents;
  std::map<std::string, Allocation>& records = contents.records;
  Json::Value root;
  try {
    root = readJsonFile(path_, DuplicateKeys::Reject, kMaxLedgerBytes);
  } catch (const Error& e) {
    if (e.code() == ErrorCode::NotFound) return contents;
    throw;
  }
  if (!root.isObject() || root["platform"].asString() != platform_.name() || !root["allocations"].isObject()) {
    throw Error(ErrorCode::ParseError, path_ + ": not a resource ledger for platform \"" + platform_.name() + "\"");
  }
  for (const std::string& owner : root["allocations"].getMemberNames()) {
    records[owner] = allocationFromJson(root["allocations"][owner], path_ + " (" + owner + ")");
  }
  const Json::Value& names = root["partition_names"];
  if (names.isObject()) {
    for (const std::string& owner : names.getMemberNames()) {
      if (records.count(owner) && names[owner].isString()) contents.names[owner] = names[owner].asString();
    }
  }
  return contents;
}

void ResourceLedger::write(const Contents& contents) const {
  Json::Value root(Json::objectValue);
  root["platform"] = platform_.name();
  root["allocations"] = Json::Value(Json::objectValue);
  for (const auto& [owner, a] : contents.records) root["allocations"][owner] = allocationToJson(a);
  root["partition_names"] = Json::Value(Json::objectValue);
  for (const auto& [owner, name] : contents.names) root["partition_names"][owner] = name;
  writeFileAtomically(path_, toCompactJson(root) + "\n");
}

namespace {

// Candidates tried for a partition name: each differs in a 32-bit hash, so
// running out means the ledger is being attacked or is corrupt.
constexpr unsigned kMaxNameAttempts = 64;

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
                                    const std::function<HeldByHypervisor()>& held, const LedgerClaim& claim) {
  ensureDir(dir_);
  FileLock lock(lockPath_);
  Contents contents = read();
  auto& records = contents.records;
  if (records.count(owner)) throw Error(ErrorCode::AlreadyExists, owner + " already holds resources");
  if (claim.ownerGone) {
    for (auto it = records.begin(); it != records.end();) {
      if (claim.ownerGone(it->first)) {
        contents.names.erase(it->first);
        it = records.erase(it);
      } else {
        ++it;
      }
    }
  }
  std::string name;
  if (claim.partitionName) {
    std::set<std::string> taken;
    for (const auto& [other, n] : contents.names) taken.insert(n);
    for (unsigned attempt = 0; name.empty(); ++attempt) {
      if (attempt == kMaxNameAttempts) {
        throw Error(ErrorCode::AlreadyExists, "no free partition name for " + owner + " after " +
                                                  std::to_string(kMaxNameAttempts) + " candidates in " + path_);
      }
      std::string candidate = claim.partitionName(attempt);
      if (!taken.count(candidate)) name = candidate;
    }
  }
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
  if (!name.empty()) contents.names[owner] = name;
  write(contents);
  if (claim.reservedName) *claim.reservedName = name;
  return a;
}

bool ResourceLedger::release(const std::string& owner) {
  ensureDir(dir_);
  FileLock lock(lockPath_);
  Contents contents = read();
  contents.names.erase(owner);
  if (!contents.records.erase(owner)) return false;
  write(contents);
  return true;
}

std::string ResourceLedger::partitionName(const std::string& owner) const {
  ensureDir(dir_);
  FileLock lock(lockPath_);
  Contents contents = read();
  auto it = contents.names.find(owner);
  return it == contents.names.end() ? std::string() : it->second;
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
  return read().records;
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
