// An in-process hypervisor for the lifecycle engine's tests, registered with
// DriverRegistry::add: no module, no runphi. Each partition is a directory
// with a state file, so the container process's watch sees a guest end the
// way it would on a real board; every driver call is recorded; any call can
// be made to fail; two partitions can never share a CPU or a byte of memory;
// CPUs can be held by a partition made outside runphi.
#pragma once

#include <phi/driver/driver.hpp>
#include <phi/error.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace enginetest {

namespace fs = std::filesystem;

class FakeHypervisor {
 public:
  explicit FakeHypervisor(fs::path dir) : dir_(std::move(dir)) { fs::create_directories(dir_); }

  // Makes driver operation `op` ("create", "start", ...) throw from now on.
  void failOn(const std::string& op) {
    std::lock_guard<std::mutex> lock(mutex_);
    failing_.insert(op);
  }
  void heal() {
    std::lock_guard<std::mutex> lock(mutex_);
    failing_.clear();
  }
  std::vector<std::string> calls() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return calls_;
  }
  std::vector<std::string> partitions() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_)) out.push_back(e.path().filename().string());
    return out;
  }
  fs::path stateFile(const std::string& partition) const { return dir_ / partition / "state"; }
  std::string state(const std::string& partition) const {
    std::ifstream in(stateFile(partition));
    std::string s;
    in >> s;
    return s.empty() ? "absent" : s;
  }
  // What a guest does by itself: "shutdown" or "crashed".
  void guestEnds(const std::string& partition, const std::string& how) { put(partition, how); }

  // A partition runphi did not create holds `cpus` (none: it is gone).
  void holdOutside(std::set<int> cpus) {
    std::lock_guard<std::mutex> lock(mutex_);
    outside_ = std::move(cpus);
  }
  // Every CPU some partition holds, as a hypervisor reports it.
  std::vector<int> cpusInUse() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::set<int> all = outside_;
    for (const auto& [name, cpus] : cpus_)
      if (fs::exists(dir_ / name)) all.insert(cpus.begin(), cpus.end());
    return {all.begin(), all.end()};
  }

  void step(const std::string& op, const phi::PartitionContext& c) { step(op, c.partitionName()); }
  void step(const std::string& op, const std::string& subject) {
    std::lock_guard<std::mutex> lock(mutex_);
    calls_.push_back(op + " " + subject);
    if (failing_.count(op)) {
      throw phi::Error(phi::ErrorCode::ChildFailed, "fake hypervisor: " + op + " failed (injected)");
    }
  }
  void put(const std::string& partition, const std::string& state) {
    std::ofstream(stateFile(partition), std::ios::trunc) << state << "\n";
  }
  void checkExclusive(const phi::PartitionContext& c) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (int cpu : c.allocation().cpus()) {
      if (outside_.count(cpu)) {
        throw phi::Error(phi::ErrorCode::ChildFailed,
                         "fake hypervisor: CPU " + std::to_string(cpu) + " belongs to a partition made outside");
      }
    }
    for (const auto& [name, cpus] : cpus_) {
      for (int cpu : c.allocation().cpus()) {
        if (fs::exists(dir_ / name) && cpus.count(cpu)) {
          throw phi::Error(phi::ErrorCode::ChildFailed,
                           "fake hypervisor: CPU " + std::to_string(cpu) + " already belongs to " + name);
        }
      }
    }
    cpus_[c.partitionName()] = {c.allocation().cpus().begin(), c.allocation().cpus().end()};
  }
  const fs::path& dir() const { return dir_; }

 private:
  fs::path dir_;
  mutable std::mutex mutex_;
  std::set<std::string> failing_;
  std::vector<std::string> calls_;
  std::map<std::string, std::set<int>> cpus_;
  std::set<int> outside_;
};

class FakeDriver : public phi::Driver {
 public:
  explicit FakeDriver(std::shared_ptr<FakeHypervisor> hv) : hv_(std::move(hv)) {}

