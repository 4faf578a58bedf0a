#include "runtime/state_store.hpp"

#include <phi/error.hpp>

#include <phi/driver/files.hpp>

#include "toolkit/json.hpp"
#include "toolkit/system_error.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace fs = std::filesystem;

namespace phi {

namespace {

constexpr const char* kStateFile = "state.json";
// A record with its annotations (at most kMaxAnnotationBytes, oci_spec.hpp's
// limit for partitioned containers) and a few paths.
constexpr std::size_t kMaxStateBytes = std::size_t{1} << 20;

void makePrivateDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) throw errnoError("cannot create " + path);
}

Json::Value toJson(const ContainerRecord& r) {
  Json::Value v(Json::objectValue);
  v["id"] = r.id;
  v["pid"] = r.pid;
  v["status"] = statusName(r.status);
  v["bundle"] = r.bundle;
  v["rootfs"] = r.rootfs;
  v["created"] = r.created;
  v["owner"] = r.owner;
  Json::Value ann(Json::objectValue);
  for (const auto& [k, val] : r.annotations) ann[k] = val;
  v["annotations"] = ann;
  v["partition_name"] = r.partitionName;
  v["backend"] = r.backend;
  v["platform"] = r.platformPath;
  v["exit_status"] = r.exitStatus;
  v["monitor_start_time"] = Json::UInt64(r.monitorStartTime);
  v["creator_pid"] = r.creatorPid;
  return v;
}

ContainerRecord fromJson(const Json::Value& v, const std::string& origin) {
  auto str = [&](const char* key) {
    if (!v[key].isString()) throw Error(ErrorCode::ParseError, origin + ": \"" + key + "\" must be a string");
    return v[key].asString();
  };
  ContainerRecord r;
  r.id = str("id");
  std::string status = str("status");
  r.bundle = str("bundle");
  r.rootfs = str("rootfs");
  r.created = str("created");
  r.owner = str("owner");
  if (!v["pid"].isInt()) throw Error(ErrorCode::ParseError, origin + ": \"pid\" must be an integer");
  r.pid = v["pid"].asInt();
  for (const std::string& k : v["annotations"].getMemberNames()) r.annotations[k] = v["annotations"][k].asString();
  r.partitionName = v["partition_name"].asString();
  r.backend = v["backend"].asString();
  r.platformPath = v["platform"].asString();
  r.exitStatus = v.isMember("exit_status") ? v["exit_status"].asInt() : -1;
  r.monitorStartTime = v["monitor_start_time"].asUInt64();
  r.creatorPid = v["creator_pid"].asInt();
  std::optional<Status> parsed = parseStatus(status);
  if (!parsed) {
    throw Error(ErrorCode::ParseError, origin + ": \"status\": \"" + status + "\" is not a container status");
  }
  r.status = *parsed;
  return r;
}

}  // namespace

std::string escapePathComponent(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    bool plain = std::isalnum(c) || c == '_' || c == '-' || (c == '.' && i > 0);
    if (plain) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out.empty() ? "%" : out;
}

bool isValidContainerId(const std::string& id) {
  if (id.empty() || id == "." || id == "..") return false;
  for (char c : id) {
    const unsigned char u = static_cast<unsigned char>(c);
    // Go's `^[\w+-\.]+$`: \w, and the range '+'..'.' (+ , - .).
    if (!(std::isalnum(u) || c == '_' || (c >= '+' && c <= '.'))) return false;
  }
  return true;
}

std::string normalizeRuncRoot(const std::string& runcRoot) {
  // As runc does (filepath.Abs): absolute against the working directory, then
  // lexically clean, so "R", "R/" and "./R" are one namespace.
  std::string root = runcRoot.empty() ? kRuncDefaultRoot : runcRoot;
  if (root.front() != '/') {
    std::error_code ec;
    std::string cwd = fs::current_path(ec).string();
    if (!ec) root = cwd + "/" + root;
  }
  std::vector<std::string> parts;
  for (size_t i = 0; i <= root.size();) {
    size_t j = root.find('/', i);
    if (j == std::string::npos) j = root.size();
    std::string part = root.substr(i, j - i);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    i = j + 1;
  }
  std::string out;
  for (const std::string& p : parts) out += "/" + p;
  return out.empty() ? "/" : out;
}

