// Unit tests of the Jailhouse driver's parts: the serializer against the
// worked examples of jailhouse-cell-format.md §7, every dialect, the JSON
// form and its error messages, the generator's refusals, the platform
// section reader, sysfs reading, the tick source, runphi-cell's exit codes.
#include "cell_c_renderer.hpp"
#include "cell_generator.hpp"
#include "cell_json.hpp"
#include "cell_serializer.hpp"
#include "jailhouse_cli.hpp"
#include "jailhouse_driver.hpp"
#include "jailhouse_settings.hpp"
#include "jailhouse_sysfs.hpp"

#include <phi/driver/command.hpp>
#include <phi/error.hpp>
#include <phi/platform.hpp>
#include <phi/zic_config.hpp>

#include <gtest/gtest.h>
#include <json/reader.h>
#include <json/writer.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>

namespace fs = std::filesystem;
using namespace phi::jailhouse;

namespace {

std::uint64_t le(const std::string& b, size_t off, int n) {
  std::uint64_t v = 0;
  for (int i = 0; i < n; ++i)
    v |= std::uint64_t{static_cast<unsigned char>(b[off + static_cast<size_t>(i)])} << (8 * i);
  return v;
}

// runphi-cell's argv; in a cross build through the emulator that runs the
// test itself (PHI_TARGET_EMULATOR: its argv joined with '|').
std::vector<std::string> cellTool(std::vector<std::string> args) {
  std::vector<std::string> argv;
  std::string emulator = PHI_TARGET_EMULATOR;
  for (size_t start = 0; !emulator.empty() && start <= emulator.size();) {
    size_t bar = emulator.find('|', start);
    if (bar == std::string::npos) bar = emulator.size();
    argv.push_back(emulator.substr(start, bar - start));
    start = bar + 1;
  }
  argv.push_back(PHI_RUNPHI_CELL);
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

MemoryRegion region(std::uint64_t phys, std::uint64_t virt, std::uint64_t size, std::uint64_t flags) {
  return MemoryRegion{phys, virt, size, flags, 0};
}

// runPHI's QEMU zephyr demo cell as jailhouse-cell-format.md §7 describes it.
CellDescription zephyrDemo(Dialect d) {
  CellDescription c;
  c.dialect = d;
  c.name = "qemu-arm64-zephyr-demo";
  c.flags = kCellPassiveCommreg | kCellVirtualConsolePermitted;
  c.cpus = {0, 1};
  c.cpuSetBytes = 8;
  c.vpciIrqBase = 108;
  c.cpuResetAddress = 0x70000000;
  c.console = Console{0x09000000, 0, 3, 0x3, 0, 0, 0};
  c.memoryRegions = {region(0x7faf0000, 0x7faf0000, 0x1000, 0x81),
                     region(0x7faf1000, 0x7faf1000, 0x9000, 0x83),
                     region(0x7fafa000, 0x7fafa000, 0x2000, 0x81),
                     region(0x7fafc000, 0x7fafc000, 0x2000, 0x81),
                     region(0x7fafe000, 0x7fafe000, 0x2000, 0x83),
                     region(0x7fb00000, 0x7fb00000, 0x1000, 0x81),
                     region(0, 0, 0, 0),
                     region(0x7fb01000, 0x7fb01000, 0x7f000, 0x81),
                     region(0x7fb80000, 0x7fb80000, 0x7f000, 0x83),
                     region(0x09000000, 0x09000000, 0x1000, 0x93),
                     region(0x7f900000, 0, 0x10000, 0x47),
                     region(0x70000000, 0x70000000, 0x8000000, 0x4f),
                     region(0, 0x80000000, 0x1000, 0x23)};
  Irqchip gic;
  gic.address = 0x08000000;
  gic.pinBase = 32;
  for (std::uint32_t pin : {33u, 140u, 141u}) irqchipAddPin(gic, pin);
  c.irqchips = {gic};
  PciDevice demo;
  demo.type = kPciTypeIvshmem;
  demo.domain = 1;
  demo.bdf = 0;
  demo.barMask = {kIvshmemBarMaskIntx, 0, 0, 0, 0, 0};
  demo.shmemRegionsStart = 0;
  demo.shmemDevId = 2;
  demo.shmemPeers = 3;
  PciDevice net = demo;
  net.domain = 0;
  net.bdf = 0x0008;
  net.shmemRegionsStart = 5;
  net.shmemDevId = 1;
  net.shmemPeers = 2;
  net.shmemProtocol = kShmemProtoVeth;
  c.pciDevices = {demo, net};
  return c;
}

// ---------------------------------------------------------------- §7 examples

TEST(Serializer, ZephyrDemoDialectBMatchesTheWorkedExample) {
  std::string b = serializeCell(zephyrDemo(Dialect::B));
  ASSERT_EQ(b.size(), 808u);  // §7.3
  EXPECT_EQ(b.substr(0, 8), std::string("JHCELL\x0d\x00", 8));
  EXPECT_EQ(b.substr(8, 22), "qemu-arm64-zephyr-demo");
  EXPECT_EQ(b.substr(0x1e, 10), std::string(10, '\0'));
  EXPECT_EQ(le(b, 0x28, 4), 0u);           // id
  EXPECT_EQ(le(b, 0x2c, 4), 0x40000001u);  // flags
  EXPECT_EQ(le(b, 0x30, 4), 8u);           // cpu_set_size
  EXPECT_EQ(le(b, 0x34, 4), 13u);          // memory regions
  EXPECT_EQ(le(b, 0x3c, 4), 1u);           // irqchips
  EXPECT_EQ(le(b, 0x44, 4), 2u);           // pci devices
  EXPECT_EQ(le(b, 0x50, 4), 0u);           // qos devices
  EXPECT_EQ(le(b, 0x54, 4), 108u);         // vpci_irq_base
  EXPECT_EQ(le(b, 0x58, 8), 0x70000000u);  // cpu_reset_address
  EXPECT_EQ(le(b, 0x68, 8), 0x09000000u);  // console.address
  EXPECT_EQ(le(b, 0x74, 2), 3u);           // PL011
  EXPECT_EQ(le(b, 0x76, 2), 3u);           // MMIO | REGDIST_4
  EXPECT_EQ(le(b, 0x88, 8), 3u);           // CPUs 0, 1
  EXPECT_EQ(le(b, 0x90, 8), 0x7faf0000u);  // region 0
  EXPECT_EQ(le(b, 0x158, 8), 0x7fb00000u);
  EXPECT_EQ(b.substr(0x180, 40), std::string(40, '\0'));  // the empty rw entry
  EXPECT_EQ(le(b, 0x1d0 + 24, 8), 0x83u);
  EXPECT_EQ(le(b, 0x1f8 + 24, 8), 0x93u);  // UART
  EXPECT_EQ(le(b, 0x248 + 16, 8), 0x8000000u);
  EXPECT_EQ(le(b, 0x270 + 8, 8), 0x80000000u);  // comm region
  EXPECT_EQ(le(b, 0x298, 8), 0x08000000u);      // irqchip
  EXPECT_EQ(le(b, 0x298 + 16, 4), 0x2u);
  EXPECT_EQ(le(b, 0x298 + 28, 4), 0x3000u);
  EXPECT_EQ(le(b, 0x2b8, 1), 3u);           // PCI #0 type
  EXPECT_EQ(le(b, 0x2be, 4), 0xfffff000u);  // bar_mask[0], unaligned
  EXPECT_EQ(le(b, 0x2ec, 1), 2u);           // dev_id
  EXPECT_EQ(le(b, 0x2f0 + 4, 2), 0x0008u);  // PCI #1 bdf 00:01.0
  EXPECT_EQ(le(b, 0x320, 4), 5u);           // regions_start
  EXPECT_EQ(le(b, 0x326, 2), 1u);           // VETH
}

TEST(Serializer, ZephyrDemoUpstreamDialectsAre700Bytes) {
  for (Dialect d : {Dialect::A12, Dialect::A13, Dialect::A14}) {
    CellDescription c = zephyrDemo(d);
    if (d == Dialect::A14) c.architecture = kArchArm64;
    std::string b = serializeCell(c);
    ASSERT_EQ(b.size(), 700u) << dialectInfo(d).name;  // §7.4
    EXPECT_EQ(le(b, 0x50, 4), 108u);
    EXPECT_EQ(le(b, 0x54, 8), 0x70000000u);
    EXPECT_EQ(le(b, 0x64, 8), 0x09000000u);
    EXPECT_EQ(le(b, 0x84, 8), 3u);
  }
  EXPECT_EQ(serializeCell(zephyrDemo(Dialect::A12)).substr(0, 8), std::string("JHCELL\x0c\x00", 8));
  EXPECT_EQ(serializeCell(zephyrDemo(Dialect::A13)).substr(0, 8), std::string("JHCELL\x0d\x00", 8));
  CellDescription a14 = zephyrDemo(Dialect::A14);
  a14.architecture = kArchArm64;
  EXPECT_EQ(serializeCell(a14).substr(0, 8), std::string("JHCLL\x02\x0e\x00", 8));
}

TEST(Serializer, OmnivisorExampleLayout) {
  // §7.4: arch 2, 1 CPU word, 1 rCPU word, 7 regions, 1 irqchip, 1 ivshmem
  // device with both MSI bits, 2 stream IDs: 532 bytes.
  CellDescription c;
  c.dialect = Dialect::C;
  c.name = "kria-test";
  c.architecture = kArchArm64;
  c.cpus = {1};
  c.rcpus = {0};
  c.rcpuSetBytes = 8;
  c.memoryRegions = {region(0x7e000000, 0x7e000000, 0x1000, 0x81),
                     region(0, 0, 0, 0),
                     region(0x7e001000, 0x7e001000, 0x7f000, 0x81),
                     region(0x7e080000, 0x7e080000, 0x7f000, 0x83),
                     region(0xffe00000, 0xffe00000, 0x10000, 0x47 | kMemTcmA),
                     MemoryRegion{0x40000000, 0, 0x100000, 0x47 | kMemColored, 0xf},
                     region(0, 0x80000000, 0x1000, 0x23)};
  Irqchip gic;
  gic.address = 0xf9010000;
  gic.pinBase = 32;
  irqchipAddPin(gic, 33);
  c.irqchips = {gic};
  PciDevice p;
  p.type = kPciTypeIvshmem;
  p.bdf = 8;
  p.msi64Bits = p.msiMaskable = true;
  p.shmemDevId = 1;
  p.shmemPeers = 2;
  c.pciDevices = {p};
  c.streamIds = {0x7f001234, 0};
  std::string b = serializeCell(c);
  ASSERT_EQ(b.size(), 532u);
  EXPECT_EQ(b.substr(0, 8), std::string("JHCLL\x02\x0e\x00", 8));
  EXPECT_EQ(le(b, 0x34, 4), 8u);  // rcpu_set_size
  EXPECT_EQ(le(b, 0x38, 4), 7u);  // memory regions
  EXPECT_EQ(le(b, 0x8c, 8), 2u);  // CPU set
  EXPECT_EQ(le(b, 0x94, 8), 1u);  // rCPU set, before the memory regions
  EXPECT_EQ(le(b, 0x9c, 8), 0x7e000000u);
  EXPECT_EQ(le(b, 0x1b4, 8), 0xf9010000u);
  EXPECT_EQ(le(b, 0x1d4, 1), 3u);
  EXPECT_EQ(le(b, 0x1f7, 1), 3u);  // msi bit-field byte
  EXPECT_EQ(b.substr(0x20c, 4), std::string("\x34\x12\x00\x7f", 4));
  // The MMU-500 view in JSON gives the same word.
  CellDescription j = cellFromJson(
      R"({"dialect":"C","name":"x","architecture":"arm64","cpus":[0],"stream_ids":[{"id":"0x1234","mask_out":"0x7f00"}]})",
      "j");
  EXPECT_EQ(j.streamIds, (std::vector<std::uint32_t>{0x7f001234}));
}

// ---------------------------------------------------------------- dialects

CellDescription everything(Dialect d) {
  CellDescription c = zephyrDemo(d);
  const DialectInfo& info = dialectInfo(d);
  if (info.architectureByte) c.architecture = kArchArm64;
  c.id = 0;
  c.cpus = {0, 3, 70};
  c.cpuSetBytes = 16;
  c.cacheRegions = {CacheRegion{0, 4, 3, 1}};
  c.pioRegions = {PioRegion{0x2f8, 8}};
  c.pciCapabilities = {PciCapability{0x5, 0x50, 14, 1}, PciCapability{0x8001, 0x100, 0x40, 0}};
  c.pciDevices[0].capsStart = 0;
  c.pciDevices[0].numCaps = 2;
  c.streamIds = {1, 0x7f001234};
  c.msgReplyTimeout = 0xffffffffffull;
  c.console.clockReg = 0xff5e0000;
  c.console.divider = 27;
  c.console.gateNr = 3;
  if (info.qosDevices) c.qosDevices = {QosDevice{"rpu0", 0x3, 0xa42100}, QosDevice{"fifteen-chars-x", 7, 0}};
  if (info.memoryRegionBytes == 40)
    c.memoryRegions[11] = MemoryRegion{0x70000000, 0x70000000, 0x8000000, 0x4f | kMemColored, 0xff00};
  if (info.rcpuSet) {
    c.rcpus = {1};
    c.rcpuSetBytes = 8;
  }
  return c;
}

class EveryDialect : public ::testing::TestWithParam<Dialect> {};

TEST_P(EveryDialect, BinaryAndJsonRoundTripsAreLossless) {
  CellDescription c = everything(GetParam());
  std::string bytes = serializeCell(c);
  EXPECT_EQ(bytes.size(), cellFileSize(c));
  EXPECT_EQ(decodeCell(bytes, GetParam(), "t"), c);
  std::string json = cellToJson(c);
  CellDescription back = cellFromJson(json, "t.json");
  EXPECT_EQ(back, c);
  EXPECT_EQ(cellToJson(back), json);
  EXPECT_EQ(serializeCell(back), bytes);
}

TEST_P(EveryDialect, CRenderingMentionsTheDialectStruct) {
  std::string src = renderCellC(everything(GetParam()));
  EXPECT_NE(src.find(std::string("struct jhc_cell_desc_") + dialectInfo(GetParam()).cStructSuffix), std::string::npos);
  EXPECT_NE(src.find("JHC_ARRAY_SIZE(config.pci_caps)"), std::string::npos);
}

bool haveCompiler() {
  try {
    return phi::runCommand({"gcc", "--version"}).exitCode() == 0 &&
           phi::runCommand({"objcopy", "--version"}).exitCode() == 0;
  } catch (const phi::Error&) {
    return false;
  }
}

// The stand-ins for each dialect's Jailhouse headers (tests/jailhouse/jailhouse-headers).
const char* kJailhouseHeaders = PHI_SOURCE_DIR "/tests/jailhouse/jailhouse-headers";

// gcc -c + objcopy -O binary -j .data: the old pipeline's bytes for `src`,
// against runphi's header or the stand-in Jailhouse headers of `dialect`.
std::string compileCell(const std::string& src, CHeader header, Dialect dialect, std::string* error) {
  static int serial = 0;
  fs::path dir =
      fs::temp_directory_path() / ("phi-jh-cc-" + std::to_string(::getpid()) + "-" + std::to_string(serial++));
  fs::create_directories(dir);
  std::ofstream(dir / "c.c") << src;
  std::vector<std::string> argv{"gcc", "-Wall", "-Wextra", "-Werror"};
  if (header == CHeader::Runphi) {
    argv.insert(argv.end(), {"-std=c11", "-pedantic", "-I", PHI_JAILHOUSE_C_INCLUDE_DIR});
  } else {
    // Jailhouse's headers use GNU C (bit-fields of __u8); so do its configs.
    argv.insert(argv.end(),
                {"-std=gnu11", "-I", kJailhouseHeaders, std::string("-DJH_DIALECT_") + dialectInfo(dialect).shortName});
  }
  argv.insert(argv.end(), {"-c", (dir / "c.c").string(), "-o", (dir / "c.o").string()});
  auto cc = phi::runCommand(argv);
  std::string out;
  if (cc.exitCode() != 0) {
    *error = cc.err();
  } else {
    auto oc =
        phi::runCommand({"objcopy", "-O", "binary", "-j", ".data", (dir / "c.o").string(), (dir / "c.bin").string()});
    if (oc.exitCode() != 0) {
      *error = oc.err();
    } else {
      std::ifstream in(dir / "c.bin", std::ios::binary);
      std::stringstream s;
      s << in.rdbuf();
      out = s.str();
    }
  }
  fs::remove_all(dir);
  return out;
}

TEST_P(EveryDialect, CompiledCIsByteIdentical) {
  if (!haveCompiler()) GTEST_SKIP() << "gcc or objcopy is not installed";
  CellDescription c = everything(GetParam());
  for (CHeader h : {CHeader::Runphi, CHeader::Jailhouse}) {
    std::string error;
    std::string bytes = compileCell(renderCellC(c, h), h, GetParam(), &error);
    ASSERT_TRUE(error.empty()) << error << renderCellC(c, h);
    EXPECT_TRUE(bytes == serializeCell(c)) << (h == CHeader::Runphi ? "runphi's header" : "Jailhouse's headers");
  }
}

TEST_P(EveryDialect, JailhouseHeaderRenderingUsesTheirNames) {
  CellDescription c = everything(GetParam());
  c.pciDevices[1].msi64Bits = true;
  std::string src = renderCellC(c, CHeader::Jailhouse);
  EXPECT_NE(src.find("struct jailhouse_cell_desc cell;"), std::string::npos);
  EXPECT_NE(src.find(".msi_64bits = 1,"), std::string::npos);
  EXPECT_NE(src.find(".msi_maskable = 0,"), std::string::npos);
  EXPECT_EQ(src.find("msi_flags"), std::string::npos);
  EXPECT_EQ(src.find("JHC_"), std::string::npos);
  EXPECT_NE(src.find("JAILHOUSE_MEM_READ"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    All, EveryDialect, ::testing::Values(Dialect::A12, Dialect::A13, Dialect::A14, Dialect::B, Dialect::C, Dialect::OV),
    [](const ::testing::TestParamInfo<Dialect>& p) { return std::string(dialectInfo(p.param).shortName); });

// ---------------------------------------------------------------- cells Jailhouse loads

// tests/jailhouse/upstream-style-cells: configs written as Jailhouse's own
// are, each with something only runphi's stricter rules refuse.
struct UpstreamStyleCase {
  const char* file;
  const char* warning;  // "" when the cell keeps every strict rule
};

class UpstreamStyleCells : public ::testing::TestWithParam<UpstreamStyleCase> {};

TEST_P(UpstreamStyleCells, DecodeReencodeAndCompile) {
  if (!haveCompiler()) GTEST_SKIP() << "gcc or objcopy is not installed";
  const UpstreamStyleCase& tc = GetParam();
  fs::path path = fs::path(PHI_SOURCE_DIR) / "tests/jailhouse/upstream-style-cells" / tc.file;
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  const std::string src = text.str();
  const std::string tag = "/* dialect: ";
  ASSERT_EQ(src.rfind(tag, 0), 0u) << path;
  Dialect dialect = parseDialect(src.substr(tag.size(), src.find(" */") - tag.size()), tc.file);
  std::string error;
  const std::string bytes = compileCell(src, CHeader::Jailhouse, dialect, &error);
  ASSERT_TRUE(error.empty()) << error;

  std::vector<std::string> warnings;
  CellDescription cell = decodeCell(bytes, dialect, tc.file, Rules::Hypervisor, &warnings);
  if (*tc.warning) {
    ASSERT_FALSE(warnings.empty());
    EXPECT_NE(warnings[0].find(tc.warning), std::string::npos) << warnings[0];
    EXPECT_THROW(decodeCell(bytes, dialect, tc.file), phi::Error);  // Rules::Strict
  } else {
    EXPECT_TRUE(warnings.empty()) << warnings[0];
  }
  EXPECT_TRUE(serializeCell(cell, tc.file, Rules::Hypervisor) == bytes);
  CellDescription back = cellFromJson(cellToJson(cell), tc.file, std::nullopt, Rules::Hypervisor);
  EXPECT_EQ(back, cell);
  for (CHeader h : {CHeader::Runphi, CHeader::Jailhouse}) {
    std::string again = compileCell(renderCellC(cell, h), h, dialect, &error);
    ASSERT_TRUE(error.empty()) << error << renderCellC(cell, h);
    EXPECT_TRUE(again == bytes) << (h == CHeader::Runphi ? "runphi's header" : "Jailhouse's headers");
  }

  // The command: a warning and exit 0; with --strict exit 1.
  fs::path cellFile = fs::temp_directory_path() / ("phi-jh-us-" + std::to_string(::getpid()) + ".cell");
  std::ofstream(cellFile, std::ios::binary) << bytes;
  auto r = phi::runCommand(cellTool({"decode", cellFile.string(), "--dialect", dialectInfo(dialect).name}));
  EXPECT_EQ(r.exitCode(), 0) << r.err();
  EXPECT_EQ(r.out(), cellToJson(cell));
  if (*tc.warning) {
    EXPECT_NE(r.err().find("runphi-cell: warning: "), std::string::npos) << r.err();
    r = phi::runCommand(cellTool({"decode", cellFile.string(), "--dialect", dialectInfo(dialect).name, "--strict"}));
    EXPECT_EQ(r.exitCode(), 1);
    EXPECT_NE(r.err().find(tc.warning), std::string::npos) << r.err();
  }
  fs::remove(cellFile);
}

INSTANTIATE_TEST_SUITE_P(
    Files, UpstreamStyleCells,
    ::testing::Values(UpstreamStyleCase{"ivshmem-dev-id-above-peers.c", "shmem_dev_id: 3 is not below shmem_peers 2"},
                      UpstreamStyleCase{"omnivisor-linflex-console.c", ""},
                      UpstreamStyleCase{"omnivisor-scif-console.c", ""},
                      UpstreamStyleCase{"colors-without-colored.c", "colors: set without the COLORED flag"},
                      UpstreamStyleCase{"empty-qos-entries.c", "qos_devices[2].name: is empty"},
                      UpstreamStyleCase{"x86-pio-console-v012.c", ""}),
    [](const ::testing::TestParamInfo<UpstreamStyleCase>& p) {
      std::string n = p.param.file;
      n = n.substr(0, n.size() - 2);
      for (char& ch : n)
        if (ch == '-') ch = '_';
      return n;
    });

TEST(UpstreamStyleCellsByHand, ConsoleTypesFollowTheDialectsHeaders) {
  // Type 11: LINFLEX in the Omnivisor fork; runPHI's copies end at 10.
  CellDescription c = everything(Dialect::OV);
  c.console.type = 11;
  std::string ov = serializeCell(c);
  EXPECT_EQ(candidateDialects(ov), std::vector<Dialect>{Dialect::OV});
  EXPECT_NE(renderCellC(c, CHeader::Jailhouse).find(".type = JAILHOUSE_CON_TYPE_LINFLEX,"), std::string::npos);
  std::vector<std::string> warnings;
  CellDescription asC = decodeCell(ov, Dialect::C, "c.cell", Rules::Hypervisor, &warnings);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("console.type: 11 is not a console type of dialect runphi-omnivisor"), std::string::npos);
  EXPECT_TRUE(serializeCell(asC, "c", Rules::Hypervisor) == ov);
  // Type 10 by name: SCIF upstream and in the fork, LINFLEX in runPHI's copies.
  auto typeOf = [](const char* dialect, const char* name) {
    return cellFromJson(std::string(R"({"dialect": ")") + dialect +
                            R"(", "name": "c", "architecture": "arm64", "cpus": [0], "console": {"type": ")" + name +
                            R"("}})",
                        "t.json")
        .console.type;
  };
  EXPECT_EQ(typeOf("upstream-rev14", "SCIF"), 10);
  EXPECT_EQ(typeOf("runphi-omnivisor", "LINFLEX"), 10);
  EXPECT_EQ(typeOf("omnivisor-rev14", "SCIF"), 10);
  EXPECT_EQ(typeOf("omnivisor-rev14", "LINFLEX"), 11);
  EXPECT_EQ(typeOf("omnivisor-rev14", "JAILHOUSE_CON_TYPE_LINFLEX"), 11);
  EXPECT_THROW(typeOf("runphi-omnivisor", "SCIF"), phi::Error);
  EXPECT_THROW(typeOf("upstream-rev14", "LINFLEX"), phi::Error);
}

TEST(UpstreamStyleCellsByHand, EveryHeaderFlagNameIsAccepted) {
  // Console flags, the zero-valued ones of upstream x86 configs included.
  CellDescription c = cellFromJson(
      R"({"dialect": "A12", "name": "c", "cpus": [1], "console": {"address": "0x3f8", "type": "8250",
          "flags": ["ACCESS_PIO", "REGDIST_1", "JAILHOUSE_CON_FB_1024x768"]},
          "memory_regions": [{"size": "0x1000", "flags": ["JAILHOUSE_MEM_READ", "IO", "IO_UNALIGNED"]}]})",
      "t.json");
  EXPECT_EQ(c.console.flags, 0);
  EXPECT_EQ(c.memoryRegions[0].flags, 0x111u);  // v0.12: IO_UNALIGNED is 0x100
  for (Dialect d : allDialects()) {
    for (const NamedValue& n : cellFlagNames(d)) {
      std::string json = std::string(R"({"dialect": ")") + dialectInfo(d).name + R"(", "name": "c", )" +
                         (dialectInfo(d).architectureByte ? R"("architecture": "arm64", )" : "") +
                         R"("cpus": [1], "flags": [")" + n.name + R"("]})";
      EXPECT_EQ(cellFromJson(json, "t.json").flags, n.value) << json;
    }
    for (const NamedValue& n : memoryFlagNamesOf(d)) {
      std::string json = std::string(R"({"dialect": ")") + dialectInfo(d).name + R"(", "name": "c", )" +
                         (dialectInfo(d).architectureByte ? R"("architecture": "arm64", )" : "") +
                         R"("cpus": [1], "memory_regions": [{"size": "0x1000", "flags": ["JAILHOUSE_MEM_)" + n.name +
                         R"("]}]})";
      CellDescription m = cellFromJson(json, "t.json", std::nullopt, Rules::Hypervisor);
      EXPECT_EQ(m.memoryRegions[0].flags, n.value) << json;
    }
  }
  EXPECT_THROW(cellFromJson(R"({"dialect": "A12", "name": "c", "cpus": [1],
                                "memory_regions": [{"size": "0x1000", "flags": ["NO_HUGEPAGES"]}]})",
                            "t.json"),
               phi::Error);
}

