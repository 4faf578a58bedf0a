// xl domain configurations against checked-in golden files, one directory per
// case under tests/golden/xen/<case>/: case.json (inputs) and expected.cfg.
#include "xen_driver.hpp"
#include "xl_config_writer.hpp"

#include <phi/error.hpp>
#include <phi/platform.hpp>
#include <phi/zic_config.hpp>

#include <gtest/gtest.h>
#include <json/reader.h>
#include <json/writer.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string replaceAll(std::string text, const std::string& from, const std::string& to) {
  for (size_t pos = 0; (pos = text.find(from, pos)) != std::string::npos; pos += to.size())
    text.replace(pos, from.size(), to);
  return text;
}

// An independent reading of xl.cfg(5) syntax: KEY = VALUE lines, VALUE a
// number, a quoted string (with \ escapes) or a [ list ] of strings; # starts
// a comment. Returns the keys in order; fails the test on anything else.
std::vector<std::string> xlKeys(const std::string& cfg) {
  std::vector<std::string> keys;
  size_t i = 0;
  auto skipSpace = [&] {
    while (i < cfg.size() && (cfg[i] == ' ' || cfg[i] == '\t')) ++i;
  };
  auto quoted = [&]() -> bool {
    char q = cfg[i++];
    while (i < cfg.size() && cfg[i] != q) {
      if (cfg[i] == '\n') return false;
      i += cfg[i] == '\\' ? 2 : 1;
    }
    ++i;
    return i <= cfg.size();
  };
  while (i < cfg.size()) {
    skipSpace();
    if (cfg[i] == '\n') {
      ++i;
      continue;
    }
    if (cfg[i] == '#') {
      i = cfg.find('\n', i);
      continue;
    }
    size_t start = i;
    while (i < cfg.size() && (std::isalnum(static_cast<unsigned char>(cfg[i])) || cfg[i] == '_')) ++i;
    keys.push_back(cfg.substr(start, i - start));
    skipSpace();
    EXPECT_EQ(cfg[i], '=') << "after key " << keys.back();
    ++i;
    skipSpace();
    if (cfg[i] == '"' || cfg[i] == '\'') {
      EXPECT_TRUE(quoted()) << "unterminated string for " << keys.back();
    } else if (cfg[i] == '[') {
      ++i;
      for (skipSpace(); cfg[i] != ']'; skipSpace()) {
        EXPECT_TRUE(cfg[i] == '"' && quoted()) << "bad list item for " << keys.back();
        skipSpace();
        if (cfg[i] == ',') ++i;
        if (i >= cfg.size()) return keys;
      }
      ++i;
    } else {
      while (i < cfg.size() && std::isdigit(static_cast<unsigned char>(cfg[i]))) ++i;
    }
    skipSpace();
    EXPECT_EQ(cfg[i], '\n') << "trailing text after " << keys.back();
    ++i;
  }
  return keys;
}

struct Case {
  std::string name;
};

class XlConfigGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(XlConfigGolden, MatchesExpected) {
  fs::path dir = fs::path(PHI_GOLDEN_DIR) / GetParam();
  Json::Value c;
  std::ifstream in(dir / "case.json");
  ASSERT_TRUE(Json::parseFromStream(Json::CharReaderBuilder(), in, &c, nullptr)) << dir;

