// libphi/platform_template.cpp: the shipped platform templates load and hold
// the reference facts; every validation rule rejects with a message naming
// the file, the key path and the value (docs/platform-templates.md).
#include <phi/error.hpp>
#include <phi/platform.hpp>

#include "../test_support.hpp"
#include "toolkit/json.hpp"

#include <gtest/gtest.h>
#include <json/value.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#ifndef PHI_SOURCE_DIR
#error "PHI_SOURCE_DIR must name the source tree (tests/unit/platform/CMakeLists.txt)"
#endif

namespace {

using phi::ErrorCode;
using phi::MemoryRange;
using phi::PlatformTemplate;
using phitest::capturePhiError;

constexpr std::uint64_t MiB = 1024 * 1024;
const std::string kOrigin = "board.json";

std::string templatePath(const std::string& name) {
  return std::string(PHI_SOURCE_DIR) + "/platform-templates/" + name + ".json";
}

// The driver's own section as a JSON value.
Json::Value settings(const PlatformTemplate& t) {
  return phi::parseJson(t.driverSettingsJson(), t.name() + " driver settings");
}

// A "0x..." string or an integer from a driver section, as a number.
std::uint64_t num(const Json::Value& v) {
  if (v.isString()) return std::stoull(v.asString(), nullptr, 16);
  return v.asUInt64();
}

// A valid template for the test driver, to be broken one key at a time.
Json::Value base() {
  return phi::parseJson(R"({
    "name": "board",
    "description": "a board for the validator tests",
    "driver": "test",
    "dialect": "test-1",
    "arch": "x86_64",
    "cpus": {"count": 4, "pool": [1, 2, 3]},
    "memory": {"page_size": 4096, "default_partition_size": "0x4000000",
               "pool": [{"start": "0x40000000", "size": "0x10000000"}]},
    "pci": {"ivshmem_bdfs": [1, 2]},
    "comm": {"windows": [{"start": "0x7f000000", "size": "0x100000"}]},
    "rpus": [0, 1],
    "tick_source": {"kind": "monotonic"}
  })",
                        "base");
}

std::string text(const Json::Value& v) {
  return phi::toCompactJson(v);
}

Json::Value range(const char* start, const char* size) {
  Json::Value r;
  r["start"] = start;
  r["size"] = size;
  return r;
}

PlatformTemplate parse(const Json::Value& v) {
  return phi::parsePlatformTemplate(text(v), kOrigin);
}

// ---------------------------------------------------------------------------
// Shipped templates

TEST(ShippedTemplates, EveryFileLoadsAndIsNamedAfterItsFile) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(PHI_SOURCE_DIR) + "/platform-templates")) {
    if (entry.path().extension() != ".json") continue;
    std::string path = entry.path().string();
    SCOPED_TRACE(path);
    PlatformTemplate t = phi::loadPlatformTemplate(path);
    EXPECT_EQ(t.name(), entry.path().stem().string());
    EXPECT_EQ(t.sourcePath(), path);
    EXPECT_FALSE(t.description().empty());
    EXPECT_FALSE(t.dialect().empty());
    EXPECT_TRUE(settings(t).isObject());
    names.push_back(t.name());
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"kria-kv260", "qemu-arm64", "qemu-arm64-upstream", "test-board",
                                             "x86_64-xen", "zcu104"}));
}

TEST(ShippedTemplates, QemuArm64HoldsRunphiQemuTargetFacts) {
  PlatformTemplate t = phi::loadPlatformTemplate(templatePath("qemu-arm64"));
  EXPECT_EQ(t.driver(), "jailhouse");
  EXPECT_EQ(t.dialect(), "runphi-rev13");  // dialect B: JHCELL, revision 13, 136-byte header
  EXPECT_EQ(t.arch(), "arm64");
  EXPECT_EQ(t.cpuCount(), 4u);
  EXPECT_EQ(t.cpuPool(), (std::vector<int>{0, 1, 2}));  // runPHI keeps the root cell's last CPU
  // free_segments "0x70000000, 0x7f800000"
  ASSERT_EQ(t.memoryPool().size(), 1u);
  EXPECT_EQ(t.memoryPool()[0], (MemoryRange{0x70000000, 0xf800000}));
  EXPECT_EQ(t.memoryPool()[0].end(), 0x7f800000u);
  EXPECT_EQ(t.pageSize(), 4096u);
  EXPECT_EQ(t.defaultMemoryBytes(), 64 * MiB);
  EXPECT_EQ(t.pciBdfPool(), (std::vector<int>{1, 2}));
  // IVSHMEM_TEMPLATE address 0x7f900000 + (bdf - 1) * 0x100000
  EXPECT_EQ(t.commWindows(), (std::vector<MemoryRange>{{0x7f900000, 0x100000}, {0x7fa00000, 0x100000}}));
  EXPECT_TRUE(t.rpuPool().empty());
  EXPECT_EQ(t.tickSource().kind(), "monotonic");  // 0xff250000 is not a counter on QEMU

  Json::Value j = settings(t);
  EXPECT_EQ(j["preamble"].asString(), "QEMU_PREAMBLE");
  EXPECT_EQ(num(j["cell_flags"]), 0x40000001u);  // PASSIVE_COMMREG | VIRTUAL_CONSOLE_PERMITTED
  EXPECT_EQ(j["vpci_irq_base"].asInt(), 140 - 32);
  EXPECT_EQ(num(j["cpu_reset_address"]), 0x70000000u);
  EXPECT_EQ(j["console"]["type"].asInt(), 3);  // PL011
  EXPECT_EQ(num(j["console"]["address"]), 0x09000000u);
  EXPECT_EQ(num(j["console"]["flags"]), 0x3u);  // ACCESS_MMIO | REGDIST_4
  EXPECT_EQ(num(j["uart"]["phys_start"]), 0x09000000u);
  EXPECT_EQ(num(j["uart"]["size"]), 0x1000u);
  EXPECT_EQ(num(j["irqchip"]["address"]), 0x08000000u);
  EXPECT_EQ(j["irqchip"]["uart_pin"].asInt(), 33);
  EXPECT_EQ(j["irqchip"]["ivshmem_pin"].asInt(), 141);
  EXPECT_EQ(num(j["ram0"]["size"]), 0x10000u);
  EXPECT_EQ(num(j["ram"]["virt_start"]), 0x70000000u);
  EXPECT_EQ(num(j["comm_region"]["virt_start"]), 0x80000000u);
  EXPECT_EQ(num(j["ivshmem_net"]["base"]), t.commWindows()[0].start);
  EXPECT_EQ(num(j["ivshmem_net"]["bdf_stride"]), 0x100000u);
  EXPECT_EQ(num(j["ivshmem_net"]["state"]["size"]), 0x1000u);
  EXPECT_EQ(num(j["ivshmem_net"]["out"]["size"]), 0x7f000u);
  EXPECT_EQ(num(j["ivshmem_net"]["out"]["offset"]), 0x80000u);
  EXPECT_EQ(j["ivshmem_demo"]["regions"].size(), 5u);
  EXPECT_FALSE(j.isMember("tcm"));
}