TEST(Dialects, CollidingSignaturesAreToldApartByLength) {
  CellDescription a13 = zephyrDemo(Dialect::A13);
  CellDescription b = zephyrDemo(Dialect::B);
  EXPECT_EQ(candidateDialects(serializeCell(a13)), std::vector<Dialect>{Dialect::A13});
  EXPECT_EQ(candidateDialects(serializeCell(b)), std::vector<Dialect>{Dialect::B});
  EXPECT_EQ(decodeCellGuessingDialect(serializeCell(b), "b"), b);
  // Decoding with the wrong one of a colliding pair says why.
  try {
    decodeCell(serializeCell(b), Dialect::A13, "x.cell");
    FAIL();
  } catch (const phi::Error& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "the header's counts make 700 bytes in dialect upstream-rev13, but the file has 808"),
              std::string::npos)
        << e.what();
  }
}

TEST(Dialects, NamesAndShortNames) {
  EXPECT_EQ(parseDialect("runphi-rev13", "d"), Dialect::B);
  EXPECT_EQ(parseDialect("C", "d"), Dialect::C);
  EXPECT_EQ(parseDialect("upstream-v0.12", "d"), Dialect::A12);
  EXPECT_THROW(parseDialect("rev13", "d"), phi::Error);
}

// ---------------------------------------------------------------- malformed .cell

