// The test driver: a pretend hypervisor kept in a directory, so the
// lifecycle engine can be tested on its own. Not installed.
//
// <driverStateDir>/
//   fail                  op names, one per line: that operation fails
//   delay                 "<op> <seconds>" lines: that operation sleeps first
//                         (lets a test kill runphi in the middle of it)
//   ops.log               "<op> <partition>" for every operation performed
//   partitions/<name>/    one per live partition:
//     state               created | running | paused | shutdown | crashed
//                         (tests write shutdown/crashed to end a guest)
//     config.json         what generateConfig produced
//     console             FIFO: the guest console
//
// $PHI_TEST_DRIVER_BUSY names a file for busyCpus (the hypervisor's own
// partitions): CPU numbers it holds, or the word "fail" (the hypervisor
// does not answer).
#include <phi/driver/driver.hpp>
#include <phi/driver/files.hpp>
#include <phi/error.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json/reader.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace {

// The file's text, trimmed; "absent" when it is gone (destroyed meanwhile).
std::string slurp(const fs::path& p) {
  std::string text;
  try {
    text = phi::readFile(p.string(), 1 << 20);
  } catch (const phi::Error& e) {
    if (e.code() != phi::ErrorCode::NotFound) throw;
    return "absent";
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// Whole or not at all: a concurrent queryState (the container process
// watches the state file) must never read a half-written, empty one as a
// guest that ended.
void put(const fs::path& p, const std::string& text) {
  phi::writeFileAtomically(p.string(), text + "\n", 0644);
}

class TestDriver : public phi::Driver {
 public:
  std::string name() const override { return "test"; }
  phi::DriverCapabilities capabilities() const override { return phi::DriverCapabilities().withPause().withConsole(); }

  void generateConfig(const phi::PartitionContext& c) override {
    step(c, "generateConfig");
    const phi::Allocation& a = c.allocation();
    std::ostringstream cfg;
    cfg << "{\"name\":\"" << c.partitionName() << "\",\"cpus\":[";
    for (size_t i = 0; i < a.cpus().size(); ++i) cfg << (i ? "," : "") << a.cpus()[i];
    cfg << "],\"rpus\":[";
    for (size_t i = 0; i < a.rpus().size(); ++i) cfg << (i ? "," : "") << a.rpus()[i];
    cfg << "],\"memory\":[";
    for (size_t i = 0; i < a.memory().size(); ++i)
      cfg << (i ? "," : "") << "[" << a.memory()[i].start << "," << a.memory()[i].size << "]";
    cfg << "],\"pci_bdfs\":[";
    for (size_t i = 0; i < a.pciBdfs().size(); ++i) cfg << (i ? "," : "") << a.pciBdfs()[i];
    cfg << "],\"inmate\":\"" << c.zic().inmate() << "\"}";
    put(fs::path(c.workDir()) / "partition.json", cfg.str());
  }

  void create(const phi::PartitionContext& c) override {
    step(c, "create");
    fs::path dir = partitionDir(c);
    if (fs::exists(dir)) fail("create", "partition " + c.partitionName() + " already exists");
    checkExclusive(c);
    fs::create_directories(dir);
    fs::copy_file(fs::path(c.workDir()) / "partition.json", dir / "config.json");
    if (::mkfifo((dir / "console").c_str(), 0600) != 0) fail("create", "mkfifo failed");
    put(dir / "state", "created");
  }

  void start(const phi::PartitionContext& c) override {
    step(c, "start");
    expectState(c, "start", {"created"});
    put(partitionDir(c) / "state", "running");
    // The guest's first words, if the container process is listening.
    int fd = ::open((partitionDir(c) / "console").c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0) {
      std::string line = "test-driver: partition " + c.partitionName() + " started\n";
      ssize_t ignored = ::write(fd, line.data(), line.size());
      (void)ignored;
      ::close(fd);
    }
  }

  void shutdown(const phi::PartitionContext& c) override {
    step(c, "shutdown");
    expectState(c, "shutdown", {"running", "paused"});
    put(partitionDir(c) / "state", "shutdown");  // this guest obeys at once
  }

  void destroy(const phi::PartitionContext& c) override {
    step(c, "destroy");
    fs::remove_all(partitionDir(c));
  }

  std::vector<int> busyCpus(const phi::PlatformTemplate&) override {
    const char* path = std::getenv("PHI_TEST_DRIVER_BUSY");
    if (!path || !*path) return {};
    std::ifstream in(path);
    std::vector<int> cpus;
    for (std::string word; in >> word;) {
      if (word == "fail") fail("busyCpus", "failure injected");
      cpus.push_back(std::stoi(word));
    }
    return cpus;
  }

  phi::GuestStatus queryState(const phi::PartitionContext& c) override {
    step(c, "queryState");
    fs::path state = partitionDir(c) / "state";
    if (!fs::exists(state)) return {phi::GuestState::Absent, phi::GuestExit::None};
    std::string s = slurp(state);
    if (s == "absent") return {phi::GuestState::Absent, phi::GuestExit::None};
    if (s == "created") return {phi::GuestState::Created, phi::GuestExit::None};
    if (s == "running") return {phi::GuestState::Running, phi::GuestExit::None};
    if (s == "paused") return {phi::GuestState::Paused, phi::GuestExit::None};
    if (s == "crashed") return {phi::GuestState::Stopped, phi::GuestExit::Crashed};
    return {phi::GuestState::Stopped, phi::GuestExit::Shutdown};
  }

  phi::ConsoleSpec console(const phi::PartitionContext& c) override {
    return phi::ConsoleSpec::file((partitionDir(c) / "console").string());
  }

  // The state file, read as queryState reads it: "shutdown" and "crashed"
  // end the guest, a missing one means the partition is gone.
  phi::GuestWatch watch(const phi::PartitionContext& c) override {
    return phi::GuestWatch::stateFile((partitionDir(c) / "state").string())
        .addRule(phi::WatchRule::equals("shutdown", phi::GuestExit::Shutdown))
        .addRule(phi::WatchRule::equals("crashed", phi::GuestExit::Crashed));
  }

  void pause(const phi::PartitionContext& c) override {
    step(c, "pause");
    expectState(c, "pause", {"running"});
    put(partitionDir(c) / "state", "paused");
  }

  void resume(const phi::PartitionContext& c) override {
    step(c, "resume");
    expectState(c, "resume", {"paused"});
    put(partitionDir(c) / "state", "running");
  }

 private:
  static fs::path partitionDir(const phi::PartitionContext& c) {
    return fs::path(c.driverStateDir()) / "partitions" / c.partitionName();
  }

  [[noreturn]] static void fail(const std::string& op, const std::string& why) {
    throw phi::Error(phi::ErrorCode::ChildFailed, "test driver: " + op + ": " + why);
  }

  // Records the operation, then fails it if the test asked for that.
  static void step(const phi::PartitionContext& c, const std::string& op) {
    fs::path dir(c.driverStateDir());
    fs::create_directories(dir);
    {
      std::ofstream log(dir / "ops.log", std::ios::app);
      log << op << " " << c.partitionName() << "\n";
    }
    std::ifstream delays(dir / "delay");
    std::string delayedOp;
    for (double seconds = 0; delays >> delayedOp >> seconds;) {
      if (delayedOp == op) ::usleep(static_cast<useconds_t>(seconds * 1e6));
    }
    std::ifstream failures(dir / "fail");
    for (std::string line; std::getline(failures, line);) {
      if (line == op) fail(op, "failure injected");
    }
  }

  static void expectState(const phi::PartitionContext& c, const std::string& op, std::set<std::string> allowed) {
    fs::path state = partitionDir(c) / "state";
    std::string s = fs::exists(state) ? slurp(state) : "absent";
    if (!allowed.count(s)) fail(op, "partition " + c.partitionName() + " is " + s);
  }

  // The hypervisor's own rule: no CPU, RPU or memory byte belongs to two partitions.
  static void checkExclusive(const phi::PartitionContext& c) {
    fs::path parts = fs::path(c.driverStateDir()) / "partitions";
    if (!fs::exists(parts)) return;
    const phi::Allocation& mine = c.allocation();
    for (const auto& entry : fs::directory_iterator(parts)) {
      Json::Value other;
      std::ifstream in(entry.path() / "config.json");
      if (!Json::parseFromStream(Json::CharReaderBuilder(), in, &other, nullptr)) continue;
      std::string who = entry.path().filename().string();
      for (const Json::Value& cpu : other["cpus"]) {
        for (int m : mine.cpus()) {
          if (cpu.asInt() == m) fail("create", "CPU " + std::to_string(m) + " already belongs to " + who);
        }
      }
      for (const Json::Value& rpu : other["rpus"]) {
        for (int m : mine.rpus()) {
          if (rpu.asInt() == m) fail("create", "RPU " + std::to_string(m) + " already belongs to " + who);
        }
      }
      for (const Json::Value& range : other["memory"]) {
        std::uint64_t start = range[0].asUInt64(), end = start + range[1].asUInt64();
        for (const phi::MemoryRange& m : mine.memory()) {
          if (m.start < end && start < m.end()) fail("create", "memory overlaps " + who);
        }
      }
    }
  }
};

}  // namespace

PHI_DRIVER_MODULE("test", TestDriver);
