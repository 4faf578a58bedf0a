// What the fuzz targets found in the JSON readers (tests/fuzz/regressions/json):
// nesting deeper than jsoncpp's stack limit made it throw its own exception,
// which escaped every parser as something other than phi::Error.
#include <phi/error.hpp>
#include <phi/oci_spec.hpp>
#include <phi/platform.hpp>
#include <phi/runtime_options.hpp>
#include <phi/zic_config.hpp>

#include <gtest/gtest.h>

#include <functional>

namespace {

std::string nested(int depth, const std::string& inner = "1") {
  return std::string(static_cast<size_t>(depth), '[') + inner + std::string(static_cast<size_t>(depth), ']');
}

void expectParseError(const std::function<void()>& parse) {
  try {
    parse();
    ADD_FAILURE() << "accepted";
  } catch (const phi::Error& e) {
    EXPECT_EQ(e.code(), phi::ErrorCode::ParseError) << e.what();
    EXPECT_NE(std::string(e.what()).find("origin.json: malformed JSON"), std::string::npos) << e.what();
  }
}

TEST(JsonLimits, NestingBeyondTheParserStackIsAParseErrorInEveryReader) {
  for (const std::string& text : {nested(5000), "{\"root\": {\"path\": \"r\"}, \"x\": " + nested(2000) + "}"}) {
    expectParseError([&] { phi::parseOciSpec(text, "origin.json", "/b"); });
    expectParseError([&] { phi::parseZicConfig(text, "origin.json"); });
    expectParseError([&] { phi::parsePlatformTemplate(text, "origin.json"); });
    expectParseError([&] { phi::RuntimeOptions::fromJson(text, "origin.json"); });
  }
}

TEST(JsonLimits, NestingWithinTheLimitStillParses) {
  phi::OciSpec spec = phi::parseOciSpec("{\"root\": {\"path\": \"r\"}, \"x\": " + nested(500) + "}", "o", "/b");
  EXPECT_EQ(spec.rootfs(), "/b/r");
}

}  // namespace
