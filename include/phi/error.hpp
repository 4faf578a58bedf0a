// The single error type of libphi: a code plus a human message that names the
// file, field or value at fault.
#pragma once

#include <phi/export.hpp>

#include <stdexcept>
#include <string>

namespace phi {
inline namespace v1 {

enum class ErrorCode {
  InvalidArgument = 1,  // bad flag, id or value given by the caller
  NotFound,             // a file, container or program does not exist
  AlreadyExists,        // a container id is already taken
  ParseError,           // malformed JSON or wrong field type
  IoError,              // a system call failed
  SpawnFailed,          // a program could not be started
  ChildFailed,          // a program ran and exited non-zero
  NoDriver,             // a partitioned container but no usable driver
  NotSupported,         // the operation is not available for this container
  Internal,             // a bug in libphi
};

// Stable lower-case name of a code, e.g. "not-found".                since 0.1
PHI_API const char* errorCodeName(ErrorCode code) noexcept;

// Thrown by every libphi call that fails. Its layout is a std::runtime_error
// plus the code and never grows; detail goes into the message.      since 0.1
class PHI_API Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message);

  ErrorCode code() const noexcept { return code_; }

  // A copy whose message starts with `context: `, for callers that add what
  // they were doing when the error happened.
  Error wrap(const std::string& context) const;

 private:
  ErrorCode code_;
};

}  // namespace v1
}  // namespace phi
