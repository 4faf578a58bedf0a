#include "json_file.hpp"

#include "system_error.hpp"

#include <json/reader.h>
#include <json/writer.h>

#include <fstream>
#include <memory>
#include <sstream>

namespace phi {

Json::Value parseJson(const std::string& text, const std::string& origin, DuplicateKeys duplicates) {
  Json::CharReaderBuilder builder;
  Json::CharReaderBuilder::strictMode(&builder.settings_);
  builder["rejectDupKeys"] = duplicates == DuplicateKeys::Reject;
  std::unique_ptr<Json::CharReader> reader(builder.newCharReader());
  Json::Value root;
  std::string errors;
  bool ok = false;
  try {
    ok = reader->parse(text.data(), text.data() + text.size(), &root, &errors);
  } catch (const Json::Exception& e) {
    errors = e.what();  // jsoncpp throws for nesting deeper than its stack limit (1000)
  }
  if (!ok) {
    while (!errors.empty() && (errors.back() == '\n' || errors.back() == ' ')) errors.pop_back();
    throw Error(ErrorCode::ParseError, origin + ": malformed JSON: " + errors);
  }
  return root;
}

std::string readTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw errnoError("cannot read " + path);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw errnoError("cannot read " + path);
  return buffer.str();
}

Json::Value readJsonFile(const std::string& path, DuplicateKeys duplicates) {
  return parseJson(readTextFile(path), path, duplicates);
}

std::string toCompactJson(const Json::Value& value) {
  Json::StreamWriterBuilder builder;
  builder["indentation"] = "";
  builder["emitUTF8"] = true;
  return Json::writeString(builder, value);
}

}  // namespace phi