void expectDecodeError(const std::string& bytes, Dialect d, const std::string& needle) {
  try {
    decodeCell(bytes, d, "bad.cell");
    ADD_FAILURE() << "accepted; expected: " << needle;
  } catch (const phi::Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).rfind("bad.cell: ", 0), 0u) << e.what();
  }
}

TEST(Decoder, RejectsMalformedFiles) {
  std::string good = serializeCell(zephyrDemo(Dialect::B));
  expectDecodeError("", Dialect::B, "shorter than the 136-byte cell header");
  expectDecodeError(good.substr(0, 200), Dialect::B, "counts make 808 bytes");
  expectDecodeError(good + "x", Dialect::B, "but the file has 809");
  std::string sig = good;
  sig[0] = 'X';
  expectDecodeError(sig, Dialect::B, "signature \"XHCELL\" is not \"JHCELL\"");
  std::string rev = good;
  rev[6] = 12;
  expectDecodeError(rev, Dialect::B, "revision 12 is not 13");
  std::string name = good;
  for (size_t i = 8; i < 40; ++i) name[i] = 'a';
  expectDecodeError(name, Dialect::B, "name is not NUL-terminated");
  std::string huge = good;
  huge[0x34] = '\xff';
  huge[0x35] = '\xff';  // 65535 memory regions
  expectDecodeError(huge, Dialect::B, "counts make");
  std::string msi = good;
  msi[0x2b8 + 35] = '\x04';
  expectDecodeError(msi, Dialect::B, "reserved MSI bits");
  std::string flags = good;
  flags[0x90 + 24 + 1] = '\x08';  // TMP_ROOT_REMAP
  expectDecodeError(flags, Dialect::B, "TMP_ROOT_REMAP");
  // Found by tests/fuzz/fuzz_cell_decode: pins past 2^32 - 1 wrapped around in
  // the JSON description (regressions/cell_decode/irqchip-pin-base-wraps).
  std::string pinBase = good;
  for (size_t i = 0; i < 4; ++i) pinBase[0x298 + 12 + i] = "\xe0\xff\xff\xff"[i];
  expectDecodeError(pinBase, Dialect::B, "irqchips[0].pin_base: 4294967264 + 128 interrupts go past 4294967295");
}