  // A rootfs holding the files the case names.
  fs::path root = fs::temp_directory_path() / ("phi-golden-" + GetParam() + "-" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::path rootfs = root / "rootfs";
  for (const Json::Value& f : c["rootfs_files"]) {
    fs::path p = rootfs / f.asString();
    fs::create_directories(p.parent_path());
    std::ofstream(p) << "image";
  }

  phi::PlatformTemplate platform =
      phi::loadPlatformTemplate(std::string(PHI_SOURCE_DIR) + "/platform-templates/x86_64-xen.json");
  if (c.isMember("xen_overrides")) {
    Json::Value xen;
    std::istringstream text(platform.driverSettingsJson());
    ASSERT_TRUE(Json::parseFromStream(Json::CharReaderBuilder(), text, &xen, nullptr));
    for (const std::string& k : c["xen_overrides"].getMemberNames()) xen[k] = c["xen_overrides"][k];
    platform.setDriverSettingsJson(Json::writeString(Json::StreamWriterBuilder(), xen));
  }
  phi::ZicConfig zic = phi::parseZicConfig(Json::writeString(Json::StreamWriterBuilder(), c["zic"]), "case.json");
  phi::OciSpec spec;
  std::vector<std::string> args;
  for (const Json::Value& a : c["process_args"]) args.push_back(a.asString());
  spec.setArgs(args);
  phi::Allocation allocation;
  std::vector<int> cpus;
  for (const Json::Value& cpu : c["allocation"]["cpus"]) cpus.push_back(cpu.asInt());
  allocation.setCpus(cpus);
  allocation.setMemory({{0, c["allocation"]["memory_mib"].asUInt64() * 1024 * 1024}});
  allocation.setMacAddress(c["allocation"].get("mac", "").asString());

  phi::PartitionContext ctx;
  ctx.setContainerId(c.get("container_id", "golden").asString());
  ctx.setPartitionName(c.get("partition_name", "phi-golden-0123abcd").asString());
  ctx.setRootfs(rootfs.string());
  ctx.setWorkDir(root.string());
  ctx.setSpec(spec);
  ctx.setZic(zic);
  ctx.setPlatform(platform);
  ctx.setAllocation(allocation);

  phi::xen::XenSettings settings = phi::xen::parseXenSettings(platform.driverSettingsJson(), "x86_64-xen.json");
  std::string cfg = phi::xen::XlConfigWriter(settings).write(ctx, phi::xen::XenDriver::guestFiles(ctx, settings));
  std::string normalised = replaceAll(cfg, rootfs.string(), "@ROOTFS@");
  fs::remove_all(root);

  if (std::getenv("PHI_TEST_REGENERATE")) std::ofstream(dir / "expected.cfg", std::ios::binary) << normalised;
  EXPECT_EQ(normalised, slurp(dir / "expected.cfg"));

  // Whatever the inputs held, the configuration has exactly the expected keys.
  std::vector<std::string> keys = xlKeys(cfg);
  std::vector<std::string> expectedKeys;
  for (const Json::Value& k : c["expected_keys"]) expectedKeys.push_back(k.asString());
  EXPECT_EQ(keys, expectedKeys);
}

std::vector<std::string> cases() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(PHI_GOLDEN_DIR)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

INSTANTIATE_TEST_SUITE_P(Cases, XlConfigGolden, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<std::string>& p) { return replaceAll(p.param, "-", "_"); });

TEST(XlConfigWriter, QuoteEscapesEverythingThatCouldEndAValue) {
  EXPECT_EQ(phi::xen::XlConfigWriter::quote("a\"b"), "\"a\\\"b\"");
  EXPECT_EQ(phi::xen::XlConfigWriter::quote("a\\b"), "\"a\\\\b\"");
  EXPECT_EQ(phi::xen::XlConfigWriter::quote("a\nname = \"x\""), "\"a\\nname = \\\"x\\\"\"");
  EXPECT_EQ(phi::xen::XlConfigWriter::quote("a]"), "\"a]\"");
  EXPECT_THROW(phi::xen::XlConfigWriter::quote(std::string("a\x01")), phi::Error);
}

// Found by tests/fuzz/fuzz_xl_config (regressions/xl_config): xl splits a vif
// spec at commas, so a bridge "br0,script=/x" added a key to the spec.
TEST(XlConfigWriter, AVifSpecValueCannotAddAKey) {
  phi::PlatformTemplate platform =
      phi::loadPlatformTemplate(std::string(PHI_SOURCE_DIR) + "/platform-templates/x86_64-xen.json");
  phi::ZicConfig zic = phi::parseZicConfig("{\"os_var\": \"zephyr\", \"net\": \"virtual\"}", "zic");
  phi::OciSpec spec;
  phi::Allocation allocation;
  allocation.setCpus({1}).setMemory({{0, 64u << 20}}).setMacAddress("00:16:3e:00:00:01");
  phi::PartitionContext ctx;
  ctx.setContainerId("c").setPartitionName("phi-c").setSpec(spec).setZic(zic).setPlatform(platform).setAllocation(
      allocation);
  phi::xen::XlGuestFiles files{"/k", "", ""};
  phi::xen::XenSettings settings;
  settings.vif = true;
  EXPECT_NE(phi::xen::XlConfigWriter(settings).write(ctx, files).find("bridge=xenbr0\""), std::string::npos);
  for (const char* bridge : {"br0,script=/tmp/x", "br0 ", "", "a\tb"}) {
    settings.bridge = bridge;
    EXPECT_THROW(phi::xen::XlConfigWriter(settings).write(ctx, files), phi::Error) << bridge;
  }
  settings.bridge = "xenbr0";
  ctx.setAllocation(allocation.setMacAddress("00:16:3e:00:00:01,script=/tmp/x"));
  EXPECT_THROW(phi::xen::XlConfigWriter(settings).write(ctx, files), phi::Error);
}

}  // namespace
