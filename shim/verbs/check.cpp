// `runphi check`: is this host set up for partitioned containers? One line
// per check, "ok" or "fail" with what to do; exit status 1 when any failed
// (runc's convention: the summary also goes to stderr and --log).
#include "cli.hpp"
#include "runc_locator.hpp"

#include <phi/driver/driver.hpp>
#include <phi/error.hpp>
#include <phi/platform.hpp>
#include <phi/resources.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>

namespace runphi {

namespace {

std::string cpuList(const std::vector<int>& cpus) {
  if (cpus.empty()) return "none";
  std::string out;
  for (int c : cpus) out += (out.empty() ? "" : ",") + std::to_string(c);
  return out;
}

class Report {
 public:
  explicit Report(Cli& cli) : cli_(cli) {}
  void ok(const std::string& what, const std::string& detail) { line("ok   " + what + ": " + detail); }
  void fail(const std::string& what, const std::string& detail, const std::string& fix) {
    ++failed_;
    line("fail " + what + ": " + detail + "; fix: " + fix);
  }
  int failed() const { return failed_; }
  int total() const { return total_; }

 private:
  void line(const std::string& text) {
    ++total_;
    print(cli_, text + "\n");
  }
  Cli& cli_;
  int failed_ = 0;
  int total_ = 0;
};

// Can runphi make its state directory and write a file in it?
std::string stateRootProblem(const std::string& root) {
  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  if (ec) return "cannot create " + root + ": " + ec.message();
  std::string probe = root + "/.runphi-check-" + std::to_string(::getpid());
  int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return "cannot write in " + root + ": " + std::error_code(errno, std::generic_category()).message();
  ::close(fd);
  ::unlink(probe.c_str());
  return {};
}

}  // namespace

int checkVerb(Cli& cli) {
  const phi::RuntimeOptions& o = cli.runtime.options();
  const std::string config = phi::RuntimeOptions::configPath(cli.inv.global.runphiConfig);
  Report r(cli);

  // An invalid file never gets here (main reports it, exit status 1).
  r.ok("configuration", o.sourcePath().empty() ? config + " does not exist: the defaults" : config);

  // The driver module of the configured backend.
  std::unique_ptr<phi::Driver> driver;
  if (o.backend().empty()) {
    r.fail("driver", "no backend configured", "set \"backend\" (jailhouse or xen) in " + config);
  } else {
    try {
      phi::DriverInfo info = cli.runtime.drivers().info(o.backend());
      driver = cli.runtime.drivers().load(o.backend());
      r.ok("driver", o.backend() + " (" + (info.path().empty() ? "built in" : info.path()) + ", driver ABI " +
                         std::to_string(info.abiVersion()) + ")");
    } catch (const phi::Error& e) {
      r.fail("driver", e.what(),
             "install libphi-driver-" + o.backend() + ".so in one of those places or set \"driver_dir\" in " + config);
    }
  }

  // The board template.
  std::optional<phi::PlatformTemplate> platform;
  if (o.platformTemplate().empty()) {
    r.fail("platform template", "none configured",
           "set \"platform_template\" in " + config + " to an installed board's name or a file");
  } else {
    try {
      platform = phi::loadPlatformTemplate(o.platformTemplate());
      r.ok("platform template", platform->name() + " (" + o.platformTemplate() + ")");
    } catch (const phi::Error& e) {
      r.fail("platform template", e.what(), "correct the template (docs/platform-templates.md) or name another one");
    }
  }

  // The hypervisor: the driver asks it which of the board's CPUs it holds.
  std::optional<std::vector<int>> busy;
  if (!driver || !platform) {
    r.fail("hypervisor", "not checked: needs the driver and the platform template", "fix the lines above");
  } else {
    try {
      busy = driver->busyCpus(*platform);
      r.ok("hypervisor", o.backend() + " answers for board " + platform->name());
    } catch (const phi::Error& e) {
      r.fail("hypervisor", e.what(), "start the " + o.backend() + " hypervisor on this host and run runphi as root");
    }
  }

  // The template's partition CPUs: free, or held by runphi's own containers.
  if (busy) {
    try {
      phi::ResourceView view = cli.runtime.resources();
      std::set<int> ours;
      for (const auto& [owner, allocation] : view.allocations())
        ours.insert(allocation.cpus().begin(), allocation.cpus().end());
      std::vector<int> foreign;
      for (int cpu : *busy)
        if (!ours.count(cpu)) foreign.push_back(cpu);
      std::vector<int> free;
      for (int cpu : view.freeCpus())
        if (std::find(busy->begin(), busy->end(), cpu) == busy->end()) free.push_back(cpu);
      const std::string pool = "pool " + cpuList(platform->cpuPool());
      if (!foreign.empty()) {
        r.fail("cpus", pool + ": CPUs " + cpuList(foreign) + " are held by partitions runphi did not make",
               "destroy those partitions or take the CPUs out of the template's cpu pool");
      } else if (free.empty() && !platform->cpuPool().empty()) {
        r.fail("cpus",
               pool + ": every CPU is allocated to runphi's containers (" +
                   cpuList(std::vector<int>(ours.begin(), ours.end())) + ")",
               "delete a partitioned container (runphi list) to free its CPUs");
      } else {
        r.ok("cpus", pool + ", free " + cpuList(free));
      }
    } catch (const phi::Error& e) {
      r.fail("cpus", e.what(), "make the state root readable (see the state root line)");
    }
  } else {
    r.fail("cpus", "not checked: needs the hypervisor's answer", "fix the lines above");
  }

  try {
    r.ok("runc", locateRunc(o.runcPath()));
  } catch (const phi::Error& e) {
    r.fail("runc", e.what(), "install runc or set \"runc_path\" in " + config);
  }

  if (std::string problem = stateRootProblem(o.stateRoot()); problem.empty()) {
    r.ok("state root", o.stateRoot() + " is writable");
  } else {
    r.fail("state root", problem, "run runphi as root or set \"state_root\" in " + config + " to a writable directory");
  }

  if (r.failed() == 0) return 0;
  std::string summary = std::to_string(r.failed()) + " of " + std::to_string(r.total()) + " checks failed";
  cli.log.error(summary);
  std::fprintf(stderr, "runphi: %s\n", summary.c_str());
  return 1;
}

}  // namespace runphi