TEST(Decoder, GuessingNeedsExactlyOneDialect) {
  EXPECT_THROW(decodeCellGuessingDialect("JHCELL", "x"), phi::Error);
  EXPECT_THROW(decodeCellGuessingDialect(std::string(200, '\0'), "x"), phi::Error);
}

// ---------------------------------------------------------------- hostile JSON

void expectJsonError(const std::string& json, const std::string& needle) {
  try {
    cellFromJson(json, "cell.json");
    ADD_FAILURE() << "accepted " << json << "; expected: " << needle;
  } catch (const phi::Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << json << "\n  -> " << e.what();
    EXPECT_EQ(std::string(e.what()).rfind("cell.json: ", 0), 0u) << e.what();
  }
}

const char* kBase = R"("dialect": "runphi-rev13", "name": "c", "cpus": [1])";

std::string with(const std::string& more) {
  return std::string("{") + kBase + (more.empty() ? "" : ", " + more) + "}";
}

TEST(CellJson, HostileAndMalformedInputGetClearErrors) {
  expectJsonError("", "malformed JSON");
  expectJsonError("[]", "the top level must be a JSON object");
  expectJsonError(R"({"dialect": "B", "name": "a", "name": "b"})", "Duplicate key");
  expectJsonError(R"({"dialect": "B", "name": "a"} x)", "malformed JSON");
  expectJsonError(R"({"name": "a"})", "missing key \"dialect\"");
  expectJsonError(R"({"dialect": "Z", "name": "a"})", "\"Z\" is not a Jailhouse cell dialect");
  expectJsonError(R"({"dialect": "B"})", "missing key \"name\"");
  expectJsonError(with(R"("nmae": 1)"), "\"nmae\": unknown key");
  expectJsonError(R"({"dialect": "B", "name": ""})", "name: is empty");
  expectJsonError(R"({"dialect": "B", "name": "0123456789012345678901234567890123"})", "at most 31 fit");
  expectJsonError("{\"dialect\": \"B\", \"name\": \"a\\nb\"}", "contains byte 0x0a");
  expectJsonError("{\"dialect\": \"B\", \"name\": \"a\\u0000b\"}", "contains byte 0x00");
  expectJsonError(R"({"dialect": "B", "name": 5})", "\"name\": must be a string");
  expectJsonError(with(R"("flags": ["PASSIVE", "X"])"), "unknown flag \"PASSIVE\"");
  expectJsonError(with(R"("flags": "0x100")"), "flags: unknown bits 0x100");
  expectJsonError(with(R"("flags": -1)"), "is negative");
  expectJsonError(with(R"("flags": 1.5)"), "must be an unsigned integer");
  expectJsonError(with(R"("flags": "0x1ffffffff")"), "does not fit 32 bits");
  expectJsonError(with(R"("vpci_irq_base": "108")"), "\"108\" is not a number");
  expectJsonError(with(R"("cpu_reset_address": "0x10000000000000000")"), "does not fit 64 bits");
  expectJsonError(with(R"("cpu_reset_address": "0xg")"), "'g' is not a hex digit");
  expectJsonError(R"({"dialect": "B", "name": "c", "cpus": [1, 1]})", "1 is listed twice");
  expectJsonError(R"({"dialect": "B", "name": "c", "cpus": ["1"]})", "must be an integer id");
  expectJsonError(R"({"dialect": "B", "name": "c", "cpus": [99999]})", "does not fit 15 bits");
  expectJsonError(with(R"("cpu_set_bytes": 4)"), "4 is not a multiple of 8");
  expectJsonError(with(R"("cpu_set_bytes": 8192)"), "more than Jailhouse accepts");
  expectJsonError(R"({"dialect": "B", "name": "c", "cpus": [64], "cpu_set_bytes": 8})", "cpus[0]: 64 does not fit");
  expectJsonError(with(R"("rcpus": [0])"), "\"rcpus\": dialect runphi-rev13 has no rCPU set");
  expectJsonError(R"({"dialect": "C", "name": "c", "cpus": [0]})", "missing key \"architecture\"");
  expectJsonError(R"({"dialect": "C", "name": "c", "architecture": "mips", "cpus": [0]})", "\"mips\" is not");
  // A flag another dialect's headers define is not a name in this one; as a
  // number it is an unknown bit.
  expectJsonError(R"({"dialect": "A12", "name": "c", "flags": ["AARCH32"]})", "unknown flag \"AARCH32\"");
  expectJsonError(R"({"dialect": "A12", "name": "c", "flags": "0x4"})", "unknown bits 0x4");
  expectJsonError(with(R"("memory_regions": [{"size": "0x1000", "flags": ["TCM_A"]}])"),
                  "\"memory_regions[0].flags[0]\": unknown flag \"TCM_A\"");
  expectJsonError(with(R"("memory_regions": [{"size": "0x1000", "flags": "0x1000"}])"),
                  "memory_regions[0].flags: unknown bits 0x1000");
  expectJsonError(with(R"("memory_regions": [{"size": "0x1000", "flags": "0x800"}])"), "TMP_ROOT_REMAP");
  expectJsonError(with(R"("memory_regions": [{"size": "0x1000", "colors": "0xf"}])"), "set without the COLORED flag");
  expectJsonError(R"({"dialect": "A13", "name": "c", "memory_regions": [{"colors": 1}]})",
                  "\"memory_regions[0].colors\": dialect upstream-rev13 has no colors");
  expectJsonError(with(R"("memory_regions": [{"phys_start": "0xfffffffffffff000", "size": "0x2000"}])"),
                  "wraps around");
  expectJsonError(with(R"("memory_regions": [{"phys_start": "0x1000", "size": "0x1000", "flags": ["COMM_REGION"]}])"),
                  "is not 0 for the communication region");
  expectJsonError(with(R"("memory_regions": {})"), "\"memory_regions\": must be an array");
  expectJsonError(with(R"("memory_regions": [1])"), "\"memory_regions[0]\" must be a JSON object");
  expectJsonError(with(R"("irqchips": [{"address": 0, "pin_base": 32, "pins": [20]}])"), "interrupt 20 is outside");
  expectJsonError(with(R"("irqchips": [{"address": 0, "pin_base": 32, "pins": [40, 40]}])"), "listed twice");
  expectJsonError(with(R"("irqchips": [{"address": 0, "pin_base": 33}])"), "33 is not a multiple of 32");
  expectJsonError(with(R"("pci_devices": [{"type": 9, "bdf": 0}])"), "9 is not 1 (device)");
  expectJsonError(with(R"("pci_devices": [{"type": 1, "bdf": 0, "num_caps": 1}])"), "outside the 0 of pci_caps");
  expectJsonError(with(R"("pci_devices": [{"type": 3, "bdf": 8, "shmem_peers": 2, "shmem_dev_id": 2}])"),
                  "not below shmem_peers");
  expectJsonError(with(R"("pci_devices": [{"type": 3, "bdf": 8, "shmem_peers": 13}])"), "13 is not 1..12");
  expectJsonError(with(R"("pci_devices": [{"type": 3, "bdf": 8, "shmem_peers": 2, "shmem_dev_id": 1}])"),
                  "are not all among the 0 memory regions");
  expectJsonError(with(R"("pci_devices": [{"type": 1, "bdf": 0, "bar_mask": [1,2,3,4,5,6,7]}])"), "6 BARs");
  expectJsonError(with(R"("cache_regions": [{"start": 0, "size": 0, "type": 3}])"), "size: must be > 0");
  expectJsonError(with(R"("qos_devices": [{"name": "sixteen-chars-xx", "base": 0}])"), "at most 15 fit");
  expectJsonError(
      R"({"dialect": "A14", "name": "c", "architecture": "arm64", "qos_devices": [{"name": "a", "base": 0}]})",
      "\"qos_devices\": dialect upstream-rev14 has no QoS devices");
  expectJsonError(with(R"("console": {"type": 11})"), "11 is not a console type");
  expectJsonError(with(R"("console": {"type": "UART"})"), "\"UART\" is not a console type");
  expectJsonError(with(R"("console": {"flags": "0x8"})"), "reserved bits 0x8");
  expectJsonError(with(R"("stream_ids": [{"id": "0x8000"}])"), "does not fit 15 bits");
  // 16 pages at most.
  std::string many = "\"memory_regions\": [";
  for (int i = 0; i < 1700; ++i) many += std::string(i ? "," : "") + "{}";
  expectJsonError(with(many + "]"), "Jailhouse maps at most 65536");
  // Deep nesting does not exhaust the stack.
  expectJsonError(std::string(100000, '['), "malformed JSON");
}

