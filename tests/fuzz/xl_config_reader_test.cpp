// The independent xl reader the fuzz target trusts: it must read what xl
// reads, and refuse what would end a string or add a key.
#include "xl_config_reader.hpp"

#include <gtest/gtest.h>
#include <json/reader.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

using phi::fuzz::readXlConfig;
using phi::fuzz::XlSyntaxError;
using phi::fuzz::XlValue;

std::vector<std::string> keysOf(const std::string& text) {
  std::vector<std::string> keys;
  for (const auto& s : readXlConfig(text)) keys.push_back(s.key);
  return keys;
}

TEST(XlConfigReader, ReadsStringsNumbersListsAndComments) {
  auto s = readXlConfig(
      "# comment\nname = \"a\\\"b\\\\c\\n\" # trailing\nmemory=64; vcpus = 0x2\n"
      "disk = [ 'x, y',\n  \"z\", ]\nempty = []\nextra += \"more\"\n");
  ASSERT_EQ(s.size(), 6u);
  EXPECT_EQ(s[0].key, "name");
  EXPECT_EQ(s[0].value.text, "a\"b\\c\n");
  EXPECT_EQ(s[1].value.kind, XlValue::Kind::Number);
  EXPECT_EQ(s[1].value.text, "64");
  EXPECT_EQ(s[2].key, "vcpus");
  EXPECT_EQ(s[2].value.text, "0x2");
  ASSERT_EQ(s[3].value.items.size(), 2u);
  EXPECT_EQ(s[3].value.items[0].text, "x, y");
  EXPECT_EQ(s[3].line, 4);
  EXPECT_TRUE(s[4].value.items.empty());
  EXPECT_TRUE(s[5].append);
}

TEST(XlConfigReader, AQuoteOrNewlineThatEscapedItsStringShowsAsAnotherKeyOrAnError) {
  EXPECT_EQ(keysOf("name = \"a\"\nkernel = \"/etc/shadow\"\n"), (std::vector<std::string>{"name", "kernel"}));
  EXPECT_THROW(readXlConfig("name = \"a\" kernel = \"b\"\n"), XlSyntaxError);
  EXPECT_THROW(readXlConfig("name = \"a\nb\"\n"), XlSyntaxError);
  EXPECT_THROW(readXlConfig("name = \"a\\\"\n"), XlSyntaxError);
  EXPECT_THROW(readXlConfig("name = \"a\\x41\"\n"), XlSyntaxError);
  EXPECT_THROW(readXlConfig("name = \"a\\101\"\n"), XlSyntaxError);
  EXPECT_THROW(readXlConfig("disk = [ \"a\" \"b\" ]\n"), XlSyntaxError);
  EXPECT_THROW(readXlConfig("disk = [ \"a\"\n"), XlSyntaxError);
  EXPECT_THROW(readXlConfig("Name = 1\n"), XlSyntaxError);
  EXPECT_THROW(readXlConfig("name = pvh\n"), XlSyntaxError);
  EXPECT_THROW(readXlConfig("memory = 12ab\n"), XlSyntaxError);
  EXPECT_THROW(readXlConfig("memory\n"), XlSyntaxError);
}

// Every golden xl configuration reads with exactly the keys its case expects.
TEST(XlConfigReader, ReadsEveryGoldenConfiguration) {
  int cases = 0;
  for (const auto& dir : std::filesystem::directory_iterator(PHI_GOLDEN_XEN_DIR)) {
    std::ifstream cfg(dir.path() / "expected.cfg"), caseFile(dir.path() / "case.json");
    std::stringstream text;
    text << cfg.rdbuf();
    Json::Value c;
    ASSERT_TRUE(Json::parseFromStream(Json::CharReaderBuilder(), caseFile, &c, nullptr)) << dir.path();
    std::vector<std::string> expected;
    for (const Json::Value& k : c["expected_keys"]) expected.push_back(k.asString());
    EXPECT_EQ(keysOf(text.str()), expected) << dir.path();
    ++cases;
  }
  EXPECT_GE(cases, 7);
}

}  // namespace