void expectZynqMpFacts(const PlatformTemplate& t) {
  EXPECT_EQ(t.driver(), "jailhouse");
  // The Omnivisor fork's own headers: dialect C's layout (JHCLL + arch byte,
  // revision 14, rCPU set), the fork's console numbering.
  EXPECT_EQ(t.dialect(), "omnivisor-rev14");
  EXPECT_EQ(t.arch(), "arm64");
  EXPECT_EQ(t.cpuCount(), 4u);
  EXPECT_EQ(t.cpuPool(), (std::vector<int>{0, 1, 2}));
  // free_segments "0x3ed00000, 0x46d00000"
  ASSERT_EQ(t.memoryPool().size(), 1u);
  EXPECT_EQ(t.memoryPool()[0].start, 0x3ed00000u);
  EXPECT_EQ(t.memoryPool()[0].end(), 0x46d00000u);
  EXPECT_EQ(t.pciBdfPool(), (std::vector<int>{1, 2}));
  EXPECT_EQ(t.commWindows(), (std::vector<MemoryRange>{{0x7e000000, 0x100000}, {0x7e100000, 0x100000}}));
  // The ZynqMP system counter, read 32 bits wide at 99.99 MHz.
  EXPECT_EQ(t.tickSource().kind(), "mmio-counter");
  EXPECT_EQ(t.tickSource().address(), 0xff250000u);
  EXPECT_EQ(t.tickSource().frequencyHz(), 99990000u);
  EXPECT_EQ(t.tickSource().widthBits(), 32u);

  Json::Value j = settings(t);
  EXPECT_EQ(j["preamble"].asString(), "ULTRASCALE_PREAMBLE");
  EXPECT_EQ(j["cell_header"]["architecture_code"].asInt(), 2);  // ARM64
  EXPECT_EQ(num(j["cell_flags"]), 0x1u);                        // PASSIVE_COMMREG
  EXPECT_EQ(j["console"]["type"].asInt(), 4);                   // XUARTPS
  EXPECT_EQ(num(j["console"]["address"]), 0xff010000u);
  EXPECT_EQ(num(j["uart"]["phys_start"]), 0xff010000u);
  EXPECT_EQ(num(j["irqchip"]["address"]), 0xf9010000u);
  EXPECT_EQ(j["irqchip"]["uart_pin"].asInt(), 33);
  EXPECT_EQ(j["irqchip"]["ivshmem_pin"].asInt(), 146);
  EXPECT_EQ(num(j["tcm"]["a"]["phys_start"]), 0xffe00000u);
  EXPECT_EQ(num(j["tcm"]["b"]["phys_start"]), 0xffe20000u);
  EXPECT_EQ(num(j["tcm"]["a"]["size"]), 0x10000u);
  EXPECT_EQ(num(j["tcm"]["b"]["size"]), 0x10000u);
  EXPECT_EQ(num(j["ram"]["virt_start"]), 0u);
  EXPECT_FALSE(j.isMember("ram0"));
  EXPECT_EQ(num(j["ivshmem_net"]["base"]), 0x7e000000u);
  EXPECT_EQ(j["stream_ids"].asInt(), 2);
  EXPECT_EQ(num(j["system_counter"]["phys_start"]), t.tickSource().address());
}

TEST(ShippedTemplates, KriaKv260HoldsRunphiKriaTargetFacts) {
  PlatformTemplate t = phi::loadPlatformTemplate(templatePath("kria-kv260"));
  expectZynqMpFacts(t);
  EXPECT_EQ(t.rpuPool(), (std::vector<int>{0}));  // kria_state.toml free_rcpus
  EXPECT_EQ(settings(t)["root_cell"]["name"].asString(), "ZynqMP-KV260");
}

TEST(ShippedTemplates, Zcu104HoldsRunphiZcu104TargetFacts) {
  PlatformTemplate t = phi::loadPlatformTemplate(templatePath("zcu104"));
  expectZynqMpFacts(t);
  EXPECT_EQ(t.rpuPool(), (std::vector<int>{0, 1}));
}