TEST(CellJson, AcceptsEveryNumberAndFlagSpelling) {
  CellDescription c = cellFromJson(
      R"({"dialect": "B", "name": "n?\"x", "cpus": [2, 0], "flags": [1, "VIRTUAL_CONSOLE_PERMITTED"],
          "console": {"type": "PL011", "flags": "0x3", "address": 150994944},
          "memory_regions": [{"phys_start": "0X00000000070000000", "size": 4096, "flags": ["READ", "0x2"]}]})",
      "ok.json");
  EXPECT_EQ(c.cpus, (std::vector<int>{0, 2}));
  EXPECT_EQ(c.flags, 0x40000001u);
  EXPECT_EQ(c.console.type, 3);
  EXPECT_EQ(c.memoryRegions[0].physStart, 0x70000000u);
  EXPECT_EQ(c.memoryRegions[0].flags, 3u);
  // Quotes and ? in the name survive the C rendering (no trigraphs).
  EXPECT_NE(renderCellC(c).find(R"(.name = "n\?\"x")"), std::string::npos);
  // --dialect replaces the file's.
  EXPECT_EQ(cellFromJson(R"({"dialect": "B", "name": "a"})", "x", Dialect::A13).dialect, Dialect::A13);
  EXPECT_EQ(cellFromJson(R"({"name": "a"})", "x", Dialect::A12).dialect, Dialect::A12);
}

// ---------------------------------------------------------------- generator

struct Board {
  phi::PlatformTemplate platform;
  JailhouseSettings settings;
  explicit Board(const std::string& name) {
    platform = phi::loadPlatformTemplate(std::string(PHI_SOURCE_DIR) + "/platform-templates/" + name + ".json");
    settings = parseJailhouseSettings(platform);
  }
  CellDescription generate(const std::string& zicJson, const phi::Allocation& a) {
    phi::ZicConfig zic = phi::parseZicConfig(zicJson, "config.json");
    CellRequest r{&platform, &settings, &a, &zic, "phi-unit-00000000"};
    return generateCell(r);
  }
};

phi::Allocation alloc(std::vector<int> cpus, std::uint64_t start, std::uint64_t size) {
  phi::Allocation a;
  a.setCpus(std::move(cpus)).setMemory({{start, size}});
  return a;
}

void expectGeneratorError(Board& b, const std::string& zic, const phi::Allocation& a, const std::string& needle) {
  try {
    b.generate(zic, a);
    ADD_FAILURE() << "accepted " << zic << "; expected: " << needle;
  } catch (const phi::Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("cell \"phi-unit-00000000\""), std::string::npos) << e.what();
  }
}

TEST(Generator, QemuBareMetalFollowsRunphisTemplates) {
  Board q("qemu-arm64");
  CellDescription c = q.generate(R"({"os_var": "zephyr"})", alloc({0, 1}, 0x70000000, 0x4000000));
  // UART, RAM0, RAM, comm region; no ivshmem, no PCI.
  ASSERT_EQ(c.memoryRegions.size(), 4u);
  EXPECT_EQ(c.memoryRegions[1], region(0x70000000, 0, 0x10000, 0x47));
  EXPECT_EQ(c.memoryRegions[2], region(0x70010000, 0x70000000, 0x3ff0000, 0x47));
  EXPECT_TRUE(c.pciDevices.empty());
  EXPECT_EQ(irqchipPins(c.irqchips.at(0)), (std::vector<std::uint32_t>{33, 140}));
  EXPECT_EQ(c.cpuResetAddress, 0x70000000u);
  EXPECT_EQ(c.flags, 0x40000001u);
}

TEST(Generator, QemuNetOnBdfTwoGetsItsSlotsInterrupt) {
  Board q("qemu-arm64");
  phi::Allocation a = alloc({0}, 0x70000000, 0x4000000);
  a.setPciBdfs({2});
  a.setCommWindows({{0x7fa00000, 0x100000}});
  CellDescription c = q.generate(R"({"os_var": "zephyr", "net": "virtual"})", a);
  ASSERT_EQ(c.memoryRegions.size(), 13u);
  ASSERT_EQ(c.pciDevices.size(), 2u);
  EXPECT_EQ(c.pciDevices[0].shmemDevId, 2);  // runPHI: the demo device's peer id is the BDF
  EXPECT_EQ(c.pciDevices[1].bdf, 2 << 3);
  EXPECT_EQ(c.pciDevices[1].shmemRegionsStart, 5u);
  EXPECT_EQ(c.memoryRegions[5].physStart, 0x7fa00000u);
  EXPECT_EQ(c.memoryRegions[8].physStart, 0x7fa80000u);
  EXPECT_EQ(c.memoryRegions[8].flags, 0x83u);
  // INTx of slot 2: 32 + 108 + 2.
  EXPECT_EQ(irqchipPins(c.irqchips.at(0)), (std::vector<std::uint32_t>{33, 140, 142}));
}

TEST(Generator, ZynqMpRpuCellHasTcmAndRcpusOnly) {
  Board z("zcu104");
  phi::Allocation a;
  a.setRpus({1});
  a.setMemory({{0x3ed00000, 0x100000}});
  CellDescription c = z.generate(R"({"os_var": "baremetal", "rpu_req": true})", a);
  EXPECT_TRUE(c.cpus.empty());
  EXPECT_EQ(c.rcpus, std::vector<int>{1});
  EXPECT_EQ(c.rcpuSetBytes, 8u);
  ASSERT_EQ(c.memoryRegions.size(), 5u);
  EXPECT_EQ(c.memoryRegions[1].physStart, 0xffe00000u);
  EXPECT_EQ(c.memoryRegions[2].physStart, 0xffe20000u);
  EXPECT_EQ(c.streamIds.size(), 2u);
  EXPECT_EQ(c.architecture, kArchArm64);
  // Without rpu_req the TCM banks stay out.
  CellDescription plain = z.generate(R"({"os_var": "baremetal"})", alloc({0}, 0x3ed00000, 0x100000));
  EXPECT_EQ(plain.memoryRegions.size(), 3u);
  EXPECT_TRUE(plain.rcpus.empty());
}

TEST(Generator, LinuxCellHasALoaderAtTheResetAddressAndDmaRam) {
  Board k("kria-kv260");
  CellDescription c = k.generate(R"({"os_var": "linux", "dtb": "/boot/x.dtb"})", alloc({1}, 0x3ed00000, 0x8000000));
  const MemoryRegion* loader = regionAt(c, c.cpuResetAddress);
  ASSERT_NE(loader, nullptr);
  EXPECT_EQ(loader->physStart, 0x3ed00000u);
  EXPECT_EQ(loader->size, 0x10000u);
  EXPECT_TRUE(loader->flags & kMemLoadable);
  const MemoryRegion* ram = regionAt(c, 0x3ed10000);
  ASSERT_NE(ram, nullptr);
  EXPECT_EQ(ram->physStart, ram->virtStart);
  EXPECT_EQ(ram->flags, 0x4fu);
}