StateStore::StateStore(std::string stateRoot, const std::string& runcRoot)
    : rootKey_(escapePathComponent(normalizeRuncRoot(runcRoot))) {
  dir_ = std::move(stateRoot) + "/" + rootKey_;
}

void StateStore::makeRootDirs() const {
  fs::path root = fs::path(dir_).parent_path();
  std::error_code ec;
  // Private when runphi makes it; an existing state root (a shared 1777
  // directory, say) keeps the mode its owner gave it: every directory
  // runphi makes inside it is 0700.
  bool made = fs::create_directories(root, ec);
  if (ec) throw Error(ErrorCode::IoError, "cannot create " + root.string() + ": " + ec.message());
  if (made) ::chmod(root.c_str(), 0700);
  makePrivateDir(dir_);
}

std::string StateStore::ownerKey(const std::string& id) const {
  return rootKey_ + "/" + escapePathComponent(id);
}

bool StateStore::ownerGone(const std::string& owner) const {
  // Owner keys are "<escaped root>/<escaped id>": one '/', no "." or "..".
  const auto slash = owner.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == owner.size() ||
      owner.find('/', slash + 1) != std::string::npos || owner[0] == '.' || owner[slash + 1] == '.') {
    return false;
  }
  struct stat st {};
  const std::string stateRoot = fs::path(dir_).parent_path().string();
  return ::lstat((stateRoot + "/" + owner).c_str(), &st) != 0 && errno == ENOENT;
}

void StateStore::claim(const std::string& id) {
  makeRootDirs();
  if (::mkdir(containerDir(id).c_str(), 0700) != 0) {
    if (errno == EEXIST) throw Error(ErrorCode::AlreadyExists, "container with id \"" + id + "\" already exists");
    throw errnoError("cannot create " + containerDir(id));
  }
}

std::string StateStore::containerDir(const std::string& id) const {
  return dir_ + "/" + escapePathComponent(id);
}

bool StateStore::holds(const std::string& id) const {
  struct stat st {};
  return ::stat(containerDir(id).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::optional<ContainerRecord> StateStore::load(const std::string& id) const {
  std::string path = containerDir(id) + "/" + kStateFile;
  try {
    return fromJson(readJsonFile(path, DuplicateKeys::Reject, kMaxStateBytes), path);
  } catch (const Error& e) {
    if (e.code() == ErrorCode::NotFound) return std::nullopt;
    throw;
  }
}

std::vector<ContainerRecord> StateStore::list(std::vector<std::string>* unreadable) const {
  std::vector<ContainerRecord> out;
  std::error_code ec;
  fs::directory_iterator it(dir_, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) return out;
    throw Error(ErrorCode::IoError, "cannot list " + dir_ + ": " + ec.message());
  }
  for (const fs::directory_entry& entry : it) {
    std::string path = entry.path().string() + "/" + kStateFile;
    try {
      out.push_back(fromJson(readJsonFile(path, DuplicateKeys::Reject, kMaxStateBytes), path));
    } catch (const Error& e) {
      // A container half-way through create has a directory but no state
      // yet; one unreadable record (a full disk, a crash) must not hide the
      // others: runc skips what it cannot load too.
      if (e.code() != ErrorCode::NotFound && unreadable) unreadable->push_back(e.what());
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

void StateStore::save(const ContainerRecord& record) {
  makeRootDirs();
  std::string cdir = containerDir(record.id);
  makePrivateDir(cdir);
  writeFileAtomically(cdir + "/" + kStateFile, toCompactJson(toJson(record)) + "\n");
}

void StateStore::remove(const std::string& id) {
  std::error_code ec;
  fs::remove_all(containerDir(id), ec);
  if (ec) throw Error(ErrorCode::IoError, "cannot remove " + containerDir(id) + ": " + ec.message());
}

}  // namespace phi
