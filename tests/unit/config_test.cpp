// libphi/runtime/runtime_options.cpp: runphi.json loading, the config path precedence and
// RUNPHI_DEBUG_LEVEL.
#include <phi/error.hpp>
#include <phi/runtime_options.hpp>

#include "test_support.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using phi::ErrorCode;
using phi::LogLevel;
using RuntimeConfig = phi::RuntimeOptions;
using phitest::capturePhiError;
using phitest::TempDir;
using phitest::writeFile;

class ConfigTest : public ::testing::Test {
 protected:
  // Writes `json` to a fresh runphi.json and returns its path.
  std::string configFile(const std::string& json) {
    std::string path = dir_ / "runphi.json";
    writeFile(path, json);
    return path;
  }
  // Loads `json` and expects InvalidArgument/ParseError naming the file and
  // each of `needles`.
  phi::Error expectRejected(const std::string& json, const std::vector<std::string>& needles) {
    std::string path = configFile(json);
    phi::Error e = capturePhiError([&] { RuntimeConfig::fromFile(path); });
    EXPECT_CONTAINS(e.what(), path) << "json: " << json;
    for (const std::string& n : needles) EXPECT_CONTAINS(e.what(), n) << "json: " << json;
    return e;
  }

  TempDir dir_;
};

void expectDefaults(const RuntimeConfig& c) {
  EXPECT_EQ(c.backend(), "");
  EXPECT_EQ(c.platformTemplate(), "");
  EXPECT_EQ(c.stateRoot(), "/run/runPHI");
  EXPECT_EQ(c.runcPath(), "/usr/local/sbin/runc_vanilla");
  EXPECT_EQ(c.driverDir(), "");
  EXPECT_EQ(c.logPath(), "/usr/share/runPHI/log.txt");
  EXPECT_EQ(c.logLevel(), LogLevel::Warn);
  EXPECT_TRUE(c.journald());
}

TEST_F(ConfigTest, MissingFileYieldsDefaults) {
  RuntimeConfig c = RuntimeConfig::fromFile(dir_ / "does-not-exist.json");
  expectDefaults(c);
  EXPECT_EQ(c.sourcePath(), "") << "defaults only: no source file";
}

TEST_F(ConfigTest, MissingFileInMissingDirectoryYieldsDefaults) {
  RuntimeConfig c = RuntimeConfig::fromFile(dir_ / "no/such/dir/runphi.json");
  expectDefaults(c);
  EXPECT_EQ(c.sourcePath(), "");
}

TEST_F(ConfigTest, DefaultConstructedConfigHasDocumentedDefaults) {
  RuntimeConfig c;
  expectDefaults(c);
  EXPECT_EQ(c.sourcePath(), "");
}

TEST_F(ConfigTest, EmptyObjectYieldsDefaultsAndRecordsSource) {
  std::string path = configFile("{}");
  RuntimeConfig c = RuntimeConfig::fromFile(path);
  expectDefaults(c);
  EXPECT_EQ(c.sourcePath(), path);
}

TEST_F(ConfigTest, EmptyLogObjectKeepsLogDefaults) {
  RuntimeConfig c = RuntimeConfig::fromFile(configFile(R"({"log": {}})"));
  expectDefaults(c);
}

TEST_F(ConfigTest, EveryKeyIsRead) {
  std::string path = configFile(R"({
    "backend": "jailhouse",
    "platform_template": "/etc/runphi/platform.cell",
    "state_root": "/var/run/phi-state",
    "runc_path": "/opt/runc/bin/runc",
    "driver_dir": "/usr/lib/phi/drv",
    "log": {"path": "/var/log/runphi.log", "level": "trace", "journald": false}
  })");
  RuntimeConfig c = RuntimeConfig::fromFile(path);
  EXPECT_EQ(c.backend(), "jailhouse");
  EXPECT_EQ(c.platformTemplate(), "/etc/runphi/platform.cell");
  EXPECT_EQ(c.stateRoot(), "/var/run/phi-state");
  EXPECT_EQ(c.runcPath(), "/opt/runc/bin/runc");
  EXPECT_EQ(c.driverDir(), "/usr/lib/phi/drv");
  EXPECT_EQ(c.logPath(), "/var/log/runphi.log");
  EXPECT_EQ(c.logLevel(), LogLevel::Trace);
  EXPECT_FALSE(c.journald());
  EXPECT_EQ(c.sourcePath(), path);
}

TEST_F(ConfigTest, EachLogLevelNameIsAccepted) {
  const std::vector<std::pair<std::string, LogLevel>> cases = {{"error", LogLevel::Error},  {"warn", LogLevel::Warn},
                                                               {"warning", LogLevel::Warn}, {"info", LogLevel::Info},
                                                               {"debug", LogLevel::Debug},  {"trace", LogLevel::Trace}};
  for (const auto& [name, level] : cases) {
    RuntimeConfig c = RuntimeConfig::fromFile(configFile(R"({"log": {"level": ")" + name + R"("}})"));
    EXPECT_EQ(c.logLevel(), level) << name;
  }
}