TEST(Generator, RefusesWhatTheCellCannotHold) {
  Board q("qemu-arm64");
  Board z("zcu104");
  phi::Allocation noBdf = alloc({0}, 0x70000000, 0x4000000);
  expectGeneratorError(q, R"({"os_var": "zephyr", "net": "virtual"})", noBdf, "no PCI BDF was allocated");
  phi::Allocation bdfNoNet = noBdf;
  bdfNoNet.setPciBdfs({1});
  bdfNoNet.setCommWindows({{0x7f900000, 0x100000}});
  expectGeneratorError(q, R"({"os_var": "zephyr"})", bdfNoNet, "a PCI BDF was allocated but net is off");
  phi::Allocation noWindow = noBdf;
  noWindow.setPciBdfs({1});
  expectGeneratorError(q, R"({"os_var": "zephyr", "net": "virtual"})", noWindow, "without a shared-memory window");
  phi::Allocation smallWindow = noWindow;
  smallWindow.setCommWindows({{0x7f900000, 0x1000}});
  expectGeneratorError(q, R"({"os_var": "zephyr", "net": "virtual"})", smallWindow,
                       "smaller than the ivshmem-net span");
  phi::Allocation demoPeer = noWindow;
  demoPeer.setPciBdfs({3});
  demoPeer.setCommWindows({{0x7fb00000, 0x100000}});
  expectGeneratorError(q, R"({"os_var": "zephyr", "net": "virtual"})", demoPeer, "has only 3 peers");
  phi::Allocation rpu = alloc({}, 0x70000000, 0x4000000);
  rpu.setRpus({0});
  expectGeneratorError(q, R"({"os_var": "zephyr", "rpu_req": true})", rpu, "has no rCPU set");
  expectGeneratorError(z, R"({"os_var": "zephyr", "rpu_req": true})", alloc({}, 0x3ed00000, 0x100000), "holds no RPU");
  expectGeneratorError(q, R"({"os_var": "zephyr"})", alloc({}, 0x70000000, 0x4000000), "no CPU was allocated");
  expectGeneratorError(q, R"({"os_var": "zephyr"})", alloc({7}, 0x70000000, 0x4000000), "CPU 7 is not one of");
  expectGeneratorError(q, R"({"os_var": "zephyr"})", alloc({0}, 0x70000000, 0x10000), "leaves nothing after");
  expectGeneratorError(q, R"({"os_var": "zephyr", "starting_vaddress": "0x60000000"})",
                       alloc({0}, 0x70000000, 0x4000000),
                       "starting_vaddress 0x60000000 is not in the cell's loadable RAM ([0x0, 0x10000), [0x70000000");
  phi::Allocation none = alloc({0}, 0, 0);
  none.setMemory({});
  expectGeneratorError(q, R"({"os_var": "zephyr"})", none, "no memory was allocated");
  // A big allocation runs RAM (virt 0x70000000) into the comm region (0x80000000).
  expectGeneratorError(q, R"({"os_var": "zephyr"})", alloc({0}, 0x70000000, 0x20000000),
                       "overlap in the cell's address space");
}

// ---------------------------------------------------------------- platform section

