#include "partition_engine.hpp"

#include <phi/driver.hpp>
#include <phi/error.hpp>
#include <phi/oci_spec.hpp>
#include <phi/partition.hpp>
#include <phi/platform.hpp>
#include <phi/version.hpp>
#include <phi/zic_config.hpp>

#include "atomic_file.hpp"
#include "boot_manager.hpp"
#include "driver_loader.hpp"
#include "file_lock.hpp"
#include "json_file.hpp"

#include <json/writer.h>
#include "monitor_process.hpp"
#include "oci_hooks.hpp"
#include "partition_name.hpp"
#include "phase_timer.hpp"
#include "resources/resource_ledger.hpp"
#include "rootfs_path.hpp"
#include "system_error.hpp"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

namespace phi {

namespace {

// Copies of what create read, kept so later calls work without the bundle.
constexpr const char* kSpecCopy = "oci-config.json";
constexpr const char* kZicCopy = "zic-config.json";
constexpr const char* kPlatformCopy = "platform.json";
constexpr const char* kDriverDir = "driver";

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw errnoError("cannot read " + path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string nowRfc3339Nano() {
  auto now = std::chrono::system_clock::now();
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ns / 1000000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buffer[64];
  size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buffer + n, sizeof buffer - n, ".%09lldZ", static_cast<long long>(ns % 1000000000));
  return buffer;
}

// Undo steps of a multi-step operation, run newest first on failure.
class Rollback {
 public:
  explicit Rollback(Logger& log) : log_(log) {}
  ~Rollback() {
    if (committed_) return;
    for (auto it = steps_.rbegin(); it != steps_.rend(); ++it) {
      try {
        it->second();
      } catch (const std::exception& e) {
        log_.error("rollback: " + it->first + " failed: " + e.what());
      }
    }
  }
  Rollback(const Rollback&) = delete;
  Rollback& operator=(const Rollback&) = delete;
  void add(std::string what, std::function<void()> undo) { steps_.emplace_back(std::move(what), std::move(undo)); }
  void commit() { committed_ = true; }

