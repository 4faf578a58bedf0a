#include "sdk/trusted_file.hpp"

#include <phi/error.hpp>

#include "toolkit/system_error.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <memory>

namespace phi {

namespace {

std::string octal(mode_t mode) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "%04o", static_cast<unsigned>(mode & 07777));
  return buffer;
}

void check(const std::string& path, const std::string& what, const std::string& shown, bool directory) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw errnoError("cannot stat " + what + " " + shown);
  const uid_t me = ::geteuid();
  auto refuse = [&](const std::string& why) {
    throw Error(ErrorCode::InvalidArgument, what + " " + shown + " " + why + " (owner uid " +
                                                std::to_string(st.st_uid) + ", mode " + octal(st.st_mode) +
                                                "): only root or the caller may be able to change it");
  };
  if (st.st_uid != 0 && st.st_uid != me) refuse("is owned by another user");
  const bool sticky = (st.st_mode & S_ISVTX) != 0;
  if (directory && sticky) return;  // others may add files, not replace ours
  if (st.st_mode & S_IWOTH) refuse(directory ? "is in a directory anyone can write" : "is writable by anyone");
  if ((st.st_mode & S_IWGRP) && st.st_gid != 0) {
    refuse(directory ? "is in a directory its group can write" : "is writable by its group");
  }
}

}  // namespace

void requireTrustedFile(const std::string& path, const std::string& what) {
  check(path, what, path, false);
  std::unique_ptr<char, decltype(&std::free)> real(::realpath(path.c_str(), nullptr), &std::free);
  if (!real) throw errnoError("cannot resolve " + what + " " + path);
  std::string dir(real.get());
  dir = dir.substr(0, dir.rfind('/'));
  if (dir.empty()) dir = "/";
  check(dir, what, path, true);
}

}  // namespace phi
