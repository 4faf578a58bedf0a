// Helpers shared by the unit tests: temporary directories, environment and
// working-directory guards, small file utilities and phi::Error capture.
#pragma once

#include <phi/error.hpp>

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace phitest {

// A fresh directory under /tmp (mkdtemp), removed with its content on
// destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = "/tmp/phi-unit-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

// Sets or unsets an environment variable for the lifetime of the guard and
// restores the previous value (or absence) afterwards.
class EnvGuard {
 public:
  explicit EnvGuard(std::string name) : name_(std::move(name)) {
    if (const char* v = std::getenv(name_.c_str())) old_ = std::string(v);
  }
  EnvGuard(std::string name, const std::string& value) : EnvGuard(std::move(name)) { set(value); }
  ~EnvGuard() {
    if (old_) {
      ::setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }
  EnvGuard(const EnvGuard&) = delete;
  EnvGuard& operator=(const EnvGuard&) = delete;

  void set(const std::string& value) { ::setenv(name_.c_str(), value.c_str(), 1); }
  void unset() { ::unsetenv(name_.c_str()); }

 private:
  std::string name_;
  std::optional<std::string> old_;
};

// Changes the working directory and restores it on destruction.
class CwdGuard {
 public:
  explicit CwdGuard(const std::string& dir) : old_(std::filesystem::current_path()) {
    std::filesystem::current_path(dir);
  }
  ~CwdGuard() {
    std::error_code ec;
    std::filesystem::current_path(old_, ec);
  }
  CwdGuard(const CwdGuard&) = delete;
  CwdGuard& operator=(const CwdGuard&) = delete;

 private:
  std::filesystem::path old_;
};

inline void writeFile(const std::string& path, const std::string& content) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + path);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + path);
}

inline std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

inline bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

inline unsigned modeOf(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw std::runtime_error("cannot stat " + path);
  return st.st_mode & 07777;
}

inline void makeExecutable(const std::string& path, const std::string& content = "#!/bin/sh\nexit 0\n") {
  writeFile(path, content);
  std::filesystem::permissions(path, std::filesystem::perms(0755));
}

inline void symlinkOrDie(const std::string& target, const std::string& linkPath) {
  std::filesystem::create_directories(std::filesystem::path(linkPath).parent_path());
  if (::symlink(target.c_str(), linkPath.c_str()) != 0) {
    throw std::runtime_error("symlink " + linkPath + ": " + std::strerror(errno));
  }
}

// Runs `f`, which must throw phi::Error, and returns the error. Records a
// test failure (and returns an Internal error) when nothing or something
// else is thrown.
template <class F>
phi::Error capturePhiError(F&& f) {
  try {
    std::forward<F>(f)();
  } catch (const phi::Error& e) {
    return e;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected phi::Error, got another exception: " << e.what();
    return phi::Error(phi::ErrorCode::Internal, "<wrong exception type>");
  }
  ADD_FAILURE() << "expected phi::Error, nothing was thrown";
  return phi::Error(phi::ErrorCode::Internal, "<nothing thrown>");
}

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// True when the test runs under qemu-user (the aarch64 preset's
// CMAKE_CROSSCOMPILING_EMULATOR sets PHI_UNDER_QEMU_USER for the guest).
inline bool underQemuUser() {
  return std::getenv("PHI_UNDER_QEMU_USER") != nullptr;
}

}  // namespace phitest

// Skips a test whose subject qemu-user emulates differently from a kernel;
// `why` says how, so the skip is never silent.
#define PHI_SKIP_UNDER_QEMU_USER(why)                                       \
  do {                                                                      \
    if (::phitest::underQemuUser()) GTEST_SKIP() << "qemu-user: " << (why); \
  } while (0)

namespace phitest {}  // namespace phitest

// EXPECT that `text` contains `needle`, printing both on failure.
#define EXPECT_CONTAINS(text, needle) EXPECT_PRED2(::phitest::contains, std::string(text), std::string(needle))
#define EXPECT_NOT_CONTAINS(text, needle) \
  EXPECT_FALSE(::phitest::contains(std::string(text), std::string(needle))) << "text: " << (text)
