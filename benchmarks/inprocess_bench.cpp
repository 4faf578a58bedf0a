// What runphi spends before it hands a forwarded call to runc: parsing argv,
// reading its configuration, deciding the route.
#include "list_output.hpp"
#include "oci_grammar.hpp"

#include <phi/routing.hpp>
#include <phi/runtime_options.hpp>

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace {

const std::vector<std::string> kContainerdCreate = {"--root",
                                                    "/run/containerd/runc/default",
                                                    "--log",
                                                    "/run/containerd/io.containerd.runtime.v2.task/default/c/log.json",
                                                    "--log-format",
                                                    "json",
                                                    "create",
                                                    "--bundle",
                                                    "/run/containerd/io.containerd.runtime.v2.task/default/c",
                                                    "--pid-file",
                                                    "/run/containerd/io.containerd.runtime.v2.task/default/c/init.pid",
                                                    "c"};

void BM_ParseContainerdCreate(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(runphi::parseCommandLine(kContainerdCreate));
}
BENCHMARK(BM_ParseContainerdCreate);

// A bundle as containerd writes it: config.json plus a rootfs without boot/.
class BundleFixture : public benchmark::Fixture {
 public:
  void SetUp(const benchmark::State&) override {
    char tmpl[] = "/tmp/phi-bench-XXXXXX";
    dir_ = mkdtemp(tmpl);
    std::filesystem::create_directories(dir_ + "/rootfs/bin");
    std::ofstream(dir_ + "/config.json")
        << R"({"ociVersion":"1.0.2-dev","process":{"args":["sh"],"cwd":"/"},"root":{"path":"rootfs"},)"
        << R"("annotations":{"io.kubernetes.cri.container-type":"sandbox"},"linux":{"namespaces":[{"type":"pid"}]}})";
  }
  void TearDown(const benchmark::State&) override { std::filesystem::remove_all(dir_); }

 protected:
  std::string dir_;
};

BENCHMARK_F(BundleFixture, BM_DecideCreate)(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(phi::decideCreate(dir_));
}

void BM_LoadMissingConfig(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(phi::RuntimeOptions::fromFile("/nonexistent/runphi.json"));
}
BENCHMARK(BM_LoadMissingConfig);

void BM_RenderListTable(benchmark::State& state) {
  std::vector<runphi::ListEntry> records(static_cast<size_t>(state.range(0)));
  for (size_t i = 0; i < records.size(); ++i) {
    runphi::ListEntry& r = records[i];
    r.id = "container-" + std::to_string(i);
    r.pid = 1000 + static_cast<int>(i);
    r.status = "running";
    r.bundle = "/run/bundle/" + std::to_string(i);
    r.rootfs = r.bundle + "/rootfs";
    r.created = "2026-11-23T10:00:00.000000001Z";
  }
  for (auto _ : state) benchmark::DoNotOptimize(runphi::renderListTable(records));
}
BENCHMARK(BM_RenderListTable)->Arg(10)->Arg(1000);

}  // namespace

BENCHMARK_MAIN();
