// Jailhouse cells against checked-in golden files, one directory per case
// under tests/golden/jailhouse/<board>-<kind>/: case.json (platform, ZIC
// config, allocation), expected.cell.hex (a hex dump of the .cell),
// expected.c (the C rendering) and expected.json (the JSON description).
// PHI_TEST_REGENERATE=1 rewrites the expected files.
//
// For every case also: the C rendering compiled with gcc and objcopy
// against backends/jailhouse/include/jailhouse_cell_format.h is
// byte-identical to the in-process .cell; .cell -> model, JSON -> model ->
// JSON are lossless; the Jailhouse simulator's own decoder (tests/sim,
// written independently) reads the file without problems.
#include "cell_c_renderer.hpp"
#include "cell_generator.hpp"
#include "cell_json.hpp"
#include "cell_serializer.hpp"
#include "jailhouse_settings.hpp"

#include <phi/driver/command.hpp>
#include <phi/error.hpp>
#include <phi/platform.hpp>
#include <phi/zic_config.hpp>

#include <gtest/gtest.h>
#include <json/reader.h>
#include <json/writer.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;
using namespace phi::jailhouse;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void spit(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

// "00000000  4a 48 43 45 4c 4c 0d 00  71 65 6d 75 2d 61 72 6d  |JHCELL..qemu-arm|"
std::string hexDump(const std::string& bytes) {
  std::string out;
  char buf[32];
  for (size_t off = 0; off < bytes.size(); off += 16) {
    std::snprintf(buf, sizeof buf, "%08zx ", off);
    out += buf;
    std::string ascii;
    for (size_t i = 0; i < 16; ++i) {
      if (i == 8) out += " ";
      if (off + i < bytes.size()) {
        auto b = static_cast<unsigned char>(bytes[off + i]);
        std::snprintf(buf, sizeof buf, " %02x", b);
        out += buf;
        ascii += (b >= 0x20 && b < 0x7f) ? static_cast<char>(b) : '.';
      } else {
        out += "   ";
      }
    }
    out += "  |" + ascii + "|\n";
  }
  return out;
}

std::uint64_t num(const Json::Value& v) {
  return v.isString() ? std::stoull(v.asString(), nullptr, 16) : v.asUInt64();
}

struct Generated {
  CellDescription cell;
  std::string bytes, c, json;
  phi::PlatformTemplate platform;
};

Generated generate(const fs::path& dir) {
  Json::Value c;
  std::ifstream in(dir / "case.json");
  EXPECT_TRUE(Json::parseFromStream(Json::CharReaderBuilder(), in, &c, nullptr)) << dir;
  Generated g;
  g.platform =
      phi::loadPlatformTemplate(std::string(PHI_SOURCE_DIR) + "/platform-templates/" + c["board"].asString() + ".json");
  JailhouseSettings settings = parseJailhouseSettings(g.platform);
  phi::ZicConfig zic = phi::parseZicConfig(Json::writeString(Json::StreamWriterBuilder(), c["zic"]), "case.json");
  phi::Allocation a;
  const Json::Value& al = c["allocation"];
  auto ids = [](const Json::Value& list) {
    std::vector<int> out;
    for (const Json::Value& v : list) out.push_back(v.asInt());
    return out;
  };
  auto ranges = [](const Json::Value& list) {
    std::vector<phi::MemoryRange> out;
    for (const Json::Value& v : list) out.push_back({num(v[0]), num(v[1])});
    return out;
  };
  a.setCpus(ids(al["cpus"])).setRpus(ids(al["rpus"])).setPciBdfs(ids(al["pci_bdfs"]));
  a.setMemory(ranges(al["memory"])).setCommWindows(ranges(al["comm_windows"]));
  CellRequest req{&g.platform, &settings, &a, &zic, c["partition_name"].asString()};
  g.cell = generateCell(req);
  g.bytes = serializeCell(g.cell);
  g.c = renderCellC(g.cell);
  g.json = cellToJson(g.cell);
  return g;
}

bool haveTool(const char* tool) {
  try {
    return phi::runCommand({tool, "--version"}).exitCode() == 0;
  } catch (const phi::Error&) {
    return false;
  }
}

class CellGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(CellGolden, MatchesExpectedFiles) {
  fs::path dir = fs::path(PHI_GOLDEN_DIR) / GetParam();
  Generated g = generate(dir);
  if (std::getenv("PHI_TEST_REGENERATE")) {
    spit(dir / "expected.cell.hex", hexDump(g.bytes));
    spit(dir / "expected.c", g.c);
    spit(dir / "expected.json", g.json);
  }
  EXPECT_EQ(hexDump(g.bytes), slurp(dir / "expected.cell.hex"));
  EXPECT_EQ(g.c, slurp(dir / "expected.c"));
  EXPECT_EQ(g.json, slurp(dir / "expected.json"));
  EXPECT_EQ(g.bytes.size(), cellFileSize(g.cell));
}

TEST_P(CellGolden, RoundTripsAreLossless) {
  Generated g = generate(fs::path(PHI_GOLDEN_DIR) / GetParam());
  // .cell -> model
  EXPECT_EQ(decodeCell(g.bytes, g.cell.dialect, "golden"), g.cell);
  // C and OV share one layout: a guess says C unless the console type is
  // one only the Omnivisor fork numbers.
  CellDescription guessed = decodeCellGuessingDialect(g.bytes, "golden");
  if (g.cell.dialect == Dialect::OV && guessed.dialect == Dialect::C) guessed.dialect = Dialect::OV;
  EXPECT_EQ(guessed, g.cell);
  // JSON -> model -> .cell -> model -> JSON
  CellDescription fromJson = cellFromJson(g.json, "golden.json");
  EXPECT_EQ(fromJson, g.cell);
  std::string again = serializeCell(fromJson);
  EXPECT_EQ(again, g.bytes);
  EXPECT_EQ(cellToJson(decodeCell(again, fromJson.dialect, "golden")), g.json);
}

TEST_P(CellGolden, CompiledCIsByteIdentical) {
  if (!haveTool("gcc") || !haveTool("objcopy")) GTEST_SKIP() << "gcc or objcopy is not installed";
  Generated g = generate(fs::path(PHI_GOLDEN_DIR) / GetParam());
  fs::path tmp = fs::temp_directory_path() / ("phi-cell-c-" + GetParam() + "-" + std::to_string(::getpid()));
  fs::create_directories(tmp);
  spit(tmp / "cell.c", g.c);
  phi::CommandResult cc =
      phi::runCommand({"gcc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2", "-I",
                       PHI_JAILHOUSE_C_INCLUDE_DIR, "-c", (tmp / "cell.c").string(), "-o", (tmp / "cell.o").string()});
  ASSERT_EQ(cc.exitCode(), 0) << cc.err();
  phi::CommandResult oc = phi::runCommand(
      {"objcopy", "-O", "binary", "-j", ".data", (tmp / "cell.o").string(), (tmp / "cell.bin").string()});
  ASSERT_EQ(oc.exitCode(), 0) << oc.err();
  std::string compiled = slurp(tmp / "cell.bin");
  EXPECT_EQ(compiled.size(), g.bytes.size());
  EXPECT_TRUE(compiled == g.bytes) << "compiled:\n" << hexDump(compiled) << "in-process:\n" << hexDump(g.bytes);
  // The same cell rendered for the headers of the Jailhouse build its dialect
  // names (their stand-ins, tests/jailhouse/jailhouse-headers).
  spit(tmp / "jh.c", renderCellC(g.cell, CHeader::Jailhouse));
  cc = phi::runCommand({"gcc", "-std=gnu11", "-Wall", "-Wextra", "-Werror", "-O2", "-I",
                        std::string(PHI_SOURCE_DIR) + "/tests/jailhouse/jailhouse-headers",
                        std::string("-DJH_DIALECT_") + dialectInfo(g.cell.dialect).shortName, "-c",
                        (tmp / "jh.c").string(), "-o", (tmp / "jh.o").string()});
  ASSERT_EQ(cc.exitCode(), 0) << cc.err();
  oc = phi::runCommand({"objcopy", "-O", "binary", "-j", ".data", (tmp / "jh.o").string(), (tmp / "jh.bin").string()});
  ASSERT_EQ(oc.exitCode(), 0) << oc.err();
  EXPECT_TRUE(slurp(tmp / "jh.bin") == g.bytes) << "against the dialect's Jailhouse headers";
  fs::remove_all(tmp);
}

TEST_P(CellGolden, SimulatorDecoderFindsNoProblem) {
  Generated g = generate(fs::path(PHI_GOLDEN_DIR) / GetParam());
  fs::path tmp =
      fs::temp_directory_path() / ("phi-cell-sim-" + GetParam() + "-" + std::to_string(::getpid()) + ".cell");
  spit(tmp, g.bytes);
  phi::CommandResult r = phi::runCommand({"python3", std::string(PHI_SOURCE_DIR) + "/tests/sim/jailhouse/jailhouse-sim",
                                          "decode", tmp.string(), "--dialect", g.platform.dialect()});
  fs::remove(tmp);
  Json::Value out;
  std::istringstream text(r.out());
  ASSERT_TRUE(Json::parseFromStream(Json::CharReaderBuilder(), text, &out, nullptr)) << r.out() << r.err();
  std::vector<std::string> problems;
  for (const Json::Value& p : out["problems"]) problems.push_back(p.asString());
  if (g.cell.cpus.empty() && !g.cell.rcpus.empty()) {
    // An RPU cell has no application CPU: the simulator's own invariant
    // (not a Jailhouse rule) flags it, nothing else may.
    EXPECT_EQ(problems, (std::vector<std::string>{"runtime invariant: the cell has no CPU"}));
  } else {
    EXPECT_TRUE(problems.empty()) << r.out();
  }
  EXPECT_EQ(out["size"].asUInt64(), g.bytes.size());
}

std::vector<std::string> cases() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(PHI_GOLDEN_DIR)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string testName(const ::testing::TestParamInfo<std::string>& p) {
  std::string n = p.param;
  std::replace(n.begin(), n.end(), '-', '_');
  return n;
}

INSTANTIATE_TEST_SUITE_P(Cases, CellGolden, ::testing::ValuesIn(cases()), testName);

// Every shipped Jailhouse board and guest kind has its golden case.
TEST(CellGoldenCoverage, EveryBoardAndGuestKind) {
  std::vector<std::string> have = cases();
  for (const auto& e : fs::directory_iterator(std::string(PHI_SOURCE_DIR) + "/platform-templates")) {
    if (e.path().extension() != ".json") continue;
    phi::PlatformTemplate t = phi::loadPlatformTemplate(e.path().string());
    if (t.driver() != "jailhouse") continue;
    std::vector<std::string> kinds{"baremetal", "linux"};
    if (!t.rpuPool().empty()) kinds.push_back("rpu");
    for (const std::string& k : kinds) {
      EXPECT_NE(std::find(have.begin(), have.end(), t.name() + "-" + k), have.end()) << t.name() << "-" << k;
    }
  }
}

}  // namespace
