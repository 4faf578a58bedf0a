// libphi/container_list.cpp: reading `runc list --format json` and printing
// the three shapes runc prints.
#include <phi/error.hpp>
#include <phi/version.hpp>

#include "list_output.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using runphi::ListEntry;

// One line of `runc list --format json` as runc 1.1 prints it.
const std::string kRuncSample =
    R"([{"ociVersion":"1.0.2-dev","id":"a","pid":12,"status":"running","bundle":"/b","rootfs":"/b/rootfs",)"
    R"("created":"2026-11-23T11:55:12.198032123Z","owner":""}])";

ListEntry rec(std::string id, int pid, std::string status, std::string bundle, std::string created, std::string owner) {
  ListEntry r;
  r.id = std::move(id);
  r.pid = pid;
  r.status = std::move(status);
  r.bundle = std::move(bundle);
  r.rootfs = r.bundle + "/rootfs";
  r.created = std::move(created);
  r.owner = std::move(owner);
  return r;
}

// --- parseRuncList ---

TEST(ParseRuncListTest, NullIsEmpty) {
  // runc prints "null" when it holds no containers.
  for (const std::string text : {"null", "null\n"}) {
    try {
      EXPECT_TRUE(runphi::parseRuncList(text).empty());
    } catch (const phi::Error& e) {
      FAIL() << "parseRuncList(\"null\") throws instead of returning an empty list: " << e.what()
             << " (parseJson() in json_file.cpp uses strictMode, which sets strictRoot and rejects a bare null root; "
                "parseRuncList() relies on parsing \"null\")";
    }
  }
}

TEST(ParseRuncListTest, EmptyOutputIsEmpty) {
  try {
    EXPECT_TRUE(runphi::parseRuncList("").empty());
  } catch (const phi::Error& e) {
    FAIL() << "parseRuncList(\"\") throws instead of returning an empty list: " << e.what()
           << " (it is turned into \"null\", which strictRoot rejects)";
  }
}

TEST(ParseRuncListTest, EmptyArrayIsEmpty) {
  EXPECT_TRUE(runphi::parseRuncList("[]\n").empty());
}

TEST(ParseRuncListTest, RealRuncOutput) {
  auto list = runphi::parseRuncList(kRuncSample + "\n");
  ASSERT_EQ(list.size(), 1u);
  const ListEntry& r = list[0];
  EXPECT_EQ(r.id, "a");
  EXPECT_EQ(r.pid, 12);
  EXPECT_EQ(r.status, "running");
  EXPECT_EQ(r.bundle, "/b");
  EXPECT_EQ(r.rootfs, "/b/rootfs");
  EXPECT_EQ(r.created, "2026-11-23T11:55:12.198032123Z");
  EXPECT_EQ(r.owner, "");
  EXPECT_TRUE(r.annotations.empty());
}

TEST(ParseRuncListTest, SeveralContainersWithAnnotationsKeepOrder) {
  auto list = runphi::parseRuncList(
      R"([{"ociVersion":"1.0.2-dev","id":"z","pid":1,"status":"created","bundle":"/z","rootfs":"/z/r",)"
      R"("created":"2026-01-01T00:00:00Z","annotations":{"k1":"v1","io.kubernetes.cri.sandbox-id":"abc"},"owner":"root"},)"
      R"({"ociVersion":"1.0.2-dev","id":"b","pid":0,"status":"stopped","bundle":"/b","rootfs":"/b/r",)"
      R"("created":"2026-01-02T00:00:00Z","owner":"daemon"}])");
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].id, "z");
  EXPECT_EQ(list[0].owner, "root");
  EXPECT_EQ(list[0].annotations,
            (std::map<std::string, std::string>{{"k1", "v1"}, {"io.kubernetes.cri.sandbox-id", "abc"}}));
  EXPECT_EQ(list[1].id, "b");
  EXPECT_EQ(list[1].pid, 0);
  EXPECT_EQ(list[1].status, "stopped");
  EXPECT_TRUE(list[1].annotations.empty());
}

TEST(ParseRuncListTest, NonArrayIsAnError) {
  for (const std::string text : {R"({"id":"a"})", "{}"}) {
    phi::Error e = phitest::capturePhiError([&] { runphi::parseRuncList(text); });
    EXPECT_EQ(e.code(), phi::ErrorCode::ParseError) << text;
    EXPECT_CONTAINS(e.what(), "runc list output");
  }
  for (const std::string text : {"42", "\"x\"", "true"}) {
    phi::Error e = phitest::capturePhiError([&] { runphi::parseRuncList(text); });
    EXPECT_EQ(e.code(), phi::ErrorCode::ParseError) << text;
  }
}