void expectSettingsError(const std::function<void(Json::Value&)>& edit, const std::string& needle) {
  phi::PlatformTemplate t = phi::loadPlatformTemplate(std::string(PHI_SOURCE_DIR) + "/platform-templates/zcu104.json");
  Json::Value j;
  std::istringstream in(t.driverSettingsJson());
  ASSERT_TRUE(Json::parseFromStream(Json::CharReaderBuilder(), in, &j, nullptr));
  edit(j);
  t.setDriverSettingsJson(Json::writeString(Json::StreamWriterBuilder(), j));
  try {
    parseJailhouseSettings(t);
    ADD_FAILURE() << "accepted; expected " << needle;
  } catch (const phi::Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(Settings, ShippedTemplatesParse) {
  for (const char* board : {"qemu-arm64", "qemu-arm64-upstream", "zcu104", "kria-kv260"}) {
    phi::PlatformTemplate t =
        phi::loadPlatformTemplate(std::string(PHI_SOURCE_DIR) + "/platform-templates/" + board + ".json");
    JailhouseSettings s = parseJailhouseSettings(t);
    EXPECT_EQ(s.cli, "jailhouse");
    EXPECT_EQ(s.sysfsRoot, "/sys/devices/jailhouse");
    EXPECT_EQ(s.rootCpusAssignedListPath(), "/sys/devices/jailhouse/cells/0/cpus_assigned_list");
  }
}

// The platform section of a shipped template, edited, then read.
JailhouseSettings editedSettings(const char* board, const std::function<void(Json::Value&)>& edit) {
  phi::PlatformTemplate t =
      phi::loadPlatformTemplate(std::string(PHI_SOURCE_DIR) + "/platform-templates/" + board + ".json");
  Json::Value j;
  std::istringstream in(t.driverSettingsJson());
  EXPECT_TRUE(Json::parseFromStream(Json::CharReaderBuilder(), in, &j, nullptr));
  edit(j);
  t.setDriverSettingsJson(Json::writeString(Json::StreamWriterBuilder(), j));
  return parseJailhouseSettings(t);
}

TEST(Settings, UpstreamLayoutKeys) {
  // qemu-arm64-upstream: no cell_flags (the default lets guest output reach
  // `jailhouse console`), no UART interrupt, the demo device always, its
  // output WRITE following the peer id.
  JailhouseSettings s = editedSettings("qemu-arm64-upstream", [](Json::Value&) {});
  EXPECT_EQ(s.cellFlags, kCellPassiveCommreg | kCellVirtualConsolePermitted | kCellVirtualConsoleActive);
  EXPECT_FALSE(s.uartPin.has_value());
  ASSERT_TRUE(s.ivshmemDemo.has_value());
  EXPECT_TRUE(s.ivshmemDemo->withoutNet);
  EXPECT_TRUE(s.ivshmemDemo->outputWriteFollowsDevId);
  EXPECT_EQ(s.dialect, Dialect::A14);
  // runPHI's fork template keeps its own values.
  JailhouseSettings fork = editedSettings("qemu-arm64", [](Json::Value&) {});
  EXPECT_EQ(fork.cellFlags, 0x40000001u);
  EXPECT_EQ(fork.uartPin, 33u);
  EXPECT_FALSE(fork.ivshmemDemo->withoutNet);
  EXPECT_FALSE(fork.ivshmemDemo->outputWriteFollowsDevId);
  // Refusals.
  auto refused = [](const std::function<void(Json::Value&)>& edit, const std::string& needle) {
    try {
      editedSettings("qemu-arm64-upstream", edit);
      ADD_FAILURE() << "accepted; expected " << needle;
    } catch (const phi::Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  refused([](Json::Value& j) { j["ivshmem_demo"]["when"] = "sometimes"; },
          "\"sometimes\" is not \"with_net\" or \"always\"");
  refused([](Json::Value& j) { j["ivshmem_demo"]["pci"]["dev_id"] = "bdf"; },
          "which a cell without network has none of");
  refused([](Json::Value& j) { j["cell_flags"] = "0x100"; }, "\"jailhouse.cell_flags\": unknown bits 0x100");
}

TEST(Generator, UpstreamDemoDeviceWithoutNetwork) {
  phi::PlatformTemplate t =
      phi::loadPlatformTemplate(std::string(PHI_SOURCE_DIR) + "/platform-templates/qemu-arm64-upstream.json");
  for (int devId : {0, 1, 2}) {
    JailhouseSettings s =
        editedSettings("qemu-arm64-upstream", [&](Json::Value& j) { j["ivshmem_demo"]["pci"]["dev_id"] = devId; });
    phi::Allocation a;
    a.setCpus({1});
    a.setMemory({{0x70000000, 0x100000}});
    phi::ZicConfig zic = phi::parseZicConfig(R"({"os_var": "zephyr", "inmate": "/boot/x.bin", "net": "none"})", "z");
    CellRequest req{&t, &s, &a, &zic, "phi-up"};
    CellDescription c = generateCell(req);
    ASSERT_EQ(c.pciDevices.size(), 1u);
    EXPECT_EQ(c.pciDevices[0].shmemDevId, devId);
    for (int peer = 0; peer < 3; ++peer) {
      EXPECT_EQ((c.memoryRegions[2 + static_cast<size_t>(peer)].flags & kMemWrite) != 0, peer == devId)
          << "dev_id " << devId << ", output of peer " << peer;
    }
    ASSERT_EQ(c.irqchips.size(), 1u);
    EXPECT_EQ(irqchipPins(c.irqchips[0]), std::vector<std::uint32_t>{144});  // no UART interrupt
  }
}

TEST(Settings, ContradictionsAndTyposAreErrors) {
  expectSettingsError([](Json::Value& j) { j["frobnicate"] = 1; }, "\"jailhouse.frobnicate\": unknown key");
  expectSettingsError([](Json::Value& j) { j["cell_header"]["revision"] = 13; },
                      "is not 14 of dialect omnivisor-rev14");
  expectSettingsError([](Json::Value& j) { j["cell_header"]["signature"] = "JHCELL"; }, "\"JHCELL\" is not \"JHCLL\"");
  expectSettingsError([](Json::Value& j) { j["cell_header"]["header_bytes"] = 136; }, "header_bytes");
  expectSettingsError([](Json::Value& j) { j["mem_regions"].append("RAM0"); }, "lists RAM0 but there is no \"ram0\"");
  expectSettingsError([](Json::Value& j) { j["mem_regions"].append("UART"); }, "\"UART\" is listed twice");
  expectSettingsError([](Json::Value& j) { j["mem_regions"][0] = "IVSHMEM"; }, "\"IVSHMEM\" is not one of");
  expectSettingsError([](Json::Value& j) { j["pci_devices"] = Json::Value(Json::arrayValue); },
                      "IVSHMEM_NET must be in both");
  expectSettingsError([](Json::Value& j) { j["ivshmem_net"]["pci"]["bar_mask"] = "WIDE"; }, "\"WIDE\" is not INTX");
  expectSettingsError([](Json::Value& j) { j["ivshmem_net"]["out"]["offset"] = "0x100000"; },
                      "does not hold every section");
  expectSettingsError([](Json::Value& j) { j["irqchip"]["pin_base"] = 40; }, "must be a multiple of 32");
  expectSettingsError([](Json::Value& j) { j["console_relay"] = "tty"; }, "console_relay");
  expectSettingsError([](Json::Value& j) { j["sysfs_root"] = "relative"; }, "must be an absolute path");
  expectSettingsError([](Json::Value& j) { j["rcpu_set_bytes"] = 4; }, "multiple of 8");
  expectSettingsError([](Json::Value& j) { j["cell_flags"] = "1"; }, "\"1\" is not a number");
}

// ---------------------------------------------------------------- driver pieces

struct FakeContainer {
  fs::path dir;
  phi::PlatformTemplate platform;
  phi::ZicConfig zic;
  phi::Allocation allocation;
  phi::OciSpec spec;
  // The context a driver call sees: built from the fields as they are now.
  phi::PartitionContext ctx() const {
    phi::PartitionContext c;
    c.setContainerId("c")
        .setPartitionName("phi-c-12345678")
        .setRootfs((dir / "rootfs").string())
        .setWorkDir((dir / "work").string())
        .setSpec(spec)
        .setZic(zic)
        .setPlatform(platform)
        .setAllocation(allocation);
    return c;
  }
  FakeContainer(const std::string& board, const std::string& zicJson) {
    dir = fs::temp_directory_path() / ("phi-jh-unit-" + std::to_string(::getpid()) + "-" + board);
    fs::remove_all(dir);
    fs::create_directories(dir / "rootfs/boot");
    fs::create_directories(dir / "work");
    platform = phi::loadPlatformTemplate(std::string(PHI_SOURCE_DIR) + "/platform-templates/" + board + ".json");
    zic = phi::parseZicConfig(zicJson, "config.json");
    allocation = alloc({1}, platform.memoryPool()[0].start, 0x4000000);
  }
  ~FakeContainer() { fs::remove_all(dir); }
  void file(const std::string& rel, const std::string& data) { std::ofstream(dir / "rootfs" / rel) << data; }
};

TEST(Driver, LinuxBootComesFromTheRootfs) {
  FakeContainer f("qemu-arm64",
                  R"({"os_var": "linux", "inmate": "/boot/Image", "dtb": "/boot/x.dtb", "cpio": "/boot/r.cpio"})");
  f.file("boot/Image", "k");
  f.file("boot/x.dtb", "d");
  f.file("boot/r.cpio", "r");
  JailhouseSettings s = parseJailhouseSettings(f.platform);
  LinuxBoot boot = JailhouseDriver::linuxBoot(f.ctx(), s);
  EXPECT_EQ(boot.kernel, fs::canonical(f.dir / "rootfs/boot/Image").string());
  EXPECT_EQ(boot.cmdline, "console=ttyAMA0,115200");
  f.file("boot/cmdline", "root=/dev/ram0 console=ttyAMA0\n\n");
  EXPECT_EQ(JailhouseDriver::linuxBoot(f.ctx(), s).cmdline, "root=/dev/ram0 console=ttyAMA0");
  f.file("boot/cmdline", "a\nb");
  EXPECT_THROW(JailhouseDriver::linuxBoot(f.ctx(), s), phi::Error);
  fs::remove(f.dir / "rootfs/boot/cmdline");
  fs::create_symlink("/etc/passwd", f.dir / "rootfs/boot/cmdline");  // resolved inside the rootfs: not found
  EXPECT_EQ(JailhouseDriver::linuxBoot(f.ctx(), s).cmdline, "console=ttyAMA0,115200");
  fs::remove(f.dir / "rootfs/boot/x.dtb");
  try {
    JailhouseDriver::linuxBoot(f.ctx(), s);
    FAIL();
  } catch (const phi::Error& e) {
    EXPECT_NE(std::string(e.what()).find("\"dtb\""), std::string::npos) << e.what();
  }
  auto argv = JailhouseDriver::createArgv(f.ctx(), s);
  EXPECT_EQ(argv,
            (std::vector<std::string>{"jailhouse", "cell", "create", f.ctx().workDir() + "/phi-c-12345678.cell"}));
}

TEST(Driver, GenerateConfigWritesCellAndC) {
  FakeContainer f("qemu-arm64", R"({"os_var": "zephyr", "inmate": "/boot/z.bin"})");
  f.file("boot/z.bin", std::string(100, 'z'));
  JailhouseDriver d;
  d.generateConfig(f.ctx());
  std::ifstream in(f.ctx().workDir() + "/phi-c-12345678.cell", std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  CellDescription c = decodeCell(s.str(), Dialect::B, "x");
  EXPECT_EQ(c.name, "phi-c-12345678");
  EXPECT_TRUE(fs::exists(f.ctx().workDir() + "/phi-c-12345678.c"));
  auto load = JailhouseDriver::loadArgv(f.ctx(), parseJailhouseSettings(f.platform), c);
  EXPECT_EQ(load, (std::vector<std::string>{"jailhouse", "cell", "load", "phi-c-12345678",
                                            fs::canonical(f.dir / "rootfs/boot/z.bin").string(), "-a", "0x70000000"}));
  EXPECT_EQ(d.console(f.ctx()).argv(), (std::vector<std::string>{"jailhouse", "console", "-f"}));
}

TEST(Driver, QueryStateWithoutSysfsIsAbsent) {
  FakeContainer f("zcu104", R"({"os_var": "zephyr"})");
  Json::Value j;
  std::istringstream in(f.platform.driverSettingsJson());
  ASSERT_TRUE(Json::parseFromStream(Json::CharReaderBuilder(), in, &j, nullptr));
  j["sysfs_root"] = (f.dir / "nosys").string();
  f.platform.setDriverSettingsJson(Json::writeString(Json::StreamWriterBuilder(), j));
  JailhouseDriver d;
  EXPECT_EQ(d.queryState(f.ctx()).state, phi::GuestState::Absent);
  EXPECT_NO_THROW(d.destroy(f.ctx()));  // nothing to destroy
  EXPECT_TRUE(d.console(f.ctx()).argv().empty());
  EXPECT_TRUE(d.console(f.ctx()).path().empty());
}

TEST(Driver, BusyCpusAndTheCheckBeforeCreateReadSysfs) {
  FakeContainer f("qemu-arm64", R"({"os_var": "zephyr", "inmate": "/boot/z.bin"})");
  f.file("boot/z.bin", std::string(100, 'z'));
  Json::Value j;
  std::istringstream in(f.platform.driverSettingsJson());
  ASSERT_TRUE(Json::parseFromStream(Json::CharReaderBuilder(), in, &j, nullptr));
  const fs::path sys = f.dir / "sys";
  j["sysfs_root"] = sys.string();
  j["cli"] = (f.dir / "no-jailhouse").string();  // must never run
  f.platform.setDriverSettingsJson(Json::writeString(Json::StreamWriterBuilder(), j));
  auto put = [&](const std::string& rel, const std::string& text) {
    fs::create_directories((sys / rel).parent_path());
    std::ofstream(sys / rel) << text;
  };
  JailhouseDriver d;
  EXPECT_TRUE(d.busyCpus(f.platform).empty());  // no module
  put("cells/0/name", "RootCell\n");
  put("cells/0/state", "running\n");
  put("cells/0/cpus_assigned_list", "0,2-3\n");
  put("cells/1/name", "foreign\n");
  put("cells/1/state", "running\n");
  put("cells/1/cpus_assigned_list", "1\n");
  EXPECT_EQ(d.busyCpus(f.platform), (std::vector<int>{1}));
  // A cell made after the allocation took CPU 1: refused before the CLI runs.
  d.generateConfig(f.ctx());
  try {
    d.create(f.ctx());
    FAIL() << "create went on with a CPU another cell holds";
  } catch (const phi::Error& e) {
    EXPECT_EQ(e.code(), phi::ErrorCode::InvalidArgument) << e.what();
    EXPECT_NE(std::string(e.what()).find("CPU 1 is not the root cell's"), std::string::npos) << e.what();
  }
}

TEST(JailhouseCli, EveryCommandAndItsResultIsLoggedAtDebug) {
  FakeContainer f("qemu-arm64", R"({"os_var": "zephyr"})");
  std::vector<std::string> debug, warn;
  phi::Logger log;
  log.addSink([&](const phi::LogRecord& r) { debug.emplace_back(r.message()); }, phi::LogLevel::Debug);
  log.addSink([&](const phi::LogRecord& r) { warn.emplace_back(r.message()); }, phi::LogLevel::Warn);
  phi::PartitionContext ctx = f.ctx();
  ctx.setLog(log);
  JailhouseSettings s = parseJailhouseSettings(f.platform);
  EXPECT_EQ(runJailhouse(ctx, s, {"/bin/sh", "-c", "echo oops >&2; exit 3"}).exitCode(), 3);
  EXPECT_NO_THROW(runJailhouseChecked(ctx, s, {"/bin/sh", "-c", "true"}));
  try {
    runJailhouseChecked(ctx, s, {"/bin/sh", "-c", "echo refused >&2; exit 1"});
    FAIL() << "a failed command did not throw";
  } catch (const phi::Error& e) {
    EXPECT_EQ(e.code(), phi::ErrorCode::ChildFailed);
    EXPECT_STREQ(e.what(), "`/bin/sh -c echo refused >&2; exit 1` exited with status 1: refused");
  }
  // Under qemu-user a program that cannot start looks like one that exited
  // 127 (the emulator's own exec fails in the child): not checked there.
  const bool spawnFailuresShow = std::getenv("PHI_UNDER_QEMU_USER") == nullptr;
  if (spawnFailuresShow) {
    EXPECT_THROW(runJailhouse(ctx, s, {(f.dir / "missing").string()}), phi::Error);
  }
  ASSERT_EQ(debug.size(), spawnFailuresShow ? 4u : 3u);
  EXPECT_EQ(debug[0], "jailhouse: `/bin/sh -c echo oops >&2; exit 3` exited with status 3: oops");
  EXPECT_EQ(debug[1], "jailhouse: `/bin/sh -c true` exited with status 0");
  EXPECT_EQ(debug[2], "jailhouse: `/bin/sh -c echo refused >&2; exit 1` exited with status 1: refused");
  if (spawnFailuresShow) {
    EXPECT_NE(debug[3].find("jailhouse: cannot run " + (f.dir / "missing").string()), std::string::npos) << debug[3];
  }
  EXPECT_TRUE(warn.empty());
}

// ---------------------------------------------------------------- sysfs

TEST(Sysfs, CellsAndCpuLists) {
  fs::path root = fs::temp_directory_path() / ("phi-jh-sysfs-" + std::to_string(::getpid()));
  fs::remove_all(root);
  auto put = [&](const std::string& rel, const std::string& text) {
    fs::create_directories((root / rel).parent_path());
    std::ofstream(root / rel) << text;
  };
  put("cells/0/name", "RootCell\n");
  put("cells/0/state", "running\n");
  put("cells/0/cpus_assigned_list", "0,2-3\n");
  put("cells/12/name", "phi-a-1\n");
  put("cells/12/state", "shut down\n");
  put("cells/3/name", "half\n");  // no state: being destroyed
  put("cells/x/name", "junk\n");
  std::vector<SysfsCell> cells = listCells(root.string());
  ASSERT_EQ(cells.size(), 2u);
  std::optional<SysfsCell> a = findCell(root.string(), "phi-a-1");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->id, 12);
  EXPECT_EQ(a->state, "shut down");
  EXPECT_FALSE(findCell(root.string(), "phi-a"));
  EXPECT_EQ(readCpuListFile((root / "cells/0/cpus_assigned_list").string()), (std::vector<int>{0, 2, 3}));
  put("empty", "\n");
  EXPECT_TRUE(readCpuListFile((root / "empty").string()).empty());
  put("bad", "3-1\n");
  EXPECT_THROW(readCpuListFile((root / "bad").string()), phi::Error);
  EXPECT_THROW(readCpuListFile((root / "missing").string()), phi::Error);
  EXPECT_TRUE(listCells((root / "nothing").string()).empty());
  fs::remove_all(root);
}

TEST(Sysfs, CpusInUseByOtherCells) {
  fs::path root = fs::temp_directory_path() / ("phi-jh-busy-" + std::to_string(::getpid()));
  fs::remove_all(root);
  auto put = [&](const std::string& rel, const std::string& text) {
    fs::create_directories((root / rel).parent_path());
    std::ofstream(root / rel) << text;
  };
  const std::string rootList = (root / "cells/0/cpus_assigned_list").string();
  const std::vector<int> pool{1, 2, 3};
  // No tree (module not loaded): nothing to report.
  EXPECT_TRUE(cpusInUse(root.string(), 0, rootList, pool).empty());
  put("cells/0/name", "RootCell\n");
  put("cells/0/state", "running\n");
  put("cells/0/cpus_assigned_list", "0-3\n");
  EXPECT_TRUE(cpusInUse(root.string(), 0, rootList, pool).empty());
  // A cell made by hand holds CPU 1 (the root cell no longer lists it).
  put("cells/0/cpus_assigned_list", "0,2-3\n");
  put("cells/4/name", "foreign\n");
  put("cells/4/state", "running\n");
  put("cells/4/cpus_assigned_list", "1\n");
  EXPECT_EQ(cpusInUse(root.string(), 0, rootList, pool), (std::vector<int>{1}));
  // A CPU the root cell lacks counts even when no cell lists it; a cell that
  // lists the host's CPU (outside the pool) does not matter.
  put("cells/0/cpus_assigned_list", "0\n");
  put("cells/5/name", "other\n");
  put("cells/5/state", "shut down\n");
  put("cells/5/cpus_assigned_list", "0,3\n");
  EXPECT_EQ(cpusInUse(root.string(), 0, rootList, pool), (std::vector<int>{1, 2, 3}));
  // Only the other cells when the root's list cannot be read; a cell being
  // destroyed (no list any more) is skipped.
  fs::remove(root / "cells/0/cpus_assigned_list");
  fs::remove(root / "cells/4/cpus_assigned_list");
  EXPECT_EQ(cpusInUse(root.string(), 0, rootList, pool), (std::vector<int>{3}));
  fs::remove_all(root);
}

// ---------------------------------------------------------------- runphi-cell

TEST(RunphiCell, CompileDecodeAndExitCodes) {
  fs::path dir = fs::temp_directory_path() / ("phi-jh-tool-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "c.json") << cellToJson(zephyrDemo(Dialect::B));
  auto r = phi::runCommand(
      cellTool({"compile", (dir / "c.json").string(), "-o", (dir / "c.cell").string(), "--c", (dir / "c.c").string()}));
  ASSERT_EQ(r.exitCode(), 0) << r.err();
  std::ifstream in(dir / "c.cell", std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  EXPECT_TRUE(s.str() == serializeCell(zephyrDemo(Dialect::B)));
  r = phi::runCommand(cellTool({"decode", (dir / "c.cell").string()}));
  ASSERT_EQ(r.exitCode(), 0) << r.err();
  EXPECT_EQ(r.out(), cellToJson(zephyrDemo(Dialect::B)));
  // Another dialect from the command line.
  r = phi::runCommand(
      cellTool({"compile", (dir / "c.json").string(), "--dialect", "A13", "-o", (dir / "a.cell").string()}));
  ASSERT_EQ(r.exitCode(), 0) << r.err();
  EXPECT_EQ(fs::file_size(dir / "a.cell"), 700u);
  r = phi::runCommand(cellTool({"decode", (dir / "a.cell").string(), "--dialect", "runphi-rev13"}));
  EXPECT_EQ(r.exitCode(), 1);
  EXPECT_NE(r.err().find("but the file has 700"), std::string::npos) << r.err();
  // Bad input: 1 with the file and field; usage: 2.
  std::ofstream(dir / "bad.json") << R"({"dialect": "B", "name": "x", "cpus": [1], "flgs": 0})";
  r = phi::runCommand(cellTool({"compile", (dir / "bad.json").string(), "-o", (dir / "bad.cell").string()}));
  EXPECT_EQ(r.exitCode(), 1);
  EXPECT_NE(r.err().find("bad.json: \"flgs\": unknown key"), std::string::npos) << r.err();
  EXPECT_FALSE(fs::exists(dir / "bad.cell"));
  EXPECT_EQ(phi::runCommand(cellTool({"compile", (dir / "c.json").string()})).exitCode(), 2);
  EXPECT_EQ(phi::runCommand(cellTool({"frobnicate"})).exitCode(), 2);
  EXPECT_EQ(phi::runCommand(cellTool({"decode", "/dev/null", "--bogus"})).exitCode(), 2);
  EXPECT_EQ(phi::runCommand(cellTool({"decode", (dir / "missing.cell").string()})).exitCode(), 1);
  EXPECT_EQ(phi::runCommand(cellTool({"decode", "/dev/zero"})).exitCode(), 1);  // not a regular file
  EXPECT_EQ(phi::runCommand(cellTool({"--help"})).exitCode(), 0);
  EXPECT_EQ(phi::runCommand(cellTool({"dialects"})).exitCode(), 0);
  fs::remove_all(dir);
}

}  // namespace
