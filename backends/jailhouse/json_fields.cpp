#include "json_fields.hpp"

#include <phi/error.hpp>

#include <json/reader.h>

#include <cstdio>
#include <memory>

namespace phi::jailhouse {

namespace {

const Json::Value& emptyArray() {
  static const Json::Value empty(Json::arrayValue);
  return empty;
}

std::string describe(const Json::Value& v) {
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

}  // namespace

Json::Value parseStrictJson(const std::string& text, const std::string& origin) {
  Json::CharReaderBuilder builder;
  Json::CharReaderBuilder::strictMode(&builder.settings_);
  builder.settings_["stackLimit"] = 100;
  std::unique_ptr<Json::CharReader> reader(builder.newCharReader());
  Json::Value v;
  std::string errors;
  bool ok = false;
  try {
    ok = reader->parse(text.data(), text.data() + text.size(), &v, &errors);
  } catch (const std::exception& e) {
    errors = e.what();  // nesting deeper than the stack limit
  }
  if (!ok) {
    while (!errors.empty() && (errors.back() == '\n' || errors.back() == ' ')) errors.pop_back();
    throw Error(ErrorCode::ParseError, origin + ": not valid JSON: " + errors);
  }
  return v;
}

std::string hexString(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::uint64_t jsonNumber(const Json::Value& v, unsigned bits, const std::string& origin, const std::string& path) {
  std::uint64_t value = 0;
  auto bad = [&](const std::string& why) {
    return Error(ErrorCode::InvalidArgument, origin + ": \"" + path + "\": " + why);
  };
  if (v.isString()) {
    const std::string s = v.asString();
    if (s.size() < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) {
      throw bad("\"" + s + "\" is not a number: use a JSON integer or a \"0x...\" hex string");
    }
    size_t digits = 0;
    for (size_t i = 2; i < s.size(); ++i) {
      char c = s[i];
      unsigned d;
      if (c >= '0' && c <= '9')
        d = static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f')
        d = static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        d = static_cast<unsigned>(c - 'A' + 10);
      else
        throw bad("\"" + s + "\" is not a hex string ('" + std::string(1, c) + "' is not a hex digit)");
      if (value == 0 && d == 0) continue;  // leading zeros
      if (++digits > 16) throw bad("\"" + s + "\" does not fit 64 bits");
      value = value << 4 | d;
    }
  } else if (v.isUInt64() && v.type() != Json::realValue) {
    value = v.asUInt64();
  } else if (v.isIntegral() && v.asInt64() < 0) {
    throw bad(describe(v) + " is negative");
  } else {
    throw bad("must be an unsigned integer or a \"0x...\" string, got " + describe(v));
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
                                                " must be a JSON object, got " + describe(value_));
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
  if (!v.isString()) fail(key, "must be a string, got " + describe(v));
  return v.asString();
}

std::string JsonObject::string(const char* key, const std::string& fallback) const {
  return has(key) ? string(key) : fallback;
}

bool JsonObject::boolean(const char* key, bool fallback) const {
  if (!has(key)) return fallback;
  const Json::Value& v = raw(key);
  if (!v.isBool()) fail(key, "must be true or false, got " + describe(v));
  return v.asBool();
}

JsonObject JsonObject::object(const char* key) const {
  return JsonObject(raw(key), origin_, path(key));
}

const Json::Value& JsonObject::array(const char* key) const {
  if (!has(key)) return emptyArray();
  const Json::Value& v = raw(key);
  if (!v.isArray()) fail(key, "must be an array, got " + describe(v));
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

}  // namespace phi::jailhouse
