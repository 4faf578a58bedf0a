#include "toolkit/json.hpp"

#include <phi/error.hpp>

#include "toolkit/hex.hpp"
#include "toolkit/system_error.hpp"

#include <json/reader.h>
#include <json/writer.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "toolkit/fd.hpp"

#include <fstream>
#include <memory>
#include <sstream>

namespace phi {

namespace {

const Json::Value& emptyArray() {
  static const Json::Value empty(Json::arrayValue);
  return empty;
}

}  // namespace

Json::Value parseJson(const std::string& text, const std::string& origin, DuplicateKeys duplicates) {
  Json::CharReaderBuilder builder;
  Json::CharReaderBuilder::strictMode(&builder.settings_);
  builder["rejectDupKeys"] = duplicates == DuplicateKeys::Reject;
  builder["stackLimit"] = kMaxJsonDepth;
  std::unique_ptr<Json::CharReader> reader(builder.newCharReader());
  Json::Value root;
  std::string errors;
  bool ok = false;
  try {
    ok = reader->parse(text.data(), text.data() + text.size(), &root, &errors);
  } catch (const std::exception& e) {
    errors = e.what();  // jsoncpp throws when the nesting exceeds the stack limit
  }
  if (!ok) {
    while (!errors.empty() && (errors.back() == '\n' || errors.back() == ' ')) errors.pop_back();
    throw Error(ErrorCode::ParseError, origin + ": malformed JSON: " + errors);
  }
  return root;
}

Json::Value readJsonFile(const std::string& path, DuplicateKeys duplicates, std::size_t maxBytes) {
  // O_NONBLOCK: a FIFO where a file should be cannot hang us before the check.
  int raw = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (raw < 0) throw errnoError("cannot read " + path);
  Fd fd(raw);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw errnoError("cannot stat " + path);
  if (!S_ISREG(st.st_mode)) throw Error(ErrorCode::InvalidArgument, path + ": not a regular file");
  if (static_cast<std::uint64_t>(st.st_size) > maxBytes) {
    throw Error(ErrorCode::InvalidArgument, path + ": " + std::to_string(st.st_size) + " bytes is too large (at most " +
                                                std::to_string(maxBytes) + ")");
  }
  std::string text;
  char buffer[8192];
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw errnoError("cannot read " + path);
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
    if (text.size() > maxBytes) {
      throw Error(ErrorCode::InvalidArgument, path + ": too large (at most " + std::to_string(maxBytes) + " bytes)");
    }
  }
  return parseJson(text, path, duplicates);
}

std::string toCompactJson(const Json::Value& value) {
  Json::StreamWriterBuilder builder;
  builder["indentation"] = "";
  builder["emitUTF8"] = true;
  return Json::writeString(builder, value);
}

std::string shownJson(const Json::Value& value, std::size_t maxChars) {
  std::string text = toCompactJson(value);
  if (text.size() > maxChars) text = text.substr(0, maxChars) + "...";
  return text;
}

std::string describeJson(const Json::Value& v) {
  switch (v.type()) {
    case Json::nullValue: return "null";
    case Json::intValue:
    case Json::uintValue: return v.asString();
    case Json::realValue: return "the number " + v.asString();
    case Json::stringValue: return "\"" + v.asString() + "\"";
    case Json::booleanValue: return v.asBool() ? "true" : "false";
    case Json::arrayValue: return "an array";
    case Json::objectValue: return "an object";
  }
  return "a value";
}

