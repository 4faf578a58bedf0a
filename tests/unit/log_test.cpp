// include/phi/log.hpp: level names, runphi's own log, the runc-style --log
// file in text and JSON, and "a logging failure never reaches the caller".
#include <phi/log.hpp>

#include "test_support.hpp"
#include "toolkit/json.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace {

using phi::LogLevel;
using phi::OciLogFormat;
using phitest::TempDir;

// What the runphi CLI makes of runphi.json's "log" section and runc's
// --log/--log-format/--debug: the ready-made sinks on one logger.
struct LogSettings {
  std::string runtimeLogPath;
  LogLevel runtimeLevel = LogLevel::Warn;
  std::string ociLogPath;
  OciLogFormat ociLogFormat = OciLogFormat::Text;
  bool ociDebug = false;
};

phi::Logger loggerFor(const LogSettings& s) {
  phi::Logger log;
  log.addSink(phi::makeRuntimeLogSink(s.runtimeLogPath), s.runtimeLevel);
  log.addSink(phi::makeOciLogSink(s.ociLogPath, s.ociLogFormat), s.ociDebug ? LogLevel::Debug : LogLevel::Info);
  return log;
}

std::vector<std::string> lines(const std::string& path) {
  std::vector<std::string> out;
  if (!phitest::exists(path)) return out;
  std::istringstream in(phitest::readFile(path));
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// --- level names ---

TEST(LogLevelTest, ParseKnownNames) {
  EXPECT_EQ(phi::parseLogLevel("error"), LogLevel::Error);
  EXPECT_EQ(phi::parseLogLevel("warn"), LogLevel::Warn);
  EXPECT_EQ(phi::parseLogLevel("warning"), LogLevel::Warn);
  EXPECT_EQ(phi::parseLogLevel("info"), LogLevel::Info);
  EXPECT_EQ(phi::parseLogLevel("debug"), LogLevel::Debug);
  EXPECT_EQ(phi::parseLogLevel("trace"), LogLevel::Trace);
}

TEST(LogLevelTest, ParseRejectsEverythingElse) {
  for (const char* bad : {"", "Error", "WARN", "fatal", "panic", "verbose", "info ", " info", "debugx", "0"}) {
    EXPECT_EQ(phi::parseLogLevel(bad), std::nullopt) << bad;
  }
}

TEST(LogLevelTest, NamesRoundTrip) {
  for (LogLevel l : {LogLevel::Error, LogLevel::Warn, LogLevel::Info, LogLevel::Debug, LogLevel::Trace}) {
    EXPECT_EQ(phi::parseLogLevel(phi::logLevelName(l)), l);
  }
  EXPECT_STREQ(phi::logLevelName(LogLevel::Warn), "warn");
  EXPECT_STREQ(phi::logLevelName(LogLevel::Error), "error");
}

TEST(LogLevelTest, LevelsOrderedBySeverity) {
  EXPECT_LT(LogLevel::Error, LogLevel::Warn);
  EXPECT_LT(LogLevel::Warn, LogLevel::Info);
  EXPECT_LT(LogLevel::Info, LogLevel::Debug);
  EXPECT_LT(LogLevel::Debug, LogLevel::Trace);
}

// --- runphi's own log ---

class RuntimeLogTest : public ::testing::Test {
 protected:
  LogSettings settings(LogLevel level) const {
    LogSettings s;
    s.runtimeLogPath = path_;
    s.runtimeLevel = level;
    return s;
  }
  TempDir tmp_;
  std::string path_ = tmp_ / "runphi.log";
};

TEST_F(RuntimeLogTest, LineHasTimestampPidLevelIdAndMessage) {
  phi::Logger log = loggerFor(settings(LogLevel::Trace));
  log = log.forContainer("ctr-1");
  log.warn("something odd");
  auto got = lines(path_);
  ASSERT_EQ(got.size(), 1u);
  std::regex shape(
      R"(^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{6}Z runphi\[(\d+)\] warn \[ctr-1\] something odd$)");
  std::smatch m;
  ASSERT_TRUE(std::regex_match(got[0], m, shape)) << got[0];
  EXPECT_EQ(std::stol(m[7].str()), static_cast<long>(::getpid()));
  EXPECT_GE(std::stoi(m[1].str()), 2024);
}

TEST_F(RuntimeLogTest, NoContainerIdPrintsDash) {
  phi::Logger log = loggerFor(settings(LogLevel::Trace));
  log.error("boom");
  auto got = lines(path_);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(std::regex_search(got[0], std::regex(R"( runphi\[\d+\] error \[-\] boom$)"))) << got[0];
}

TEST_F(RuntimeLogTest, EachLevelNamedInItsLine) {
  phi::Logger log = loggerFor(settings(LogLevel::Trace));
  log = log.forContainer("c");
  log.error("m-error");
  log.warn("m-warn");
  log.info("m-info");
  log.debug("m-debug");
  log.trace("m-trace");
  auto got = lines(path_);
  ASSERT_EQ(got.size(), 5u);
  const char* names[] = {"error", "warn", "info", "debug", "trace"};
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_CONTAINS(got[i], std::string("] ") + names[i] + " [c] m-" + names[i]);
  }
}