TEST_F(ConfigTest, JournaldTrueIsRead) {
  RuntimeConfig c = RuntimeConfig::fromFile(configFile(R"({"log": {"journald": true}})"));
  EXPECT_TRUE(c.journald());
  c = RuntimeConfig::fromFile(configFile(R"({"log": {"journald": false}})"));
  EXPECT_FALSE(c.journald());
}

TEST_F(ConfigTest, EmptyStringsAllowedWhereDocumented) {
  // backend, platform_template, driver_dir and log.path may be empty (= none).
  RuntimeConfig c = RuntimeConfig::fromFile(
      configFile(R"({"backend": "", "platform_template": "", "driver_dir": "", "log": {"path": ""}})"));
  EXPECT_EQ(c.backend(), "");
  EXPECT_EQ(c.platformTemplate(), "");
  EXPECT_EQ(c.driverDir(), "");
  EXPECT_EQ(c.logPath(), "");
}

TEST_F(ConfigTest, UnknownTopLevelKeyRejectedNamingIt) {
  phi::Error e = expectRejected(R"({"backend": "xen", "bogus_key": 1})", {"\"bogus_key\"", "unknown key"});
  EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
}

TEST_F(ConfigTest, MisspelledKeyRejected) {
  // A typo must not silently fall back to the default.
  phi::Error e = expectRejected(R"({"stateRoot": "/run/x"})", {"\"stateRoot\"", "unknown key"});
  EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
}

TEST_F(ConfigTest, UnknownLogKeyRejectedNamingItWithPrefix) {
  phi::Error e = expectRejected(R"({"log": {"level": "info", "colour": true}})", {"\"log.colour\"", "unknown key"});
  EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
}

TEST_F(ConfigTest, WrongTypesRejectedNamingKey) {
  struct Case {
    std::string json, key, why;
  };
  const std::vector<Case> cases = {
      {R"({"backend": 1})", "\"backend\"", "must be a string"},
      {R"({"platform_template": ["a"]})", "\"platform_template\"", "must be a string"},
      {R"({"state_root": null})", "\"state_root\"", "must be a string"},
      {R"({"runc_path": true})", "\"runc_path\"", "must be a string"},
      {R"({"driver_dir": {"a": "b"}})", "\"driver_dir\"", "must be a string"},
      {R"({"log": "verbose"})", "\"log\"", "must be an object"},
      {R"({"log": []})", "\"log\"", "must be an object"},
      {R"({"log": {"path": 5}})", "\"log.path\"", "must be a string"},
      {R"({"log": {"level": 3}})", "\"log.level\"", "must be a string"},
      {R"({"log": {"journald": "true"}})", "\"log.journald\"", "must be true or false"},
      {R"({"log": {"journald": 1}})", "\"log.journald\"", "must be true or false"},
  };
  for (const Case& c : cases) {
    phi::Error e = expectRejected(c.json, {c.key, c.why});
    EXPECT_EQ(e.code(), ErrorCode::InvalidArgument) << c.json;
  }
}

TEST_F(ConfigTest, EmptyStateRootRejected) {
  phi::Error e = expectRejected(R"({"state_root": ""})", {"\"state_root\"", "must not be empty"});
  EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
}

TEST_F(ConfigTest, EmptyRuncPathRejected) {
  phi::Error e = expectRejected(R"({"runc_path": ""})", {"\"runc_path\"", "must not be empty"});
  EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
}

TEST_F(ConfigTest, RelativeStateRootRejected) {
  phi::Error e = expectRejected(R"({"state_root": "run/phi"})", {"\"state_root\"", "absolute", "run/phi"});
  EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
  expectRejected(R"({"state_root": "./run"})", {"\"state_root\"", "absolute"});
}

TEST_F(ConfigTest, BadLogLevelRejectedNamingValue) {
  phi::Error e = expectRejected(R"({"log": {"level": "verbose"}})", {"\"log.level\"", "verbose"});
  EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
  // Level names are case-sensitive, like runc's.
  expectRejected(R"({"log": {"level": "DEBUG"}})", {"\"log.level\"", "DEBUG"});
  expectRejected(R"({"log": {"level": ""}})", {"\"log.level\""});
}

TEST_F(ConfigTest, MalformedJsonNamesFile) {
  for (const std::string json : {"{", "{\"backend\": }", "{\"backend\": \"x\",}", "{} trailing", "// c\n{}", ""}) {
    phi::Error e = expectRejected(json, {});
    EXPECT_EQ(e.code(), ErrorCode::ParseError) << json;
    EXPECT_CONTAINS(e.what(), "malformed JSON") << json;
  }
}

TEST_F(ConfigTest, TopLevelMustBeObject) {
  for (const std::string json : {"[]", "[1,2]", "\"x\"", "42", "null"}) {
    phi::Error e = expectRejected(json, {});
    EXPECT_TRUE(e.code() == ErrorCode::InvalidArgument || e.code() == ErrorCode::ParseError) << json;
  }
}