std::uint64_t jsonNumber(const Json::Value& v, unsigned bits, const std::string& origin, const std::string& path) {
  std::uint64_t value = 0;
  auto bad = [&](const std::string& why) {
    return Error(ErrorCode::InvalidArgument, origin + ": \"" + path + "\": " + why);
  };
  if (v.isString()) {
    const std::string s = v.asString();
    HexNumber n = parseHex(s);
    switch (n.error) {
      case HexError::None: break;
      case HexError::NoPrefix:
      case HexError::NoDigits: throw bad("\"" + s + "\" is not a number: use a JSON integer or a \"0x...\" hex string");
      case HexError::BadDigit:
        throw bad("\"" + s + "\" is not a hex string ('" + std::string(1, n.badChar) + "' is not a hex digit)");
      case HexError::TooWide: throw bad("\"" + s + "\" does not fit 64 bits");
    }
    value = n.value;
  } else if (v.isUInt64() && v.type() != Json::realValue) {
    value = v.asUInt64();
  } else if (v.isIntegral() && v.asInt64() < 0) {
    throw bad(describeJson(v) + " is negative");
  } else {
    throw bad("must be an unsigned integer or a \"0x...\" string, got " + describeJson(v));
  }
  if (bits < 64 && value >> bits) {
    throw bad(hexString(value) + " does not fit " + std::to_string(bits) + " bits");
  }
  return value;
}

JsonObject::JsonObject(const Json::Value& value, std::string origin, std::string path)
    : value_(value), origin_(std::move(origin)), path_(std::move(path)) {
  if (!value_.isObject()) {
    throw Error(ErrorCode::InvalidArgument, origin_ + ": " +
                                                (path_.empty() ? std::string("the top level") : "\"" + path_ + "\"") +
                                                " must be a JSON object, got " + describeJson(value_));
  }
}

std::string JsonObject::path(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

void JsonObject::fail(const std::string& key, const std::string& why) const {
  throw Error(ErrorCode::InvalidArgument, origin_ + ": \"" + path(key) + "\": " + why);
}

bool JsonObject::has(const char* key) const {
  used_.insert(key);
  return value_.isMember(key);
}

const Json::Value& JsonObject::raw(const char* key) const {
  used_.insert(key);
  const Json::Value* v = value_.find(key, key + std::char_traits<char>::length(key));
  if (!v) throw Error(ErrorCode::InvalidArgument, origin_ + ": missing key \"" + path(key) + "\"");
  return *v;
}

std::uint64_t JsonObject::number(const char* key, unsigned bits) const {
  return jsonNumber(raw(key), bits, origin_, path(key));
}

std::uint64_t JsonObject::number(const char* key, unsigned bits, std::uint64_t fallback) const {
  return has(key) ? number(key, bits) : fallback;
}

std::string JsonObject::string(const char* key) const {
  const Json::Value& v = raw(key);
  if (!v.isString()) fail(key, "must be a string, got " + describeJson(v));
  return v.asString();
}

std::string JsonObject::string(const char* key, const std::string& fallback) const {
  return has(key) ? string(key) : fallback;
}

bool JsonObject::boolean(const char* key, bool fallback) const {
  if (!has(key)) return fallback;
  const Json::Value& v = raw(key);
  if (!v.isBool()) fail(key, "must be true or false, got " + describeJson(v));
  return v.asBool();
}

JsonObject JsonObject::object(const char* key) const {
  const Json::Value& v = raw(key);
  if (!v.isObject()) fail(key, "must be an object, got " + describeJson(v));
  return JsonObject(v, origin_, path(key));
}

const Json::Value& JsonObject::array(const char* key) const {
  if (!has(key)) return emptyArray();
  const Json::Value& v = raw(key);
  if (!v.isArray()) fail(key, "must be an array, got " + describeJson(v));
  return v;
}

std::vector<JsonObject> JsonObject::objects(const char* key) const {
  const Json::Value& a = array(key);
  std::vector<JsonObject> out;
  out.reserve(a.size());
  for (Json::ArrayIndex i = 0; i < a.size(); ++i) {
    out.emplace_back(a[i], origin_, path(key) + "[" + std::to_string(i) + "]");
  }
  return out;
}

void JsonObject::rejectUnknownKeys() const {
  for (const std::string& key : value_.getMemberNames()) {
    if (!used_.count(key)) fail(key, "unknown key");
  }
}

}  // namespace phi