TEST_F(RuntimeLogTest, LevelFiltering) {
  struct Case {
    LogLevel threshold;
    size_t expectedLines;
  };
  for (const Case c : {Case{LogLevel::Error, 1}, Case{LogLevel::Warn, 2}, Case{LogLevel::Info, 3},
                       Case{LogLevel::Debug, 4}, Case{LogLevel::Trace, 5}}) {
    std::filesystem::remove(path_);
    phi::Logger log = loggerFor(settings(c.threshold));
    log.trace("t");
    log.debug("d");
    log.info("i");
    log.warn("w");
    log.error("e");
    auto got = lines(path_);
    EXPECT_EQ(got.size(), c.expectedLines) << phi::logLevelName(c.threshold);
    for (const std::string& l : got) {
      auto level = phi::parseLogLevel(l.substr(l.find("] ") + 2, l.find(" [") - l.find("] ") - 2));
      ASSERT_TRUE(level) << l;
      EXPECT_LE(*level, c.threshold) << l;
    }
  }
}

TEST_F(RuntimeLogTest, EnabledReflectsThreshold) {
  phi::Logger log = loggerFor(settings(LogLevel::Info));
  EXPECT_TRUE(log.enabled(LogLevel::Error));
  EXPECT_TRUE(log.enabled(LogLevel::Info));
  EXPECT_FALSE(log.enabled(LogLevel::Debug));
  EXPECT_FALSE(log.enabled(LogLevel::Trace));
}

TEST(LoggerTest, NothingConfiguredLogsNothing) {
  phi::Logger log = loggerFor(LogSettings{});
  EXPECT_FALSE(log.enabled(LogLevel::Error));
  EXPECT_NO_FATAL_FAILURE(log.error("goes nowhere"));
}

TEST_F(RuntimeLogTest, AppendsAcrossLoggers) {
  {
    phi::Logger a = loggerFor(settings(LogLevel::Info));
    a.info("first");
  }
  {
    phi::Logger b = loggerFor(settings(LogLevel::Info));
    b.info("second");
  }
  auto got = lines(path_);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_CONTAINS(got[0], "first");
  EXPECT_CONTAINS(got[1], "second");
}

TEST_F(RuntimeLogTest, MissingParentDirectoryIsCreated) {
  path_ = tmp_ / "deep/er/dir/runphi.log";
  phi::Logger log = loggerFor(settings(LogLevel::Info));
  log.info("hello");
  auto got = lines(path_);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_CONTAINS(got[0], "hello");
}

TEST_F(RuntimeLogTest, NewLogFileIsNotWorldReadable) {
  phi::Logger log = loggerFor(settings(LogLevel::Info));
  log.info("x");
  EXPECT_EQ(phitest::modeOf(path_) & 0007u, 0u);
}

TEST_F(RuntimeLogTest, UnwritablePathUnderARegularFileNeverThrows) {
  phitest::writeFile(tmp_ / "plainfile", "x");
  path_ = tmp_ / "plainfile/sub/runphi.log";
  phi::Logger log = loggerFor(settings(LogLevel::Trace));
  log = log.forContainer("c");
  EXPECT_NO_THROW(log.error("lost"));
  EXPECT_NO_THROW(log.trace("lost"));
  EXPECT_EQ(phitest::readFile(tmp_ / "plainfile"), "x");
}

TEST_F(RuntimeLogTest, DirectoryAsLogPathNeverThrows) {
  path_ = tmp_.path();
  phi::Logger log = loggerFor(settings(LogLevel::Trace));
  EXPECT_NO_THROW(log.error("lost"));
}

// --- runc's --log ---

class OciLogTest : public ::testing::Test {
 protected:
  LogSettings settings(OciLogFormat format, bool debug = false) const {
    LogSettings s;
    s.ociLogPath = path_;
    s.ociLogFormat = format;
    s.ociDebug = debug;
    return s;
  }
  TempDir tmp_;
  std::string path_ = tmp_ / "log.json";
};