TEST(ParseRuncListTest, MalformedIsAParseError) {
  for (const std::string text : {"[", "[{\"id\":}]", "time=\"x\" level=error msg=\"boom\""}) {
    phi::Error e = phitest::capturePhiError([&] { runphi::parseRuncList(text); });
    EXPECT_EQ(e.code(), phi::ErrorCode::ParseError) << text;
    EXPECT_CONTAINS(e.what(), "runc list output");
  }
}

// --- renderListTable: Go's text/tabwriter with runc's settings
// (minwidth 12, tabwidth 1, padding 3, padchar ' ', flags 0) ---

TEST(RenderListTableTest, EmptyIsHeaderOnly) {
  EXPECT_EQ(runphi::renderListTable({}), "ID          PID         STATUS      BUNDLE      CREATED     OWNER\n");
}

TEST(RenderListTableTest, ShortValuesUseMinWidthAndEmptyOwnerKeepsPadding) {
  std::vector<ListEntry> list = {rec("a", 12, "running", "/b", "2026-11-23T11:55:12.198032123Z", "")};
  EXPECT_EQ(runphi::renderListTable(list),
            "ID          PID         STATUS      BUNDLE      CREATED                          OWNER\n"
            "a           12          running     /b          2026-11-23T11:55:12.198032123Z   \n");
}

TEST(RenderListTableTest, LongIdsAndBundlesWidenTheirColumns) {
  std::vector<ListEntry> list = {
      rec("a-very-long-container-id-0123456789", 4294, "running",
          "/run/containerd/io.containerd.runtime.v2.task/default/a-very-long-container-id-0123456789",
          "2026-11-23T11:55:12.198032123Z", "root"),
      rec("b", 0, "stopped", "/b", "2026-01-02T03:04:05Z", "daemon"),
  };
  EXPECT_EQ(runphi::renderListTable(list),
            "ID                                    PID         STATUS      "
            "BUNDLE                                                                                      "
            "CREATED                          OWNER\n"
            "a-very-long-container-id-0123456789   4294        running     "
            "/run/containerd/io.containerd.runtime.v2.task/default/a-very-long-container-id-0123456789   "
            "2026-11-23T11:55:12.198032123Z   root\n"
            "b                                     0           stopped     "
            "/b                                                                                          "
            "2026-01-02T03:04:05Z             daemon\n");
}

TEST(RenderListTableTest, ValueExactlyAtMinWidthBoundary) {
  // 9 characters + padding 3 = 12 = minwidth; 10 characters widen to 13.
  std::vector<ListEntry> list = {rec("123456789", 1, "s", "0123456789", "t", "o")};
  EXPECT_EQ(runphi::renderListTable(list),
            "ID          PID         STATUS      BUNDLE       CREATED     OWNER\n"
            "123456789   1           s           0123456789   t           o\n");
}

TEST(RenderListTableTest, LongOwnerIsNotPadded) {
  std::vector<ListEntry> list = {rec("x", 1, "running", "/x", "c", "a-rather-long-owner-name")};
  EXPECT_EQ(runphi::renderListTable(list),
            "ID          PID         STATUS      BUNDLE      CREATED     OWNER\n"
            "x           1           running     /x          c           a-rather-long-owner-name\n");
}

TEST(RenderListTableTest, NegativeAndLargePids) {
  std::vector<ListEntry> list = {rec("x", 2147483647, "running", "/x", "c", ""),
                                 rec("y", -1, "stopped", "/y", "c", "")};
  EXPECT_EQ(runphi::renderListTable(list),
            "ID          PID          STATUS      BUNDLE      CREATED     OWNER\n"
            "x           2147483647   running     /x          c           \n"
            "y           -1           stopped     /y          c           \n");
}

TEST(RenderListTableTest, NonAsciiWidthCountsRunesLikeGo) {
  // Go's tabwriter measures cells in runes (utf8.RuneCount), not bytes:
  // "/tmp/bündle" is 11 runes (12 bytes), so its column is 14 wide.
  std::vector<ListEntry> list = {rec("c1", 7, "created", "/tmp/b\xC3\xBCndle", "2026-11-23T11:55:12Z", "root")};
  std::string expected =
      "ID          PID         STATUS      BUNDLE        CREATED                OWNER\n"
      "c1          7           created     /tmp/b\xC3\xBCndle   2026-11-23T11:55:12Z   root\n";
  std::string actual = runphi::renderListTable(list);
  if (actual != expected) {
    FAIL() << "renderListTable pads by bytes, Go's tabwriter by runes (container_list.cpp measures with "
              "std::string::size()); for bundle \"/tmp/b\xC3\xBCndle\" expected\n"
           << expected << "actual\n"
           << actual;
  }
  EXPECT_EQ(actual, expected);
}