TEST_F(ConfigTest, DuplicateKeysRejected) {
  phi::Error e = expectRejected(R"({"backend": "xen", "backend": "jailhouse"})", {"backend"});
  EXPECT_EQ(e.code(), ErrorCode::ParseError);
  e = expectRejected(R"({"log": {"level": "info", "level": "debug"}})", {"level"});
  EXPECT_EQ(e.code(), ErrorCode::ParseError);
}

TEST_F(ConfigTest, DirectoryInsteadOfFileIsAnErrorNamingIt) {
  std::string path = dir_ / "runphi.json";
  std::filesystem::create_directories(path);
  phi::Error e = capturePhiError([&] { RuntimeConfig::fromFile(path); });
  EXPECT_CONTAINS(e.what(), path);
}

// --- runtimeConfigPath ---

TEST(RuntimeConfigPathTest, FlagWinsOverEnvironment) {
  phitest::EnvGuard env("RUNPHI_CONFIG", "/from/env.json");
  EXPECT_EQ(RuntimeConfig::configPath("/from/flag.json"), "/from/flag.json");
}

TEST(RuntimeConfigPathTest, EnvironmentWinsOverDefault) {
  phitest::EnvGuard env("RUNPHI_CONFIG", "/from/env.json");
  EXPECT_EQ(RuntimeConfig::configPath(""), "/from/env.json");
}

TEST(RuntimeConfigPathTest, DefaultWhenNeitherSet) {
  phitest::EnvGuard env("RUNPHI_CONFIG");
  env.unset();
  EXPECT_EQ(RuntimeConfig::configPath(""), "/etc/runphi/runphi.json");
}

TEST(RuntimeConfigPathTest, EmptyEnvironmentMeansDefault) {
  phitest::EnvGuard env("RUNPHI_CONFIG", "");
  EXPECT_EQ(RuntimeConfig::configPath(""), "/etc/runphi/runphi.json");
}

TEST(RuntimeConfigPathTest, FlagUsedWhenEnvUnset) {
  phitest::EnvGuard env("RUNPHI_CONFIG");
  env.unset();
  EXPECT_EQ(RuntimeConfig::configPath("relative.json"), "relative.json");
}

// --- applyDebugLevelEnv ---

TEST(ApplyDebugLevelEnvTest, UnsetLeavesLevelAndSucceeds) {
  phitest::EnvGuard env("RUNPHI_DEBUG_LEVEL");
  env.unset();
  RuntimeConfig c;
  c.setLogLevel(LogLevel::Info);
  EXPECT_TRUE(c.applyDebugLevelEnv());
  EXPECT_EQ(c.logLevel(), LogLevel::Info);
}

TEST(ApplyDebugLevelEnvTest, EmptyLeavesLevelAndSucceeds) {
  phitest::EnvGuard env("RUNPHI_DEBUG_LEVEL", "");
  RuntimeConfig c;
  c.setLogLevel(LogLevel::Error);
  EXPECT_TRUE(c.applyDebugLevelEnv());
  EXPECT_EQ(c.logLevel(), LogLevel::Error);
}

TEST(ApplyDebugLevelEnvTest, ValidLevelOverrides) {
  const std::vector<std::pair<std::string, LogLevel>> cases = {{"error", LogLevel::Error},  {"warn", LogLevel::Warn},
                                                               {"warning", LogLevel::Warn}, {"info", LogLevel::Info},
                                                               {"debug", LogLevel::Debug},  {"trace", LogLevel::Trace}};
  for (const auto& [name, level] : cases) {
    phitest::EnvGuard env("RUNPHI_DEBUG_LEVEL", name);
    RuntimeConfig c;
    c.setLogLevel(level == LogLevel::Error ? LogLevel::Trace : LogLevel::Error);
    EXPECT_TRUE(c.applyDebugLevelEnv()) << name;
    EXPECT_EQ(c.logLevel(), level) << name;
  }
}

TEST(ApplyDebugLevelEnvTest, InvalidLevelReportedAndIgnored) {
  for (const std::string bad : {"verbose", "DEBUG", "5", " debug"}) {
    phitest::EnvGuard env("RUNPHI_DEBUG_LEVEL", bad);
    RuntimeConfig c;
    c.setLogLevel(LogLevel::Info);
    EXPECT_FALSE(c.applyDebugLevelEnv()) << bad;
    EXPECT_EQ(c.logLevel(), LogLevel::Info) << bad;
  }
}

TEST(ApplyDebugLevelEnvTest, OverridesLevelReadFromFile) {
  TempDir dir;
  std::string path = dir / "runphi.json";
  writeFile(path, R"({"log": {"level": "error"}})");
  phitest::EnvGuard env("RUNPHI_DEBUG_LEVEL", "debug");
  RuntimeConfig c = RuntimeConfig::fromFile(path);
  ASSERT_EQ(c.logLevel(), LogLevel::Error);
  EXPECT_TRUE(c.applyDebugLevelEnv());
  EXPECT_EQ(c.logLevel(), LogLevel::Debug);
}

}  // namespace