 private:
  Logger& log_;
  std::vector<std::pair<std::string, std::function<void()>>> steps_;
  bool committed_ = false;
};

int signalNumber(const std::string& text) {
  static const std::pair<const char*, int> names[] = {
      {"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"ABRT", SIGABRT},   {"KILL", SIGKILL},
      {"USR1", SIGUSR1}, {"USR2", SIGUSR2}, {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},   {"TERM", SIGTERM},
      {"CONT", SIGCONT}, {"STOP", SIGSTOP}, {"TSTP", SIGTSTP}, {"WINCH", SIGWINCH}, {"PWR", SIGPWR}};
  std::string name = text;
  for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (name.rfind("SIG", 0) == 0) name = name.substr(3);
  for (const auto& [n, v] : names) {
    if (name == n) return v;
  }
  char* end = nullptr;
  long v = std::strtol(text.c_str(), &end, 10);
  if (!text.empty() && *end == '\0' && v >= 0 && v < 65) return static_cast<int>(v);
  throw Error(ErrorCode::InvalidArgument, "unknown signal \"" + text + "\"");
}

int exitStatusFor(GuestExit exit) {
  switch (exit) {
    case GuestExit::Shutdown: return kExitShutdown;
    case GuestExit::Crashed: return kExitCrashed;
    default: return kExitDestroyed;
  }
}

std::string selfExe() {
  char buffer[4096];
  ssize_t n = ::readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : std::string();
}

}  // namespace

// Everything an operation on an existing partition needs.
struct PartitionEngine::Loaded {
  ContainerRecord record;
  OciSpec spec;
  ZicConfig zic;
  PlatformTemplate platform;
  Allocation allocation;
  std::unique_ptr<Driver> driver;
  PartitionContext ctx;
  std::optional<FileLock> lock;
};

PartitionEngine::PartitionEngine(const RuntimeConfig& config, Logger& log, const Invocation& inv)
    : config_(config), log_(log), inv_(inv), store_(config.stateRoot, inv.global.root), id_(inv.containerId) {}

std::string PartitionEngine::stateJson(const ContainerRecord& r) const {
  Json::Value v(Json::objectValue);
  v["ociVersion"] = PHI_OCI_SPEC_VERSION;
  v["id"] = r.id;
  v["status"] = r.status;
  v["pid"] = r.pid;
  v["bundle"] = r.bundle;
  Json::Value ann(Json::objectValue);
  for (const auto& [k, val] : r.annotations) ann[k] = val;
  v["annotations"] = ann;
  return toCompactJson(v);
}

void PartitionEngine::create(const RouteDecision& why) {
  createFrom(why, "");
}

void PartitionEngine::restore(const RouteDecision& why) {
  std::string dir = inv_.flag("image-path");
  if (dir.empty()) throw Error(ErrorCode::InvalidArgument, "restore of a partitioned container needs --image-path");
  createFrom(why, dir);
}

void PartitionEngine::checkpoint() {
  Loaded p = load(false);
  refresh(p);
  if (p.record.status != "running" && p.record.status != "paused") {
    throw Error(ErrorCode::InvalidArgument, "cannot checkpoint container \"" + id_ + "\": it is " + p.record.status);
  }
  std::string dir = inv_.flag("image-path");
  if (dir.empty()) throw Error(ErrorCode::InvalidArgument, "checkpoint of a partitioned container needs --image-path");
  std::filesystem::create_directories(dir);
  bool leaveRunning = inv_.flagSet("leave-running");
  auto ticks = p.driver->tickSource(p.platform);
  PhaseTimer timer(*ticks, log_, "checkpoint " + id_);
  p.driver->checkpoint(p.ctx, dir, leaveRunning);
  timer.phase("driver checkpoint");
  if (!leaveRunning) {
    // Like runc: a checkpointed container has stopped; its guest lives on in the image.
    p.record.status = "stopped";
    p.record.exitStatus = kExitShutdown;
    store_.save(p.record);
    pokeMonitor(p.record);
  }
}

void PartitionEngine::createFrom(const RouteDecision& why, const std::string& checkpointDir) {
  if (config_.backend.empty()) {
    std::string where =
        config_.sourcePath.empty() ? "the configuration file (none found, defaults in use)" : config_.sourcePath;
    throw Error(ErrorCode::NoDriver, "container \"" + id_ + "\" is a partitioned container (" + why.reason +
                                         ") but no driver is configured: set \"backend\" in " + where);
  }
  auto monotonic = makeMonotonicTickSource();
  PhaseTimer loading(*monotonic, log_, "create " + id_);
  // Declared before the rollback so its undo steps can still use them.
  std::unique_ptr<Driver> driver;
  OciSpec spec;
  ZicConfig zic;
  PlatformTemplate platform;
  Allocation allocation;
  PartitionContext ctx;
  Rollback undo(log_);

  store_.claim(id_);
  const std::string dir = store_.containerDir(id_);
  undo.add("remove " + dir, [this] { store_.remove(id_); });
  FileLock lock = FileLock::directory(dir);

  ContainerRecord record;
  record.id = id_;
  record.status = "creating";
  record.bundle = inv_.flag("bundle", ".");
  if (record.bundle.front() != '/') {
    std::string cwd = std::filesystem::current_path().string();
    record.bundle = record.bundle == "." ? cwd : cwd + "/" + record.bundle;
  }
  record.created = nowRfc3339Nano();
  record.backend = config_.backend;
  record.partitionName = partitionNameFor(inv_.global.root, id_);
  store_.save(record);

  // Validation: everything is read and checked before anything is taken.
  driver = loadDriver(config_.backend, config_.driverDir);
  if (config_.platformTemplate.empty()) {
    throw Error(ErrorCode::InvalidArgument, "no \"platform_template\" configured for backend \"" + config_.backend +
                                                "\" in " +
                                                (config_.sourcePath.empty() ? "runphi.json" : config_.sourcePath));
  }
  std::string platformText = readFile(config_.platformTemplate);
  platform = parsePlatformTemplate(platformText, config_.platformTemplate);
  if (platform.driver != config_.backend) {
    throw Error(ErrorCode::InvalidArgument, config_.platformTemplate + ": platform \"" + platform.name +
                                                "\" is for driver \"" + platform.driver + "\", but backend is \"" +
                                                config_.backend + "\"");
  }
  // From here on, phases are timed with the driver's tick source.
  std::unique_ptr<TickSource> ticks = driver->tickSource(platform);
  loading.phase("loading the driver and the platform");
  PhaseTimer timer(*ticks, log_, "create " + id_);
  std::string specText = readFile(record.bundle + "/config.json");
  spec = parseOciSpec(specText, record.bundle + "/config.json", record.bundle);
  std::string zicText = readFileInRootfs(spec.rootfs, kZicConfigPath);
  zic = parseZicConfig(zicText, spec.rootfs + "/" + kZicConfigPath);
  PartitionRequest request = derivePartitionRequest(spec, zic, platform);
  checkBootImages(spec.rootfs, zic, request.memoryBytes);
  writeFileAtomically(dir + "/" + kSpecCopy, specText);
  writeFileAtomically(dir + "/" + kZicCopy, zicText);
  writeFileAtomically(dir + "/" + kPlatformCopy, platformText);
  record.platformPath = dir + "/" + kPlatformCopy;
  record.rootfs = spec.rootfs;
  record.annotations = spec.annotations;
  timer.phase("validation");

  ResourceLedger ledger(config_.stateRoot, platform);
  const std::string owner = store_.ownerKey(id_);
  allocation = ledger.allocate(owner, request);
  undo.add("release resources of " + owner, [ledger, owner]() mutable { ledger.release(owner); });
  timer.phase("allocation");

  ctx.containerId = id_;
  ctx.partitionName = record.partitionName;
  ctx.bundle = record.bundle;
  ctx.rootfs = spec.rootfs;
  ctx.workDir = dir + "/" + kDriverDir;
  ctx.driverStateDir = config_.stateRoot + "/drivers/" + config_.backend;
  ctx.spec = &spec;
  ctx.zic = &zic;
  ctx.platform = &platform;
  ctx.allocation = &allocation;
  ctx.log = &log_;
  std::filesystem::create_directories(ctx.workDir);
  std::filesystem::create_directories(ctx.driverStateDir);

  driver->generateConfig(ctx);
  timer.phase("driver generateConfig");
  // destroy() is idempotent, so it is safe to undo even a half-done create.
  undo.add("destroy partition " + ctx.partitionName, [&] { driver->destroy(ctx); });
  if (checkpointDir.empty()) {
    driver->create(ctx);
    timer.phase("driver create");
  } else {
    driver->restore(ctx, checkpointDir);
    timer.phase("driver restore");
  }

  std::string stateForHooks = stateJson(record);
  runHooks(spec.hooks.prestart, "prestart", stateForHooks, log_);
  runHooks(spec.hooks.createRuntime, "createRuntime", stateForHooks, log_);
  runHooks(spec.hooks.createContainer, "createContainer", stateForHooks, log_);
  timer.phase("hooks");

  MonitorLaunch launch;
  launch.runphiPath = selfExe();
  launch.monitorPath = locateMonitor(config_.monitorPath, launch.runphiPath);
  launch.runphiConfig = inv_.global.runphiConfig;
  launch.runcRoot = inv_.global.root;
  launch.containerId = id_;
  launch.console = driver->console(ctx);
  launch.consoleSocket = inv_.flag("console-socket");
  pid_t monitor = launchMonitor(launch);
  undo.add("stop the container process", [monitor] {
    ::kill(monitor, SIGKILL);
    ::waitpid(monitor, nullptr, 0);
  });
  record.pid = monitor;
  record.monitorStartTime = processStartTime(monitor);
  timer.phase("container process");

  if (std::string pidFile = inv_.flag("pid-file"); !pidFile.empty()) {
    writeFileAtomically(pidFile, std::to_string(monitor), 0644);
  }
  record.status = checkpointDir.empty() ? "created" : "running";
  store_.save(record);
  undo.commit();
  timer.total("total after loading");
  loading.total();
  log_.info("created partition " + record.partitionName + " on " + platform.name);
}

PartitionEngine::Loaded PartitionEngine::load(bool tolerant) {
  Loaded p;
  const std::string dir = store_.containerDir(id_);
  p.lock.emplace(FileLock::directory(dir));
  std::optional<ContainerRecord> record = store_.load(id_);
  if (record) {
    p.record = *record;
  } else {
    // runphi was killed before the first state write: all we know is the id.
    p.record.id = id_;
    p.record.status = "creating";
    p.record.partitionName = partitionNameFor(inv_.global.root, id_);
    p.record.backend = config_.backend;
  }
  auto attempt = [&](const char* what, const std::function<void()>& step) {
    try {
      step();
    } catch (const Error& e) {
      if (!tolerant) throw;
      log_.warn(std::string("container \"") + id_ + "\": " + what + ": " + e.what());
    }
  };
  attempt("reading its OCI spec", [&] {
    std::string path = dir + "/" + kSpecCopy;
    if (::access(path.c_str(), R_OK) == 0) p.spec = parseOciSpec(readFile(path), path, p.record.bundle);
  });
  attempt("reading its ZIC config", [&] {
    std::string path = dir + "/" + kZicCopy;
    if (::access(path.c_str(), R_OK) == 0) p.zic = parseZicConfig(readFile(path), path);
  });
  attempt("reading its platform", [&] {
    std::string path = dir + "/" + kPlatformCopy;
    if (::access(path.c_str(), R_OK) == 0) {
      p.platform = loadPlatformTemplate(path);
    } else if (!config_.platformTemplate.empty()) {
      p.platform = loadPlatformTemplate(config_.platformTemplate);
    }
    if (!p.platform.name.empty()) {
      p.allocation = ResourceLedger(config_.stateRoot, p.platform).find(store_.ownerKey(id_)).value_or(Allocation{});
    }
  });
  attempt("loading its driver", [&] {
    std::string backend = p.record.backend.empty() ? config_.backend : p.record.backend;
    if (backend.empty()) throw Error(ErrorCode::NoDriver, "no backend recorded or configured");
    p.driver = loadDriver(backend, config_.driverDir);
  });
  PartitionContext& c = p.ctx;
  c.containerId = id_;
  c.partitionName = p.record.partitionName;
  c.bundle = p.record.bundle;
  c.rootfs = p.record.rootfs;
  c.workDir = dir + "/" + kDriverDir;
  c.driverStateDir = config_.stateRoot + "/drivers/" + (p.driver ? p.driver->name() : p.record.backend);
  c.spec = &p.spec;
  c.zic = &p.zic;
  c.platform = &p.platform;
  c.allocation = &p.allocation;
  c.log = &log_;
  return p;
}

// Brings the recorded status up to date with the hypervisor.
void PartitionEngine::refresh(Loaded& p) {
  ContainerRecord& r = p.record;
  if (r.status != "created" && r.status != "running" && r.status != "paused") return;
  GuestStatus g = p.driver->queryState(p.ctx);
  std::string before = r.status;
  switch (g.state) {
    case GuestState::Created: r.status = "created"; break;
    case GuestState::Running: r.status = "running"; break;
    // A partition created but not yet started may be a paused domain (xl create -p).
    case GuestState::Paused: r.status = before == "created" ? "created" : "paused"; break;
    case GuestState::Stopped:
    case GuestState::Absent:
      r.status = "stopped";
      if (r.exitStatus < 0) r.exitStatus = exitStatusFor(g.state == GuestState::Absent ? GuestExit::Destroyed : g.exit);
      break;
  }
  if (r.status != before) {
    log_.info("container \"" + id_ + "\" is now " + r.status);
    store_.save(r);
  }
}

void PartitionEngine::pokeMonitor(const ContainerRecord& r) {
  if (sameProcess(r.pid, r.monitorStartTime)) ::kill(r.pid, SIGUSR1);
}

void PartitionEngine::stopMonitor(const ContainerRecord& r) {
  if (!sameProcess(r.pid, r.monitorStartTime)) return;
  ::kill(r.pid, SIGUSR1);  // it exits by itself once it sees the partition gone
  // Up to 2 s, looking often: it usually exits within a few milliseconds.
  for (int i = 0; i < 400 && sameProcess(r.pid, r.monitorStartTime); ++i) {
    ::waitpid(r.pid, nullptr, WNOHANG);  // reaps it when we are its parent (run)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (sameProcess(r.pid, r.monitorStartTime)) {
    log_.warn("container process " + std::to_string(r.pid) + " did not exit; killing it");
    ::kill(r.pid, SIGKILL);
    ::waitpid(r.pid, nullptr, WNOHANG);
  }
}

void PartitionEngine::destroyPartition(Loaded& p, int exitStatus) {
  if (p.driver) {
    auto ticks = p.driver->tickSource(p.platform);
    PhaseTimer timer(*ticks, log_, "destroy " + id_);
    p.driver->destroy(p.ctx);
    timer.phase("driver destroy");
  }
  if (p.record.status != "stopped" || p.record.exitStatus < 0) p.record.exitStatus = exitStatus;
  p.record.status = "stopped";
  store_.save(p.record);
}

void PartitionEngine::start() {
  Loaded p = load(false);
  // No hypervisor query first: a partition that vanished makes the driver's
  // start fail anyway, and the query would delay every start.
  if (p.record.status != "created") {
    throw Error(ErrorCode::InvalidArgument, "cannot start container \"" + id_ + "\": it is " + p.record.status);
  }
  auto ticks = p.driver->tickSource(p.platform);
  PhaseTimer timer(*ticks, log_, "start " + id_);
  std::string hookState = stateJson(p.record);
  runHooks(p.spec.hooks.startContainer, "startContainer", hookState, log_);
  p.driver->start(p.ctx);
  timer.phase("driver start");
  p.record.status = "running";
  store_.save(p.record);
  pokeMonitor(p.record);
  runHooksWarnOnly(p.spec.hooks.poststart, "poststart", stateJson(p.record), log_);
  timer.total();
}

void PartitionEngine::kill() {
  Loaded p = load(false);
  refresh(p);
  int sig = signalNumber(inv_.args.empty() ? "TERM" : inv_.args[0]);
  const std::string& status = p.record.status;
  if (status != "created" && status != "running" && status != "paused") {
    // As runc: --all on a stopped container is a no-op; a plain kill says
    // "container not running", the words containerd's shim looks for.
    if (inv_.flagSet("all")) return;
    throw Error(ErrorCode::InvalidArgument, "container not running: \"" + id_ + "\" is " + status);
  }
  auto ticks = p.driver->tickSource(p.platform);
  PhaseTimer timer(*ticks, log_, "kill " + id_);
  if (sig == 0) return;
  if (sig == SIGKILL) {
    destroyPartition(p, kExitDestroyed);
  } else if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP || sig == SIGQUIT || sig == SIGPWR) {
    if (status == "running") {
      p.driver->shutdown(p.ctx);  // the guest stops by itself; the monitor reports it
      timer.phase("driver shutdown");
    } else {
      // A partition that never ran cannot shut down: it is destroyed, and the
      // container ends as a process killed by that signal would.
      destroyPartition(p, 128 + sig);
    }
  } else {
    throw Error(ErrorCode::NotSupported, "signal " + std::to_string(sig) +
                                             " cannot be delivered to a partitioned container (TERM, INT, HUP, "
                                             "QUIT, PWR ask the guest to shut down; KILL destroys it)");
  }
  pokeMonitor(p.record);
}

void PartitionEngine::remove() {
  const bool force = inv_.flagSet("force");
  Loaded p = load(force);
  if (p.driver) {
    try {
      refresh(p);
    } catch (const Error& e) {
      if (!force) throw;
      log_.warn("cannot query partition of \"" + id_ + "\": " + e.what());
    }
  }
  const std::string& status = p.record.status;
  if ((status == "running" || status == "paused") && !force) {
    throw Error(ErrorCode::InvalidArgument,
                "cannot delete container \"" + id_ + "\" that is not stopped: " + status + " (use --force)");
  }
  // Always: a guest that shut down by itself still has a partition (a
  // Jailhouse cell, a preserved Xen domain) until it is destroyed.
  destroyPartition(p, kExitDestroyed);
  // The container process asks `guest-status` (which takes this lock) before
  // it exits: let it in, then finish under the lock again.
  p.lock.reset();
  stopMonitor(p.record);
  p.lock.emplace(FileLock::directory(store_.containerDir(id_)));
  runHooksWarnOnly(p.spec.hooks.poststop, "poststop", stateJson(p.record), log_);
  if (!p.platform.name.empty()) ResourceLedger(config_.stateRoot, p.platform).release(store_.ownerKey(id_));
  p.lock.reset();
  store_.remove(id_);
  log_.info("deleted container \"" + id_ + "\"");
}

std::string PartitionEngine::state() {
  Loaded p = load(true);
  if (p.driver) refresh(p);
  const ContainerRecord& r = p.record;
  int pid = r.status == "stopped" ? 0 : r.pid;
  // runc's `state` output: json.MarshalIndent with two spaces, its field order.
  auto q = [](const std::string& s) { return Json::valueToQuotedString(s.c_str()); };
  std::string out = "{\n  \"ociVersion\": " + q(PHI_OCI_SPEC_VERSION) + ",\n  \"id\": " + q(r.id) +
                    ",\n  \"pid\": " + std::to_string(pid) + ",\n  \"status\": " + q(r.status) +
                    ",\n  \"bundle\": " + q(r.bundle) + ",\n  \"rootfs\": " + q(r.rootfs) +
                    ",\n  \"created\": " + q(r.created);
  if (!r.annotations.empty()) {
    out += ",\n  \"annotations\": {";
    bool first = true;
    for (const auto& [k, v] : r.annotations) {
      out += std::string(first ? "" : ",") + "\n    " + q(k) + ": " + q(v);
      first = false;
    }
    out += "\n  }";
  }
  return out + ",\n  \"owner\": \"\"\n}\n";
}

std::string PartitionEngine::guestStatus() {
  Loaded p = load(true);
  if (p.driver) refresh(p);
  if (p.record.status == "stopped") return "stopped " + std::to_string(p.record.exitStatus) + "\n";
  return p.record.status + "\n";
}

void PartitionEngine::pause() {
  Loaded p = load(false);
  refresh(p);
  if (p.record.status != "running") {
    throw Error(ErrorCode::InvalidArgument, "container \"" + id_ + "\" is not running (" + p.record.status + ")");
  }
  p.driver->pause(p.ctx);
  p.record.status = "paused";
  store_.save(p.record);
}

void PartitionEngine::resume() {
  Loaded p = load(false);
  refresh(p);
  if (p.record.status != "paused") {
    throw Error(ErrorCode::InvalidArgument, "container \"" + id_ + "\" is not paused (" + p.record.status + ")");
  }
  p.driver->resume(p.ctx);
  p.record.status = "running";
  store_.save(p.record);
}

int PartitionEngine::run(const RouteDecision& why) {
  create(why);
  try {
    start();
  } catch (...) {
    Invocation forced = inv_;
    forced.flags["force"] = {"true"};
    PartitionEngine(config_, log_, forced).remove();
    throw;
  }
  if (inv_.flagSet("detach")) return 0;
  std::optional<ContainerRecord> record = store_.load(id_);
  int status = 0;
  if (record && record->pid > 0) {
    while (::waitpid(record->pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (!inv_.flagSet("keep")) {
    Invocation forced = inv_;
    forced.flags["force"] = {"true"};
    PartitionEngine(config_, log_, forced).remove();
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace phi
