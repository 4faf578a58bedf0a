// A program outside the project that embeds the installed libphi: built only
// with `pkg-config --cflags --libs libphi` (or find_package(phi)), it runs a
// partitioned container's whole lifecycle through the typed API, with the
// test driver, and checks what the resource managers hold at each step. No
// argv is forged and no runphi process runs.
//
// usage: consumer <prefix> <driver-dir> <platform-template> <work-dir>
#include <phi/phi.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
  std::printf("%s %s\n", ok ? "ok  " : "FAIL", what.c_str());
  if (!ok) ++failures;
}

std::string ids(const std::vector<int>& v) {
  std::string s;
  for (int i : v) s += (s.empty() ? "" : ",") + std::to_string(i);
  return "[" + s + "]";
}

// A ZIC bundle: config.json, and a rootfs with boot/config.json and the image.
std::string makeBundle(const std::string& work) {
  std::string bundle = work + "/bundle";
  ::mkdir(bundle.c_str(), 0755);
  ::mkdir((bundle + "/rootfs").c_str(), 0755);
  ::mkdir((bundle + "/rootfs/boot").c_str(), 0755);
  std::ofstream(bundle + "/config.json")
      << R"({"ociVersion":"1.0.2","root":{"path":"rootfs"},"annotations":{"example.org/owner":"consumer"},)"
      << R"("linux":{"resources":{"cpu":{"quota":200000,"period":100000},"memory":{"limit":33554432}}}})";
  std::ofstream(bundle + "/rootfs/boot/config.json") << R"({"os_var":"zephyr","inmate":"/boot/zephyr.bin"})";
  std::ofstream(bundle + "/rootfs/boot/zephyr.bin") << std::string(4096, 'z');
  return bundle;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s <prefix> <driver-dir> <platform-template> <work-dir>\n", argv[0]);
    return 2;
  }
  const std::string prefix = argv[1], driverDir = argv[2], platform = argv[3], work = argv[4];

  // The header the program was compiled with and the library it loaded agree.
  check(std::strcmp(phi::libraryVersion(), PHI_VERSION_STRING) == 0,
        std::string("libphi ") + phi::libraryVersion() + " loaded, headers " + PHI_VERSION_STRING);

  // Settings in memory, log lines into this program.
  std::vector<std::string> logLines;
  phi::RuntimeOptions options;
  options.setBackend("test")
      .setPlatformTemplate(platform)
      .setStateRoot(work + "/state")
      .setRuncRoot("/run/consumer-example")
      .setDriverDir(driverDir)
      .setMonitorPath(prefix + "/libexec/runphi/runphi-monitor")
      .setCliPath(prefix + "/sbin/runphi")
      .addLogSink([&](const phi::LogRecord& r) { logLines.emplace_back(r.message()); }, phi::LogLevel::Debug);
  phi::Runtime runtime(options);

  // The drivers it can load, and what the test driver can do.
  bool listed = false;
  for (const phi::DriverInfo& d : runtime.drivers().list()) listed = listed || d.name() == "test";
  check(listed, "the test driver is among the loadable drivers");
  check(runtime.drivers().info("test").capabilities().pause(), "the test driver can pause");

  const phi::ResourceView initial = runtime.resources();
  check(initial.idle(), "no container holds anything yet");
  check(initial.freeCpus() == initial.platform().cpuPool(),
        "every CPU of the pool is free: " + ids(initial.freeCpus()));

  // Routing: a ZIC bundle is runphi's, an ordinary one runc's.
  const std::string bundle = makeBundle(work);
  check(runtime.routeCreate("demo", bundle).route() == phi::Route::Runphi, "the ZIC bundle is routed to runphi");

  // create
  phi::CreateRequest request("demo", bundle);
  request.setPidFile(work + "/demo.pid");
  phi::Container demo = runtime.create(request);
  phi::ContainerState s = demo.state();
  check(s.status() == phi::Status::Created, std::string("created: ") + phi::statusName(s.status()));
  check(s.canStart() && !s.canPause() && s.canKill(), "a created container can start and be killed, not paused");
  check(s.pid() > 0 && ::kill(s.pid(), 0) == 0, "its container process runs (pid " + std::to_string(s.pid()) + ")");
  check(s.annotations().at("example.org/owner") == "consumer", "annotations are kept");
  check(runtime.holds("demo") && runtime.list().size() == 1, "the runtime lists it");

  // what it holds
  phi::ResourceView held = runtime.resources();
  std::optional<phi::Allocation> a = held.allocationOf("demo");
  check(a.has_value(), "the ledger records its allocation");
  if (a) {
    check(a->cpus().size() == 2, "quota/period 200000/100000 gave 2 CPUs: " + ids(a->cpus()));
    check(a->memory().size() == 1 && a->memory()[0].size == 32u << 20, "memory limit 32 MiB gave one 32 MiB range");
    check(held.freeCpus().size() == initial.freeCpus().size() - 2, "two CPUs fewer are free: " + ids(held.freeCpus()));
  }

  // start, pause, resume
  demo.start();
  check(demo.state().status() == phi::Status::Running, "started: running");
  demo.pause();
  check(demo.state().status() == phi::Status::Paused, "paused");
  demo.resume();
  check(demo.state().status() == phi::Status::Running, "resumed: running");
  std::string json = demo.state().toJson();
  check(json.find("\"status\": \"running\"") != std::string::npos && json.find("\"id\": \"demo\"") != std::string::npos,
        "the runc-shaped state JSON");

  // A wrong transition is refused with phi::Error.
  try {
    demo.start();
    check(false, "starting a running container is refused");
  } catch (const phi::Error& e) {
    check(e.code() == phi::ErrorCode::InvalidArgument, std::string("starting it again is refused: ") + e.what());
  }

  // kill: the guest is asked to shut down; the container process sees it end.
  demo.kill(phi::Signal::parse("TERM"));
  int status = demo.wait();
  check(status == 0,
        "after TERM the guest shut down and the container process exited 0 (got " + std::to_string(status) + ")");
  phi::ContainerState stopped = demo.state();
  check(stopped.status() == phi::Status::Stopped && stopped.exitStatus() == 0, "stopped, exit status 0");
  check(stopped.canDelete(false), "a stopped container can be deleted");

  // remove: the pools are back to their initial state.
  demo.remove();
  phi::ResourceView after = runtime.resources();
  check(!runtime.holds("demo") && runtime.list().empty(), "the runtime holds nothing any more");
  check(after.idle(), "the ledger is empty");
  check(after.freeCpus() == initial.freeCpus() && after.freeMemory() == initial.freeMemory() &&
            after.freePciBdfs() == initial.freePciBdfs() && after.freeRpus() == initial.freeRpus() &&
            after.freeCommWindows() == initial.freeCommWindows(),
        "every pool is back to its initial state");
  check(!logLines.empty(), "log lines reached the program's own sink (" + std::to_string(logLines.size()) + ")");

  // Errors cross the library boundary as phi::Error with their code.
  try {
    runtime.open("demo");
    check(false, "a deleted container cannot be opened");
  } catch (const phi::Error& e) {
    check(e.code() == phi::ErrorCode::NotFound, std::string("a deleted container is NotFound: ") + e.what());
  }

  std::printf("%s: %d failure(s)\n", failures ? "consumer FAILED" : "consumer ok", failures);
  return failures ? 1 : 0;
}