  std::string name() const override { return "test"; }
  phi::DriverCapabilities capabilities() const override {
    return phi::DriverCapabilities().withPause().withCheckpoint();
  }
  void generateConfig(const phi::PartitionContext& c) override {
    hv_->step("generateConfig", c);
    std::ofstream(fs::path(c.workDir()) / "fake.cfg") << c.partitionName() << "\n";
  }
  void create(const phi::PartitionContext& c) override {
    hv_->step("create", c);
    if (fs::exists(hv_->dir() / c.partitionName())) fail("partition " + c.partitionName() + " exists");
    hv_->checkExclusive(c);
    fs::create_directories(hv_->dir() / c.partitionName());
    hv_->put(c.partitionName(), "created");
  }
  void start(const phi::PartitionContext& c) override {
    hv_->step("start", c);
    expect(c, {"created"});
    hv_->put(c.partitionName(), "running");
  }
  void shutdown(const phi::PartitionContext& c) override {
    hv_->step("shutdown", c);
    expect(c, {"running", "paused"});
    hv_->put(c.partitionName(), "shutdown");
  }
  void destroy(const phi::PartitionContext& c) override {
    hv_->step("destroy", c);
    fs::remove_all(hv_->dir() / c.partitionName());
  }
  phi::GuestStatus queryState(const phi::PartitionContext& c) override {
    hv_->step("queryState", c);
    std::string s = hv_->state(c.partitionName());
    if (s == "absent") return {phi::GuestState::Absent, phi::GuestExit::None};
    if (s == "created") return {phi::GuestState::Created, phi::GuestExit::None};
    if (s == "running") return {phi::GuestState::Running, phi::GuestExit::None};
    if (s == "paused") return {phi::GuestState::Paused, phi::GuestExit::None};
    if (s == "crashed") return {phi::GuestState::Stopped, phi::GuestExit::Crashed};
    return {phi::GuestState::Stopped, phi::GuestExit::Shutdown};
  }
  void pause(const phi::PartitionContext& c) override {
    hv_->step("pause", c);
    expect(c, {"running"});
    hv_->put(c.partitionName(), "paused");
  }
  void resume(const phi::PartitionContext& c) override {
    hv_->step("resume", c);
    expect(c, {"paused"});
    hv_->put(c.partitionName(), "running");
  }
  void checkpoint(const phi::PartitionContext& c, const std::string& imageDir, bool leaveRunning) override {
    hv_->step("checkpoint", c);
    std::ofstream(fs::path(imageDir) / "guest.img") << hv_->state(c.partitionName()) << "\n";
    if (!leaveRunning) fs::remove_all(hv_->dir() / c.partitionName());
  }
  void restore(const phi::PartitionContext& c, const std::string& imageDir) override {
    hv_->step("restore", c);
    if (!fs::exists(fs::path(imageDir) / "guest.img")) fail("no image in " + imageDir);
    hv_->checkExclusive(c);
    fs::create_directories(hv_->dir() / c.partitionName());
    hv_->put(c.partitionName(), "running");
  }
  phi::GuestWatch watch(const phi::PartitionContext& c) override {
    hv_->step("watch", c);
    return phi::GuestWatch::stateFile(hv_->stateFile(c.partitionName()).string())
        .addRule(phi::WatchRule::equals("shutdown", phi::GuestExit::Shutdown))
        .addRule(phi::WatchRule::equals("crashed", phi::GuestExit::Crashed))
        .setPollInterval(50, 200);
  }
  std::vector<int> busyCpus(const phi::PlatformTemplate& platform) override {
    hv_->step("busyCpus", platform.name());
    return hv_->cpusInUse();
  }

 private:
  [[noreturn]] static void fail(const std::string& why) {
    throw phi::Error(phi::ErrorCode::ChildFailed, "fake hypervisor: " + why);
  }
  void expect(const phi::PartitionContext& c, std::set<std::string> allowed) {
    std::string s = hv_->state(c.partitionName());
    if (!allowed.count(s)) fail("partition " + c.partitionName() + " is " + s);
  }

  std::shared_ptr<FakeHypervisor> hv_;
};

}  // namespace enginetest