TEST(ShippedTemplates, X86XenMatchesTheXenInQemuMachine) {
  PlatformTemplate t = phi::loadPlatformTemplate(templatePath("x86_64-xen"));
  EXPECT_EQ(t.driver(), "xen");
  EXPECT_EQ(t.arch(), "x86_64");
  EXPECT_EQ(t.cpuCount(), 2u);                    // qemu -smp 2
  EXPECT_EQ(t.cpuPool(), (std::vector<int>{1}));  // dom0_max_vcpus=1 keeps CPU 0
  ASSERT_EQ(t.memoryPool().size(), 1u);
  EXPECT_EQ(t.memoryPool()[0].size, 224 * MiB);          // under the ~246 MiB Xen has free after dom0
  EXPECT_LE(t.memoryPool()[0].size, (512 - 256) * MiB);  // -m 512, dom0_mem=256M
  EXPECT_EQ(t.defaultMemoryBytes(), 96 * MiB);           // the smallest domU that booted
  EXPECT_TRUE(t.pciBdfPool().empty());
  EXPECT_TRUE(t.commWindows().empty());
  EXPECT_TRUE(t.rpuPool().empty());
  EXPECT_EQ(t.tickSource().kind(), "monotonic");

  Json::Value j = settings(t);
  EXPECT_EQ(j["console"].asString(), "hvc0");
  EXPECT_EQ(j["bridge"].asString(), "xenbr0");
  EXPECT_EQ(j["guest_type"].asString(), "pv");
  EXPECT_EQ(j["dom0"]["cpus"], phi::parseJson("[0]", "x"));
  EXPECT_EQ(j["dom0"]["memory_mib"].asInt(), 256);
  EXPECT_EQ(j["min_guest_memory_mib"].asInt(), 96);
  EXPECT_FALSE(j.isMember("gic_version")) << "xl rejects gic_version on x86";
}

