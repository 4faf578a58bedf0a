// In-process Jailhouse cell generation against the upstream way (runPHI
// renders a C file and runs gcc and objcopy at every create), for the same
// cell: qemu-arm64, bare-metal with the virtual network (13 memory regions,
// 2 ivshmem devices, as runPHI's zephyr demo).
//
//   jailhouse_generation_bench [--in-process N] [--upstream N] [--board NAME]
//
// Prints the median of each way and their ratio. The upstream way is run with
// the same gcc flags runPHI uses (-Werror -Wall -Wextra) against runphi's own
// header; both produce the same bytes (checked on every run).
#include "cell_c_renderer.hpp"
#include "cell_generator.hpp"
#include "cell_json.hpp"
#include "cell_serializer.hpp"
#include "jailhouse_driver.hpp"
#include "jailhouse_settings.hpp"

#include <phi/driver/command.hpp>
#include <phi/error.hpp>
#include <phi/platform.hpp>
#include <phi/zic_config.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace phi::jailhouse;

namespace {

double medianUs(const std::function<void()>& fn, int runs) {
  std::vector<double> us;
  us.reserve(static_cast<size_t>(runs));
  fn();  // warm up
  for (int i = 0; i < runs; ++i) {
    auto t0 = Clock::now();
    fn();
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  std::sort(us.begin(), us.end());
  return us[us.size() / 2];
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

int main(int argc, char** argv) {
  int inProcessRuns = 2000, upstreamRuns = 30;
  std::string board = "qemu-arm64";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--in-process" && i + 1 < argc)
      inProcessRuns = std::max(1, std::atoi(argv[++i]));
    else if (a == "--upstream" && i + 1 < argc)
      upstreamRuns = std::max(1, std::atoi(argv[++i]));
    else if (a == "--board" && i + 1 < argc)
      board = argv[++i];
    else {
      std::fprintf(stderr, "usage: %s [--in-process N] [--upstream N] [--board NAME]\n", argv[0]);
      return 2;
    }
  }
  try {
    phi::PlatformTemplate platform =
        phi::loadPlatformTemplate(std::string(PHI_SOURCE_DIR) + "/platform-templates/" + board + ".json");
    JailhouseSettings settings = parseJailhouseSettings(platform);
    phi::ZicConfig zic =
        phi::parseZicConfig(R"({"os_var": "zephyr", "inmate": "/boot/zephyr.bin", "net": "virtual"})", "bench");
    phi::Allocation a;
    a.setCpus({0, 1});
    a.setMemory({phi::MemoryRange{platform.memoryPool().at(0).start, 0x4000000}});
    a.setPciBdfs({platform.pciBdfPool().at(0)});
    a.setCommWindows({platform.commWindows().at(0)});
    CellRequest req{&platform, &settings, &a, &zic, "phi-bench-0123abcd"};
    const std::string reference = serializeCell(generateCell(req));

    // Both ways write into a tmpfs when there is one, as they do on a board
    // (the state directory is under /run).
    fs::path base = fs::is_directory("/dev/shm") && ::access("/dev/shm", W_OK) == 0 ? fs::path("/dev/shm")
                                                                                    : fs::temp_directory_path();
    fs::path dir = base / ("phi-jh-bench-" + std::to_string(::getpid()));
    fs::create_directories(dir);

    // 1. In-process: model -> .cell bytes.
    std::string bytes;
    double cellOnly = medianUs([&] { bytes = serializeCell(generateCell(req)); }, inProcessRuns);
    // 2. In-process as the driver's generateConfig does it: the platform
    //    section parsed, the .cell and .c computed and written to the work dir.
    phi::OciSpec spec;
    phi::PartitionContext ctx;
    ctx.setContainerId("bench");
    ctx.setPartitionName(req.name);
    ctx.setRootfs((dir / "rootfs").string());
    ctx.setWorkDir((dir / "work").string());
    ctx.setSpec(spec);
    ctx.setZic(zic);
    ctx.setPlatform(platform);
    ctx.setAllocation(a);
    fs::create_directories(dir / "rootfs/boot");
    fs::create_directories(dir / "work");
    std::ofstream(dir / "rootfs/boot/zephyr.bin") << "zephyr";
    JailhouseDriver driver;
    double generateConfig = medianUs([&] { driver.generateConfig(ctx); }, std::max(1, inProcessRuns / 10));
    if (slurp(dir / "work" / (req.name + ".cell")) != reference) throw std::runtime_error("driver output differs");

    // 3. The upstream way: render C, gcc -c, objcopy -O binary, read the .cell.
    const std::string c = renderCellC(generateCell(req));
    double upstream = medianUs(
        [&] {
          std::ofstream(dir / "tocompile.c") << renderCellC(generateCell(req));
          phi::runCommandChecked({"gcc", "-Werror", "-Wall", "-Wextra", "-I", PHI_JAILHOUSE_C_INCLUDE_DIR, "-c",
                                  (dir / "tocompile.c").string(), "-o", (dir / "cell.o").string()});
          phi::runCommandChecked(
              {"objcopy", "-O", "binary", "-j", ".data", (dir / "cell.o").string(), (dir / "cell.cell").string()});
          bytes = slurp(dir / "cell.cell");
        },
        upstreamRuns);
    if (bytes != reference) throw std::runtime_error("gcc/objcopy output differs from the in-process .cell");
    fs::remove_all(dir);

    std::printf("Jailhouse cell generation, %s bare-metal + ivshmem-net (%zu bytes, dialect %s)\n", board.c_str(),
                reference.size(), platform.dialect().c_str());
    std::printf("  %-58s %12.1f us  (median of %d)\n", "in-process: model -> .cell", cellOnly, inProcessRuns);
    std::printf("  %-58s %12.1f us  (median of %d)\n", "in-process: driver generateConfig (.cell + .c written)",
                generateConfig, std::max(1, inProcessRuns / 10));
    std::printf("  %-58s %12.1f us  (median of %d)\n", "upstream way: render C + gcc -c + objcopy -O binary", upstream,
                upstreamRuns);
    std::printf("  ratio upstream / in-process (.cell):            %10.0fx\n", upstream / cellOnly);
    std::printf("  ratio upstream / in-process (generateConfig):   %10.0fx\n", upstream / generateConfig);
    std::printf("  aim >= 10x: %s\n", upstream / generateConfig >= 10 ? "met" : "NOT met");
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "jailhouse_generation_bench: %s\n", e.what());
    return 1;
  }
}
