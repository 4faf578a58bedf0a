// Builds a phi::Error from errno, naming what was being done and to what.
#pragma once

#include <phi/error.hpp>

#include <cerrno>
#include <cstring>
#include <string>

namespace phi {

inline Error errnoError(const std::string& what, int err = errno) {
  ErrorCode code = err == ENOENT ? ErrorCode::NotFound : err == EEXIST ? ErrorCode::AlreadyExists : ErrorCode::IoError;
  return Error(code, what + ": " + std::strerror(err));
}

}  // namespace phi