// --- renderListJson: runc's struct order, one line ---

TEST(RenderListJsonTest, EmptyIsNull) {
  EXPECT_EQ(runphi::renderListJson({}), "null\n");
}

TEST(RenderListJsonTest, KeyOrderMatchesRunc) {
  std::vector<ListEntry> list = {rec("a", 12, "running", "/b", "2026-11-23T11:55:12.198032123Z", "")};
  EXPECT_EQ(runphi::renderListJson(list),
            "[{\"ociVersion\":\"" PHI_OCI_SPEC_VERSION
            "\",\"id\":\"a\",\"pid\":12,\"status\":\"running\",\"bundle\":\"/b\",\"rootfs\":\"/b/rootfs\","
            "\"created\":\"2026-11-23T11:55:12.198032123Z\",\"owner\":\"\"}]\n");
}

TEST(RenderListJsonTest, RuncSampleRoundTripsByteForByte) {
  EXPECT_EQ(runphi::renderListJson(runphi::parseRuncList(kRuncSample)), kRuncSample + "\n");
}

TEST(RenderListJsonTest, AnnotationsBetweenCreatedAndOwnerOnlyWhenPresent) {
  ListEntry r = rec("a", 1, "created", "/b", "t", "root");
  r.annotations = {{"b.key", "2"}, {"a.key", "1"}};
  EXPECT_EQ(runphi::renderListJson({r}),
            "[{\"ociVersion\":\"" PHI_OCI_SPEC_VERSION
            "\",\"id\":\"a\",\"pid\":1,\"status\":\"created\",\"bundle\":\"/b\",\"rootfs\":\"/b/rootfs\","
            "\"created\":\"t\",\"annotations\":{\"a.key\":\"1\",\"b.key\":\"2\"},\"owner\":\"root\"}]\n");
}

TEST(RenderListJsonTest, SeveralRecordsCommaSeparated) {
  std::string out = runphi::renderListJson({rec("a", 1, "s", "/a", "t", ""), rec("b", 2, "s", "/b", "t", "")});
  EXPECT_EQ(out.back(), '\n');
  EXPECT_EQ(out.find('\n'), out.size() - 1) << "one line";
  EXPECT_CONTAINS(out, "\"owner\":\"\"},{\"ociVersion\":");
  EXPECT_EQ(out.front(), '[');
}

TEST(RenderListJsonTest, QuotesAndBackslashesEscaped) {
  ListEntry r = rec("a\"b\\c", 1, "running", "/say \"hi\"", "t", "o\nwner");
  r.annotations = {{"k\"", "v\\"}};
  std::string out = runphi::renderListJson({r});
  EXPECT_CONTAINS(out, "\"id\":\"a\\\"b\\\\c\"");
  EXPECT_CONTAINS(out, "\"bundle\":\"/say \\\"hi\\\"\"");
  EXPECT_CONTAINS(out, "\"owner\":\"o\\nwner\"");
  EXPECT_CONTAINS(out, "\"annotations\":{\"k\\\"\":\"v\\\\\"}");
  EXPECT_EQ(out.find('\n'), out.size() - 1) << "a newline in a value must not break the line";
}

TEST(RenderListJsonTest, RoundTripsThroughParse) {
  ListEntry r = rec("id-\"1\"", 99, "paused", "/tmp/b\xC3\xBCndle <&>", "2026-11-23T11:55:12Z", "r\\oot");
  r.annotations = {{"k", "v \"q\""}, {"\xE2\x9C\x93", "\t"}};
  auto back = runphi::parseRuncList(runphi::renderListJson({r}));
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].id, r.id);
  EXPECT_EQ(back[0].pid, r.pid);
  EXPECT_EQ(back[0].status, r.status);
  EXPECT_EQ(back[0].bundle, r.bundle);
  EXPECT_EQ(back[0].rootfs, r.rootfs);
  EXPECT_EQ(back[0].created, r.created);
  EXPECT_EQ(back[0].owner, r.owner);
  EXPECT_EQ(back[0].annotations, r.annotations);
}

// --- renderListQuiet ---

TEST(RenderListQuietTest, OneIdPerLine) {
  EXPECT_EQ(runphi::renderListQuiet({}), "");
  EXPECT_EQ(runphi::renderListQuiet({rec("a", 1, "s", "/a", "t", "")}), "a\n");
  EXPECT_EQ(runphi::renderListQuiet({rec("b", 1, "s", "/b", "t", ""), rec("a", 2, "s", "/a", "t", "")}), "b\na\n");
}

}  // namespace