TEST_F(OciLogTest, JsonLinesHaveExactlyLevelMsgTime) {
  phi::Logger log = loggerFor(settings(OciLogFormat::Json));
  log = log.forContainer("c1");
  log.error("container failed: \"x\"\nsecond line");
  log.warn("careful");
  log.info("fyi");
  auto got = lines(path_);
  ASSERT_EQ(got.size(), 3u);
  const char* levels[] = {"error", "warning", "info"};
  const char* msgs[] = {"container failed: \"x\"\nsecond line", "careful", "fyi"};
  for (size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE(got[i]);
    Json::Value v = phi::parseJson(got[i], "log line");
    ASSERT_TRUE(v.isObject());
    EXPECT_EQ(v.getMemberNames(), (std::vector<std::string>{"level", "msg", "time"}));
    EXPECT_EQ(v["level"].asString(), levels[i]);
    EXPECT_EQ(v["msg"].asString(), msgs[i]);
    EXPECT_TRUE(std::regex_match(v["time"].asString(), std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)")))
        << v["time"].asString();
  }
  EXPECT_EQ(got[1].rfind("{\"level\":\"warning\",\"msg\":\"careful\",\"time\":\"", 0), 0u) << "logrus key order";
}

TEST_F(OciLogTest, TextLinesAreLogrusShaped) {
  phi::Logger log = loggerFor(settings(OciLogFormat::Text));
  log.error("plain");
  log.warn("say \"hi\" to C:\\dir");
  log.info("two\nlines");
  auto got = lines(path_);
  ASSERT_EQ(got.size(), 3u);
  std::string ts = R"(time="\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z" )";
  EXPECT_TRUE(std::regex_match(got[0], std::regex(ts + R"(level=error msg="plain")"))) << got[0];
  EXPECT_TRUE(std::regex_match(got[1], std::regex(ts + R"(level=warning msg="say \\"hi\\" to C:\\\\dir")"))) << got[1];
  EXPECT_TRUE(std::regex_match(got[2], std::regex(ts + R"(level=info msg="two\\nlines")"))) << got[2];
}

TEST_F(OciLogTest, DebugOnlyWithDebugFlagAndTraceNever) {
  {
    phi::Logger log = loggerFor(settings(OciLogFormat::Json, false));
    EXPECT_TRUE(log.enabled(LogLevel::Info));
    EXPECT_FALSE(log.enabled(LogLevel::Debug));
    log.debug("hidden");
    log.trace("hidden");
    EXPECT_TRUE(lines(path_).empty());
  }
  {
    phi::Logger log = loggerFor(settings(OciLogFormat::Json, true));
    EXPECT_TRUE(log.enabled(LogLevel::Debug));
    EXPECT_FALSE(log.enabled(LogLevel::Trace));
    log.debug("shown");
    log.trace("hidden");
    auto got = lines(path_);
    ASSERT_EQ(got.size(), 1u);
    Json::Value v = phi::parseJson(got[0], "log line");
    EXPECT_EQ(v["level"].asString(), "debug");
    EXPECT_EQ(v["msg"].asString(), "shown");
  }
}

TEST_F(OciLogTest, IndependentOfRuntimeLevel) {
  LogSettings s = settings(OciLogFormat::Text);
  s.runtimeLogPath = tmp_ / "runphi.log";
  s.runtimeLevel = LogLevel::Error;
  phi::Logger log = loggerFor(s);
  log.info("info line");
  EXPECT_EQ(lines(path_).size(), 1u) << "--log gets info whatever runphi.json says";
  EXPECT_TRUE(lines(s.runtimeLogPath).empty());
  log.error("err line");
  EXPECT_EQ(lines(path_).size(), 2u);
  EXPECT_EQ(lines(s.runtimeLogPath).size(), 1u);
}

TEST_F(OciLogTest, ContainerIdDoesNotChangeTheLineShape) {
  phi::Logger log = loggerFor(settings(OciLogFormat::Json));
  log = log.forContainer("abc");
  log.error("m");
  auto got = lines(path_);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(phi::parseJson(got[0], "line").getMemberNames().size(), 3u);
}

TEST_F(OciLogTest, MissingParentDirectoryIsCreated) {
  path_ = tmp_ / "containerd/task/log.json";
  phi::Logger log = loggerFor(settings(OciLogFormat::Json));
  log.error("x");
  EXPECT_EQ(lines(path_).size(), 1u);
}

TEST_F(OciLogTest, UnwritablePathNeverThrows) {
  phitest::writeFile(tmp_ / "plainfile", "x");
  path_ = tmp_ / "plainfile/log.json";
  for (OciLogFormat f : {OciLogFormat::Json, OciLogFormat::Text}) {
    phi::Logger log = loggerFor(settings(f, true));
    EXPECT_NO_THROW(log.error("lost"));
    EXPECT_NO_THROW(log.debug("lost"));
  }
  EXPECT_EQ(phitest::readFile(tmp_ / "plainfile"), "x");
}

TEST_F(OciLogTest, InvalidUtf8MessageNeverThrows) {
  phi::Logger log = loggerFor(settings(OciLogFormat::Json));
  static const char kBad[] = "bad \xFF\xFE utf8 \0 nul";
  EXPECT_NO_THROW(log.error(std::string(kBad, sizeof kBad - 1)));
}

}  // namespace
