#include <phi/error.hpp>

namespace phi {
inline namespace v1 {

const char* errorCodeName(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::InvalidArgument: return "invalid-argument";
    case ErrorCode::NotFound: return "not-found";
    case ErrorCode::AlreadyExists: return "already-exists";
    case ErrorCode::ParseError: return "parse-error";
    case ErrorCode::IoError: return "io-error";
    case ErrorCode::SpawnFailed: return "spawn-failed";
    case ErrorCode::ChildFailed: return "child-failed";
    case ErrorCode::NoDriver: return "no-driver";
    case ErrorCode::NotSupported: return "not-supported";
    case ErrorCode::Internal: return "internal";
  }
  return "unknown";
}

Error::Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}

Error Error::wrap(const std::string& context) const {
  return Error(code_, context + ": " + what());
}

}  // namespace v1
}  // namespace phi