TEST(ShippedTemplates, TestBoardHasWhatThePartitionCoreTestsNeed) {
  PlatformTemplate t = phi::loadPlatformTemplate(templatePath("test-board"));
  EXPECT_EQ(t.driver(), "test");
  EXPECT_EQ(t.cpuCount(), 4u);
  EXPECT_EQ(t.cpuPool(), (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(t.memoryPool().size(), 2u);
  EXPECT_EQ(t.pciBdfPool().size(), 2u);
  EXPECT_EQ(t.commWindows().size(), 2u);
  EXPECT_EQ(t.rpuPool(), (std::vector<int>{0}));
  EXPECT_EQ(t.tickSource().kind(), "monotonic");
  EXPECT_EQ(t.driverSettingsJson(), "{}");
}

// ---------------------------------------------------------------------------
// Accepted forms and defaults

TEST(PlatformParse, BaseIsValidAndParsedField) {
  PlatformTemplate t = parse(base());
  EXPECT_EQ(t.name(), "board");
  EXPECT_EQ(t.description(), "a board for the validator tests");
  EXPECT_EQ(t.driver(), "test");
  EXPECT_EQ(t.dialect(), "test-1");
  EXPECT_EQ(t.arch(), "x86_64");
  EXPECT_EQ(t.cpuCount(), 4u);
  EXPECT_EQ(t.cpuPool(), (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(t.memoryPool(), (std::vector<MemoryRange>{{0x40000000, 0x10000000}}));
  EXPECT_EQ(t.pciBdfPool(), (std::vector<int>{1, 2}));
  EXPECT_EQ(t.commWindows(), (std::vector<MemoryRange>{{0x7f000000, 0x100000}}));
  EXPECT_EQ(t.rpuPool(), (std::vector<int>{0, 1}));
  EXPECT_EQ(t.sourcePath(), "") << "parsed from text, not loaded from a file";
}

TEST(PlatformParse, AddressesMayBeIntegersOrHexStringsInAnyCase) {
  Json::Value v = base();
  v["memory"]["pool"][0]["start"] = Json::UInt64(0x40000000);
  v["memory"]["pool"][0]["size"] = "0X10000000";
  v["comm"]["windows"][0]["start"] = "0x7F000000";
  v["comm"]["windows"][0]["size"] = "0x0000000000000000100000";  // leading zeros are not bits
  v["memory"]["page_size"] = 4096;
  v["memory"]["default_partition_size"] = Json::UInt64(64 * MiB);
  PlatformTemplate t = parse(v);
  EXPECT_EQ(t.memoryPool(), (std::vector<MemoryRange>{{0x40000000, 0x10000000}}));
  EXPECT_EQ(t.commWindows(), (std::vector<MemoryRange>{{0x7f000000, 0x100000}}));
  EXPECT_EQ(t.defaultMemoryBytes(), 64 * MiB);
}

TEST(PlatformParse, FullSixtyFourBitHexIsAccepted) {
  Json::Value v = base();
  v["memory"]["pool"].append(range("0xfffffffffff00000", "0xff000"));  // ends at 0xfffffffffffff000, no wrap
  EXPECT_EQ(parse(v).memoryPool()[1].end(), 0xfffffffffffff000u);
}

TEST(PlatformParse, OptionalKeysHaveDocumentedDefaults) {
  Json::Value v = base();
  v.removeMember("description");
  v["memory"].removeMember("page_size");
  v["memory"].removeMember("default_partition_size");
  v.removeMember("pci");
  v.removeMember("comm");
  v.removeMember("rpus");
  v.removeMember("tick_source");
  PlatformTemplate t = parse(v);
  EXPECT_EQ(t.description(), "");
  EXPECT_EQ(t.pageSize(), 4096u);
  EXPECT_EQ(t.defaultMemoryBytes(), 64 * MiB);
  EXPECT_TRUE(t.pciBdfPool().empty());
  EXPECT_TRUE(t.commWindows().empty());
  EXPECT_TRUE(t.rpuPool().empty());
  EXPECT_EQ(t.tickSource().kind(), "monotonic");
  EXPECT_EQ(t.tickSource().frequencyHz(), 1000000000u);
  EXPECT_EQ(t.driverSettingsJson(), "{}") << "the test driver's section is optional";
}

TEST(PlatformParse, AdjacentRangesDoNotOverlap) {
  Json::Value v = base();
  v["memory"]["pool"].append(phi::parseJson(R"({"start": "0x50000000", "size": "0x1000"})", "x"));
  v["comm"]["windows"].append(phi::parseJson(R"({"start": "0x7f100000", "size": "0x1000"})", "x"));
  PlatformTemplate t = parse(v);
  EXPECT_EQ(t.memoryPool().size(), 2u);
  EXPECT_EQ(t.commWindows().size(), 2u);
}

// The overlap check keeps the earlier ranges by start (a 20 000-range pool,
// tests/fuzz's size cases, took seconds pairwise): it still names the first
// range that overlaps and, of the earlier ones it overlaps, the first listed.
TEST(PlatformParse, OverlapNamesTheFirstOffendingPairInListOrder) {
  auto pool = [](std::initializer_list<const char*> ranges) {
    Json::Value v = base();
    v["memory"]["pool"] = Json::Value(Json::arrayValue);
    for (const char* r : ranges) v["memory"]["pool"].append(phi::parseJson(r, "x"));
    return std::string(capturePhiError([&] { parse(v); }).what());
  };
  EXPECT_EQ(pool({R"({"start": "0x60000000", "size": "0x1000000"})", R"({"start": "0x40000000", "size": "0x1000000"})",
                  R"({"start": "0x50000000", "size": "0x1000"})", R"({"start": "0x40800000", "size": "0x20000000"})",
                  R"({"start": "0x40000000", "size": "0x1000"})"}),
            "board.json: \"memory.pool[3]\" [0x40800000-0x60800000) overlaps \"memory.pool[0]\" "
            "[0x60000000-0x61000000)");
  EXPECT_EQ(pool({R"({"start": "0x40000000", "size": "0x2000"})", R"({"start": "0x3ffff000", "size": "0x2000"})"}),
            "board.json: \"memory.pool[1]\" [0x3ffff000-0x40001000) overlaps \"memory.pool[0]\" "
            "[0x40000000-0x40002000)");
}

TEST(PlatformParse, LargerPageSizeIsHonoured) {
  Json::Value v = base();
  v["memory"]["page_size"] = "0x10000";
  EXPECT_EQ(parse(v).pageSize(), 0x10000u);
}

TEST(PlatformParse, DriverSectionIsKeptAsCompactJson) {
  Json::Value v = base();
  v["driver"] = "jailhouse";
  v["jailhouse"] = phi::parseJson(R"({ "console": {"address": "0x9000000"},  "pins": [33, 141] })", "x");
  PlatformTemplate t = parse(v);
  EXPECT_EQ(t.driverSettingsJson(), R"({"console":{"address":"0x9000000"},"pins":[33,141]})");

  v["test"] = Json::Value(Json::objectValue);
  v["driver"] = "test";
  v.removeMember("jailhouse");
  v["test"]["fail_create"] = true;
  EXPECT_EQ(parse(v).driverSettingsJson(), R"({"fail_create":true})");
}

TEST(PlatformParse, MmioCounterAndGenericTimer) {
  Json::Value v = base();
  v["tick_source"] = phi::parseJson(R"({"kind": "mmio-counter", "address": "0xff250000", "frequency_hz": 99990000,
                                        "width_bits": 32})",
                                    "x");
  PlatformTemplate t = parse(v);
  EXPECT_EQ(t.tickSource().kind(), "mmio-counter");
  EXPECT_EQ(t.tickSource().address(), 0xff250000u);
  EXPECT_EQ(t.tickSource().frequencyHz(), 99990000u);
  EXPECT_EQ(t.tickSource().widthBits(), 32u);

  v["tick_source"] = phi::parseJson(R"({"kind": "mmio-counter", "address": 4280614912, "frequency_hz": 1000})", "x");
  EXPECT_EQ(parse(v).tickSource().widthBits(), 64u) << "width defaults to 64";

  v["tick_source"] = phi::parseJson(R"({"kind": "arm-generic-timer", "frequency_hz": 62500000})", "x");
  t = parse(v);
  EXPECT_EQ(t.tickSource().kind(), "arm-generic-timer");
  EXPECT_EQ(t.tickSource().frequencyHz(), 62500000u);
  EXPECT_EQ(t.tickSource().widthBits(), 64u);
}

TEST(PlatformLoad, MissingFileIsNotFoundNamingThePath) {
  phitest::TempDir dir;
  std::string path = dir / "absent.json";
  phi::Error e = capturePhiError([&] { phi::loadPlatformTemplate(path); });
  EXPECT_EQ(e.code(), ErrorCode::NotFound);
  EXPECT_CONTAINS(e.what(), path);
}

TEST(PlatformLoad, ErrorsStartWithThePath) {
  phitest::TempDir dir;
  std::string path = dir / "bad.json";
  Json::Value v = base();
  v["cpus"]["pool"][2] = 7;
  phitest::writeFile(path, text(v));
  phi::Error e = capturePhiError([&] { phi::loadPlatformTemplate(path); });
  EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
  EXPECT_EQ(std::string(e.what()), path + ": \"cpus.pool[2]\": CPU 7 is out of range 0..3");
}

TEST(PlatformParse, MessagesAreExact) {
  auto message = [](const Json::Value& v) { return std::string(capturePhiError([&] { parse(v); }).what()); };
  Json::Value v = base();
  v["memory"]["pool"].append(phi::parseJson(R"({"start": "0x48000000", "size": "0x1000000"})", "x"));
  EXPECT_EQ(message(v),
            "board.json: \"memory.pool[1]\" [0x48000000-0x49000000) overlaps \"memory.pool[0]\" "
            "[0x40000000-0x50000000)");
  v = base();
  v["cpus"].removeMember("count");
  EXPECT_EQ(message(v), "board.json: missing key \"cpus.count\"");
  v = base();
  v["cpus"]["pool"][2] = 1;
  EXPECT_EQ(message(v), "board.json: \"cpus.pool[2]\": CPU 1 is listed twice (also at \"cpus.pool[0]\")");
  v = base();
  v["frobnicate"] = 1;
  EXPECT_EQ(message(v), "board.json: unknown key \"frobnicate\"");
}

// ---------------------------------------------------------------------------
// Raw text that is not a usable JSON object

TEST(PlatformParse, MalformedJsonIsParseError) {
  phi::Error e = capturePhiError([] { phi::parsePlatformTemplate(R"({"name": "board", )", kOrigin); });
  EXPECT_EQ(e.code(), ErrorCode::ParseError);
  EXPECT_CONTAINS(e.what(), "board.json: malformed JSON");
}

TEST(PlatformParse, DuplicateJsonKeysAreRejected) {
  std::string json = text(base());
  json.insert(1, R"("name": "other", )");  // a second "name" before the real one
  phi::Error e = capturePhiError([&] { phi::parsePlatformTemplate(json, kOrigin); });
  EXPECT_EQ(e.code(), ErrorCode::ParseError);
  EXPECT_CONTAINS(e.what(), "board.json: malformed JSON");
  EXPECT_CONTAINS(e.what(), "name");
}

TEST(PlatformParse, TopLevelMustBeAnObject) {
  phi::Error e = capturePhiError([] { phi::parsePlatformTemplate("[1, 2]", kOrigin); });
  EXPECT_EQ(e.code(), ErrorCode::ParseError);
  EXPECT_CONTAINS(e.what(), "board.json: the top level must be a JSON object, got [1,2]");
}

// ---------------------------------------------------------------------------
// One broken rule per case: the error code and a substring of the message
// (which always starts with the origin).

struct Rejection {
  const char* name;
  std::function<void(Json::Value&)> breakIt;
  ErrorCode code;
  std::string needle;
};

void PrintTo(const Rejection& r, std::ostream* os) {
  *os << r.name;
}

const ErrorCode kInvalid = ErrorCode::InvalidArgument;
const ErrorCode kParse = ErrorCode::ParseError;

std::vector<Rejection> rejections() {
  return {
      // Missing keys
      {"MissingName", [](Json::Value& v) { v.removeMember("name"); }, kInvalid, "missing key \"name\""},
      {"MissingDriver", [](Json::Value& v) { v.removeMember("driver"); }, kInvalid, "missing key \"driver\""},
      {"MissingDialect", [](Json::Value& v) { v.removeMember("dialect"); }, kInvalid, "missing key \"dialect\""},
      {"MissingArch", [](Json::Value& v) { v.removeMember("arch"); }, kInvalid, "missing key \"arch\""},
      {"MissingCpus", [](Json::Value& v) { v.removeMember("cpus"); }, kInvalid, "missing key \"cpus\""},
      {"MissingCpuCount", [](Json::Value& v) { v["cpus"].removeMember("count"); }, kInvalid,
       "missing key \"cpus.count\""},
      {"MissingCpuPool", [](Json::Value& v) { v["cpus"].removeMember("pool"); }, kInvalid, "missing key \"cpus.pool\""},
      {"MissingMemory", [](Json::Value& v) { v.removeMember("memory"); }, kInvalid, "missing key \"memory\""},
      {"MissingMemoryPool", [](Json::Value& v) { v["memory"].removeMember("pool"); }, kInvalid,
       "missing key \"memory.pool\""},
      {"MissingRangeStart", [](Json::Value& v) { v["memory"]["pool"][0].removeMember("start"); }, kInvalid,
       "missing key \"memory.pool[0].start\""},
      {"MissingRangeSize", [](Json::Value& v) { v["memory"]["pool"][0].removeMember("size"); }, kInvalid,
       "missing key \"memory.pool[0].size\""},
      {"MissingWindows", [](Json::Value& v) { v["comm"].removeMember("windows"); }, kInvalid,
       "missing key \"comm.windows\""},
      {"MissingWindowSize", [](Json::Value& v) { v["comm"]["windows"][0].removeMember("size"); }, kInvalid,
       "missing key \"comm.windows[0].size\""},
      {"MissingBdfs", [](Json::Value& v) { v["pci"].removeMember("ivshmem_bdfs"); }, kInvalid,
       "missing key \"pci.ivshmem_bdfs\""},
      {"MissingTickKind", [](Json::Value& v) { v["tick_source"].removeMember("kind"); }, kInvalid,
       "missing key \"tick_source.kind\""},

      // Wrong JSON types
      {"NameNotString", [](Json::Value& v) { v["name"] = 5; }, kParse, "\"name\": must be a string, got 5"},
      {"DescriptionNotString", [](Json::Value& v) { v["description"] = Json::Value(Json::arrayValue); }, kParse,
       "\"description\": must be a string, got []"},
      {"CpusNotObject", [](Json::Value& v) { v["cpus"] = Json::Value(Json::arrayValue); }, kParse,
       "\"cpus\": must be an object, got []"},
      {"CpuCountString", [](Json::Value& v) { v["cpus"]["count"] = "4"; }, kParse,
       "\"cpus.count\": must be an integer, got \"4\""},
      {"CpuCountFloat", [](Json::Value& v) { v["cpus"]["count"] = 4.5; }, kParse,
       "\"cpus.count\": must be an integer, got 4.5"},
      {"CpuPoolNotArray", [](Json::Value& v) { v["cpus"]["pool"] = 1; }, kParse,
       "\"cpus.pool\": must be an array, got 1"},
      {"CpuIdString", [](Json::Value& v) { v["cpus"]["pool"][1] = "2"; }, kParse,
       "\"cpus.pool[1]\": must be an integer, got \"2\""},
      {"MemoryPoolNotArray", [](Json::Value& v) { v["memory"]["pool"] = Json::Value(Json::objectValue); }, kParse,
       "\"memory.pool\": must be an array, got {}"},
      {"RangeNotObject", [](Json::Value& v) { v["memory"]["pool"][0] = "0x40000000"; }, kParse,
       "\"memory.pool[0]\": must be an object, got \"0x40000000\""},
      {"StartBool", [](Json::Value& v) { v["memory"]["pool"][0]["start"] = true; }, kParse,
       "\"memory.pool[0].start\": must be an integer or a hex string \"0x...\", got true"},
      {"StartFloat", [](Json::Value& v) { v["memory"]["pool"][0]["start"] = 1073741824.5; }, kParse,
       "\"memory.pool[0].start\": must be an integer or a hex string"},
      {"RpusNotArray", [](Json::Value& v) { v["rpus"] = 0; }, kParse, "\"rpus\": must be an array, got 0"},
      {"PciNotObject", [](Json::Value& v) { v["pci"] = Json::Value(Json::arrayValue); }, kParse,
       "\"pci\": must be an object"},
      {"CommNotObject", [](Json::Value& v) { v["comm"] = "none"; }, kParse, "\"comm\": must be an object"},
      {"TickNotObject", [](Json::Value& v) { v["tick_source"] = "monotonic"; }, kParse,
       "\"tick_source\": must be an object, got \"monotonic\""},
      {"FrequencyString",
       [](Json::Value& v) {
         v["tick_source"] = phi::parseJson(R"({"kind": "arm-generic-timer", "frequency_hz": "62500000"})", "x");
       },
       kParse, "\"tick_source.frequency_hz\": must be an integer, got \"62500000\""},
      {"WidthString",
       [](Json::Value& v) {
         v["tick_source"] =
             phi::parseJson(R"({"kind": "arm-generic-timer", "frequency_hz": 1, "width_bits": "32"})", "x");
       },
       kParse, "\"tick_source.width_bits\": must be an integer"},
      {"DriverSectionNotObject",
       [](Json::Value& v) {
         v["driver"] = "xen";
         v["xen"] = Json::Value(Json::arrayValue);
       },
       kParse, "\"xen\": must be an object, got []"},

      // Bad hex strings
      {"HexWithoutPrefix", [](Json::Value& v) { v["memory"]["pool"][0]["start"] = "40000000"; }, kParse,
       "\"memory.pool[0].start\": \"40000000\" is not a hex string \"0x...\""},
      {"HexPrefixOnly", [](Json::Value& v) { v["memory"]["pool"][0]["size"] = "0x"; }, kParse,
       "\"memory.pool[0].size\": \"0x\" is not a hex string"},
      {"HexBadDigit", [](Json::Value& v) { v["memory"]["pool"][0]["start"] = "0x4000g000"; }, kParse,
       "\"memory.pool[0].start\": \"0x4000g000\" is not a hex string \"0x...\" ('g' is not a hex digit)"},
      {"HexLeadingBlank", [](Json::Value& v) { v["comm"]["windows"][0]["start"] = " 0x7f000000"; }, kParse,
       "\"comm.windows[0].start\": \" 0x7f000000\" is not a hex string"},
      {"HexTrailingBlank", [](Json::Value& v) { v["comm"]["windows"][0]["start"] = "0x7f000000 "; }, kParse,
       "\"comm.windows[0].start\": \"0x7f000000 \" is not a hex string"},
      {"HexNegative", [](Json::Value& v) { v["memory"]["pool"][0]["start"] = "-0x1000"; }, kParse,
       "is not a hex string"},
      {"HexUnderscore", [](Json::Value& v) { v["memory"]["pool"][0]["size"] = "0x1000_0000"; }, kParse,
       "('_' is not a hex digit)"},
      {"HexTooWide", [](Json::Value& v) { v["memory"]["pool"][0]["start"] = "0x10000000000000000"; }, kParse,
       "(more than 64 bits)"},
      {"DecimalStringPageSize", [](Json::Value& v) { v["memory"]["page_size"] = "4096"; }, kParse,
       "\"memory.page_size\": \"4096\" is not a hex string"},
      {"NegativeAddress", [](Json::Value& v) { v["memory"]["pool"][0]["start"] = -4096; }, kInvalid,
       "\"memory.pool[0].start\": -4096 is negative"},
      {"BadTickAddress",
       [](Json::Value& v) {
         v["tick_source"] =
             phi::parseJson(R"({"kind": "mmio-counter", "address": "ff250000", "frequency_hz": 99990000})", "x");
       },
       kParse, "\"tick_source.address\": \"ff250000\" is not a hex string"},

      // CPUs
      {"CpuOutOfRange", [](Json::Value& v) { v["cpus"]["pool"][2] = 7; }, kInvalid,
       "\"cpus.pool[2]\": CPU 7 is out of range 0..3"},
      {"CpuNegative", [](Json::Value& v) { v["cpus"]["pool"][0] = -1; }, kInvalid,
       "\"cpus.pool[0]\": CPU -1 is out of range 0..3"},
      {"CpuHuge", [](Json::Value& v) { v["cpus"]["pool"][0] = Json::UInt64(1ull << 63); }, kInvalid,
       "\"cpus.pool[0]\": CPU 9223372036854775808 is out of range 0..3"},
      {"CpuDuplicate", [](Json::Value& v) { v["cpus"]["pool"][2] = 1; }, kInvalid,
       "\"cpus.pool[2]\": CPU 1 is listed twice (also at \"cpus.pool[0]\")"},
      {"CpuPoolEmpty", [](Json::Value& v) { v["cpus"]["pool"] = Json::Value(Json::arrayValue); }, kInvalid,
       "\"cpus.pool\": must not be empty"},
      {"CpuPoolTakesEveryCpu", [](Json::Value& v) { v["cpus"]["pool"].append(0); }, kInvalid,
       "\"cpus.pool\": takes all 4 CPUs; at least one must stay with the host"},
      {"CpuCountZero", [](Json::Value& v) { v["cpus"]["count"] = 0; }, kInvalid,
       "\"cpus.count\": 0 is out of range 1..4096"},
      {"CpuCountNegative", [](Json::Value& v) { v["cpus"]["count"] = -4; }, kInvalid,
       "\"cpus.count\": -4 is out of range 1..4096"},

      // Memory ranges
      {"MemoryPoolEmpty", [](Json::Value& v) { v["memory"]["pool"] = Json::Value(Json::arrayValue); }, kInvalid,
       "\"memory.pool\": must not be empty"},
      {"MemoryOverlap", [](Json::Value& v) { v["memory"]["pool"].append(range("0x48000000", "0x1000000")); }, kInvalid,
       "\"memory.pool[1]\" [0x48000000-0x49000000) overlaps \"memory.pool[0]\" [0x40000000-0x50000000)"},
      {"MemoryContained", [](Json::Value& v) { v["memory"]["pool"].append(range("0x3ff00000", "0x20000000")); },
       kInvalid, "\"memory.pool[1]\" [0x3ff00000-0x5ff00000) overlaps \"memory.pool[0]\""},
      {"MemoryDuplicate", [](Json::Value& v) { v["memory"]["pool"].append(range("0x40000000", "0x10000000")); },
       kInvalid, "\"memory.pool[1]\" [0x40000000-0x50000000) overlaps \"memory.pool[0]\""},
      {"MemoryStartUnaligned", [](Json::Value& v) { v["memory"]["pool"][0]["start"] = "0x40000800"; }, kInvalid,
       "\"memory.pool[0].start\": 0x40000800 is not aligned to the page size 0x1000"},
      {"MemorySizeUnaligned", [](Json::Value& v) { v["memory"]["pool"][0]["size"] = "0x1800"; }, kInvalid,
       "\"memory.pool[0].size\": 0x1800 is not a multiple of the page size 0x1000"},
      {"MemoryUnalignedToLargePage", [](Json::Value& v) { v["memory"]["page_size"] = "0x200000"; }, kInvalid,
       "\"comm.windows[0].size\": 0x100000 is not a multiple of the page size 0x200000"},
      {"MemoryZeroSize", [](Json::Value& v) { v["memory"]["pool"][0]["size"] = 0; }, kInvalid,
       "\"memory.pool[0].size\": must not be 0"},
      {"MemoryWraps", [](Json::Value& v) { v["memory"]["pool"][0] = range("0xfffffffffff00000", "0x200000"); },
       kInvalid, "\"memory.pool[0]\": 0xfffffffffff00000 + 0x200000 wraps around the end of the 64-bit address space"},
      {"MemoryEndsAtTwoToTheSixtyFour",
       [](Json::Value& v) { v["memory"]["pool"][0] = range("0xfffffffffff00000", "0x100000"); }, kInvalid,
       "\"memory.pool[0]\": 0xfffffffffff00000 + 0x100000 wraps"},
      {"UnknownRangeKey", [](Json::Value& v) { v["memory"]["pool"][0]["end"] = "0x50000000"; }, kInvalid,
       "unknown key \"memory.pool[0].end\""},
      {"PageSizeNotPowerOfTwo", [](Json::Value& v) { v["memory"]["page_size"] = "0x3000"; }, kInvalid,
       "\"memory.page_size\": 0x3000 is not a power of two in 0x1000..0x40000000"},
      {"PageSizeTooSmall", [](Json::Value& v) { v["memory"]["page_size"] = 1024; }, kInvalid,
       "\"memory.page_size\": 0x400 is not a power of two"},
      {"DefaultSizeZero", [](Json::Value& v) { v["memory"]["default_partition_size"] = 0; }, kInvalid,
       "\"memory.default_partition_size\": must not be 0"},
      {"DefaultSizeUnaligned", [](Json::Value& v) { v["memory"]["default_partition_size"] = "0x4000800"; }, kInvalid,
       "\"memory.default_partition_size\": 0x4000800 is not a multiple of the page size 0x1000"},
      {"DefaultSizeBiggerThanPool", [](Json::Value& v) { v["memory"]["default_partition_size"] = "0x20000000"; },
       kInvalid, "\"memory.default_partition_size\": 0x20000000 is larger than the whole memory pool (0x10000000)"},

      // Communication windows
      {"WindowOverlapsMemory", [](Json::Value& v) { v["comm"]["windows"][0] = range("0x4ff00000", "0x200000"); },
       kInvalid, "\"comm.windows[0]\" [0x4ff00000-0x50100000) overlaps \"memory.pool[0]\" [0x40000000-0x50000000)"},
      {"WindowsOverlapEachOther", [](Json::Value& v) { v["comm"]["windows"].append(range("0x7f0ff000", "0x2000")); },
       kInvalid, "\"comm.windows[1]\" [0x7f0ff000-0x7f101000) overlaps \"comm.windows[0]\" [0x7f000000-0x7f100000)"},
      {"WindowUnaligned", [](Json::Value& v) { v["comm"]["windows"][0]["start"] = "0x7f000100"; }, kInvalid,
       "\"comm.windows[0].start\": 0x7f000100 is not aligned to the page size 0x1000"},
      {"WindowZeroSize", [](Json::Value& v) { v["comm"]["windows"][0]["size"] = "0x0"; }, kInvalid,
       "\"comm.windows[0].size\": must not be 0"},
      {"WindowWraps", [](Json::Value& v) { v["comm"]["windows"][0] = range("0xffffffffffffe000", "0x4000"); }, kInvalid,
       "\"comm.windows[0]\": 0xffffffffffffe000 + 0x4000 wraps"},
      {"UnknownCommKey", [](Json::Value& v) { v["comm"]["channels"] = 2; }, kInvalid, "unknown key \"comm.channels\""},

      // PCI BDFs and RPUs
      {"BdfDuplicate", [](Json::Value& v) { v["pci"]["ivshmem_bdfs"].append(1); }, kInvalid,
       "\"pci.ivshmem_bdfs[2]\": BDF 1 is listed twice (also at \"pci.ivshmem_bdfs[0]\")"},
      {"BdfOutOfRange", [](Json::Value& v) { v["pci"]["ivshmem_bdfs"][1] = 65536; }, kInvalid,
       "\"pci.ivshmem_bdfs[1]\": BDF 65536 is out of range 0..65535"},
      {"BdfNegative", [](Json::Value& v) { v["pci"]["ivshmem_bdfs"][0] = -1; }, kInvalid,
       "\"pci.ivshmem_bdfs[0]\": BDF -1 is out of range 0..65535"},
      {"RpuDuplicate", [](Json::Value& v) { v["rpus"][1] = 0; }, kInvalid,
       "\"rpus[1]\": RPU 0 is listed twice (also at \"rpus[0]\")"},
      {"RpuNegative", [](Json::Value& v) { v["rpus"][0] = -2; }, kInvalid, "\"rpus[0]\": RPU -2 is out of range"},
      {"UnknownPciKey", [](Json::Value& v) { v["pci"]["bdfs"] = 1; }, kInvalid, "unknown key \"pci.bdfs\""},

      // Top level, driver, arch
      {"UnknownTopLevelKey", [](Json::Value& v) { v["cpu"] = 4; }, kInvalid, "board.json: unknown key \"cpu\""},
      {"UnknownCpusKey", [](Json::Value& v) { v["cpus"]["host"] = 0; }, kInvalid, "unknown key \"cpus.host\""},
      {"UnknownMemoryKey", [](Json::Value& v) { v["memory"]["size"] = 1; }, kInvalid, "unknown key \"memory.size\""},
      {"UnknownDriver", [](Json::Value& v) { v["driver"] = "kvm"; }, kInvalid,
       "\"driver\": \"kvm\" is not one of \"jailhouse\", \"xen\", \"test\""},
      {"UnknownArch", [](Json::Value& v) { v["arch"] = "riscv64"; }, kInvalid,
       "\"arch\": \"riscv64\" is not one of \"arm64\", \"x86_64\""},
      {"EmptyName", [](Json::Value& v) { v["name"] = ""; }, kInvalid, "\"name\": must not be empty"},
      {"NameWithSlash", [](Json::Value& v) { v["name"] = "../board"; }, kInvalid,
       "\"name\": \"../board\" may hold only letters, digits"},
      {"EmptyDialect", [](Json::Value& v) { v["dialect"] = ""; }, kInvalid, "\"dialect\": must not be empty"},
      {"JailhouseSectionMissing", [](Json::Value& v) { v["driver"] = "jailhouse"; }, kInvalid,
       "missing key \"jailhouse\" (driver \"jailhouse\" needs its own section)"},
      {"XenSectionMissing", [](Json::Value& v) { v["driver"] = "xen"; }, kInvalid,
       "missing key \"xen\" (driver \"xen\" needs its own section)"},
      {"SectionOfAnotherDriver",
       [](Json::Value& v) {
         v["driver"] = "jailhouse";
         v["jailhouse"] = Json::Value(Json::objectValue);
         v["xen"] = Json::Value(Json::objectValue);
       },
       kInvalid, "key \"xen\" is the section of driver \"xen\", but \"driver\" is \"jailhouse\""},
      {"JailhouseSectionForTestDriver", [](Json::Value& v) { v["jailhouse"] = Json::Value(Json::objectValue); },
       kInvalid, "key \"jailhouse\" is the section of driver \"jailhouse\", but \"driver\" is \"test\""},

      // Tick source
      {"TickUnknownKind", [](Json::Value& v) { v["tick_source"]["kind"] = "hpet"; }, kInvalid,
       "\"tick_source.kind\": \"hpet\" is not one of \"monotonic\", \"mmio-counter\", \"arm-generic-timer\""},
      {"TickMmioWithoutAddress",
       [](Json::Value& v) {
         v["tick_source"] = phi::parseJson(R"({"kind": "mmio-counter", "frequency_hz": 99990000})", "x");
       },
       kInvalid, "missing key \"tick_source.address\" (kind \"mmio-counter\" needs it)"},
      {"TickMmioWithoutFrequency",
       [](Json::Value& v) {
         v["tick_source"] = phi::parseJson(R"({"kind": "mmio-counter", "address": "0xff250000"})", "x");
       },
       kInvalid, "missing key \"tick_source.frequency_hz\" (kind \"mmio-counter\" needs it)"},
      {"TickGenericTimerWithoutFrequency",
       [](Json::Value& v) { v["tick_source"] = phi::parseJson(R"({"kind": "arm-generic-timer"})", "x"); }, kInvalid,
       "missing key \"tick_source.frequency_hz\" (kind \"arm-generic-timer\" needs it)"},
      {"TickWidth48",
       [](Json::Value& v) {
         v["tick_source"] = phi::parseJson(
             R"({"kind": "mmio-counter", "address": "0xff250000", "frequency_hz": 99990000, "width_bits": 48})", "x");
       },
       kInvalid, "\"tick_source.width_bits\": 48 is not 32 or 64"},
      {"TickFrequencyZero",
       [](Json::Value& v) {
         v["tick_source"] = phi::parseJson(R"({"kind": "arm-generic-timer", "frequency_hz": 0})", "x");
       },
       kInvalid, "\"tick_source.frequency_hz\": must be greater than 0"},
      {"TickAddressUnaligned",
       [](Json::Value& v) {
         v["tick_source"] = phi::parseJson(
             R"({"kind": "mmio-counter", "address": "0xff250002", "frequency_hz": 1, "width_bits": 32})", "x");
       },
       kInvalid, "\"tick_source.address\": 0xff250002 is not aligned to the 4-byte counter"},
      {"TickMonotonicWithAddress", [](Json::Value& v) { v["tick_source"]["address"] = "0xff250000"; }, kInvalid,
       "unknown key \"tick_source.address\" (kind \"monotonic\" takes no other key)"},
      {"TickGenericTimerWithAddress",
       [](Json::Value& v) {
         v["tick_source"] =
             phi::parseJson(R"({"kind": "arm-generic-timer", "frequency_hz": 1, "address": "0x1000"})", "x");
       },
       kInvalid, "unknown key \"tick_source.address\""},
      {"TickUnknownKey",
       [](Json::Value& v) {
         v["tick_source"] =
             phi::parseJson(R"({"kind": "mmio-counter", "address": "0xff250000", "frequency_hz": 1, "shift": 2})", "x");
       },
       kInvalid, "unknown key \"tick_source.shift\""},
  };
}

class PlatformRejects : public ::testing::TestWithParam<Rejection> {};

TEST_P(PlatformRejects, NamesFileKeyAndValue) {
  const Rejection& r = GetParam();
  Json::Value v = base();
  r.breakIt(v);
  phi::Error e = capturePhiError([&] { parse(v); });
  EXPECT_EQ(e.code(), r.code) << e.what();
  EXPECT_EQ(std::string(e.what()).rfind(kOrigin + ": ", 0), 0u) << e.what();
  EXPECT_CONTAINS(e.what(), r.needle);
}

INSTANTIATE_TEST_SUITE_P(Rules, PlatformRejects, ::testing::ValuesIn(rejections()),
                         [](const ::testing::TestParamInfo<Rejection>& p) { return std::string(p.param.name); });

}  // namespace
