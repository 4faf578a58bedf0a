// libphi/runc_locator.cpp: which runc a forwarded call goes to, and never
// runphi itself.
#include <phi/error.hpp>

#include "runc_locator.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <string>

namespace {

using phitest::capturePhiError;
using phitest::makeExecutable;
using phitest::TempDir;
using runphi::locateRunc;

std::string selfPath() {
  return std::filesystem::read_symlink("/proc/self/exe").string();
}

class LocateRuncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(bin_);
    std::filesystem::create_directories(empty_);
  }
  TempDir tmp_;
  std::string bin_ = tmp_ / "bin";      // holds a fake runc when a test wants one
  std::string empty_ = tmp_ / "empty";  // never holds anything
  phitest::EnvGuard path_{"PATH"};
};

TEST_F(LocateRuncTest, ConfiguredExecutableReturned) {
  makeExecutable(tmp_ / "runc_vanilla");
  makeExecutable(bin_ + "/runc");
  path_.set(bin_);
  EXPECT_EQ(locateRunc(tmp_ / "runc_vanilla"), tmp_ / "runc_vanilla");
}

TEST_F(LocateRuncTest, ConfiguredExecutableReturnedEvenWithEmptyPath) {
  makeExecutable(tmp_ / "runc_vanilla");
  path_.set(empty_);
  EXPECT_EQ(locateRunc(tmp_ / "runc_vanilla"), tmp_ / "runc_vanilla");
}

TEST_F(LocateRuncTest, NonExecutableConfiguredFallsBackToPath) {
  phitest::writeFile(tmp_ / "runc_vanilla", "#!/bin/sh\n");  // mode 0644
  makeExecutable(bin_ + "/runc");
  path_.set(empty_ + ":" + bin_);
  EXPECT_EQ(locateRunc(tmp_ / "runc_vanilla"), bin_ + "/runc");
}

TEST_F(LocateRuncTest, MissingConfiguredFallsBackToPath) {
  makeExecutable(bin_ + "/runc");
  path_.set(bin_);
  EXPECT_EQ(locateRunc("/usr/local/sbin/runc_vanilla-does-not-exist"), bin_ + "/runc");
}

TEST_F(LocateRuncTest, ConfiguredDirectoryFallsBackToPath) {
  std::filesystem::create_directories(tmp_ / "adir");
  makeExecutable(bin_ + "/runc");
  path_.set(bin_);
  EXPECT_EQ(locateRunc(tmp_ / "adir"), bin_ + "/runc");
}

TEST_F(LocateRuncTest, EmptyConfiguredLooksUpRuncOnPath) {
  makeExecutable(bin_ + "/runc");
  path_.set(bin_);
  EXPECT_EQ(locateRunc(""), bin_ + "/runc");
}

TEST_F(LocateRuncTest, BareConfiguredNameLookedUpOnPath) {
  makeExecutable(bin_ + "/runc");
  makeExecutable(bin_ + "/runc_vanilla");
  path_.set(bin_);
  EXPECT_EQ(locateRunc("runc_vanilla"), bin_ + "/runc_vanilla");
}

TEST_F(LocateRuncTest, FirstUsablePathEntryWins) {
  std::string second = tmp_ / "bin2";
  makeExecutable(bin_ + "/runc");
  makeExecutable(second + "/runc");
  path_.set(bin_ + ":" + second);
  EXPECT_EQ(locateRunc(tmp_ / "missing"), bin_ + "/runc");
}

TEST_F(LocateRuncTest, UnusablePathEntriesSkipped) {
  std::string nonExec = tmp_ / "nonexec", dirRunc = tmp_ / "dirrunc";
  phitest::writeFile(nonExec + "/runc", "#!/bin/sh\n");
  std::filesystem::create_directories(dirRunc + "/runc");
  makeExecutable(bin_ + "/runc");
  path_.set("::" + nonExec + ":" + tmp_ / "nope" + "::" + dirRunc + ":" + bin_ + ":");
  EXPECT_EQ(locateRunc(tmp_ / "missing"), bin_ + "/runc");
}

TEST_F(LocateRuncTest, SelfOnPathViaProcSelfExeSymlinkSkipped) {
  // runphi installed as `runc`: the first runc on PATH is this very program.
  std::string selfDir = tmp_ / "self";
  phitest::symlinkOrDie("/proc/self/exe", selfDir + "/runc");
  makeExecutable(bin_ + "/runc");
  path_.set(selfDir + ":" + bin_);
  EXPECT_EQ(locateRunc(tmp_ / "missing"), bin_ + "/runc");
}

TEST_F(LocateRuncTest, SelfOnPathViaSymlinkToBinarySkipped) {
  PHI_SKIP_UNDER_QEMU_USER("the kernel resolves /proc/self/exe to the emulator, not to the test binary");
  std::string selfDir = tmp_ / "self";
  phitest::symlinkOrDie(selfPath(), selfDir + "/runc");
  makeExecutable(bin_ + "/runc");
  path_.set(selfDir + ":" + bin_);
  EXPECT_EQ(locateRunc(tmp_ / "missing"), bin_ + "/runc");
}

TEST_F(LocateRuncTest, ConfiguredSelfSkipped) {
  PHI_SKIP_UNDER_QEMU_USER("the kernel resolves /proc/self/exe to the emulator, not to the test binary");
  phitest::symlinkOrDie("/proc/self/exe", tmp_ / "runc_vanilla");
  makeExecutable(bin_ + "/runc");
  path_.set(bin_);
  EXPECT_EQ(locateRunc(tmp_ / "runc_vanilla"), bin_ + "/runc");
  EXPECT_EQ(locateRunc(selfPath()), bin_ + "/runc");
}

TEST_F(LocateRuncTest, OnlySelfAvailableIsNotFound) {
  PHI_SKIP_UNDER_QEMU_USER("the kernel resolves /proc/self/exe to the emulator, not to the test binary");
  std::string selfDir = tmp_ / "self";
  phitest::symlinkOrDie("/proc/self/exe", selfDir + "/runc");
  path_.set(selfDir);
  phi::Error e = capturePhiError([&] { locateRunc(selfPath()); });
  EXPECT_EQ(e.code(), phi::ErrorCode::NotFound);
}

TEST_F(LocateRuncTest, NothingFoundIsNotFoundNamingConfiguredPath) {
  path_.set(empty_);
  std::string configured = tmp_ / "runc_vanilla";
  phi::Error e = capturePhiError([&] { locateRunc(configured); });
  EXPECT_EQ(e.code(), phi::ErrorCode::NotFound);
  EXPECT_CONTAINS(e.what(), "\"" + configured + "\"");
  EXPECT_CONTAINS(e.what(), "runc");
  EXPECT_CONTAINS(e.what(), "PATH");
}

TEST_F(LocateRuncTest, EmptyPathVariableFindsNothing) {
  path_.set("");
  phi::Error e = capturePhiError([&] { locateRunc(tmp_ / "missing"); });
  EXPECT_EQ(e.code(), phi::ErrorCode::NotFound);
}

TEST_F(LocateRuncTest, UnsetPathUsesDefaultDirectories) {
  path_.unset();
  try {
    std::string found = locateRunc(tmp_ / "missing");
    std::string dir = std::filesystem::path(found).parent_path().string();
    EXPECT_TRUE(dir == "/usr/local/sbin" || dir == "/usr/local/bin" || dir == "/usr/sbin" || dir == "/usr/bin" ||
                dir == "/sbin" || dir == "/bin")
        << found;
    EXPECT_EQ(std::filesystem::path(found).filename(), "runc");
  } catch (const phi::Error& e) {
    EXPECT_EQ(e.code(), phi::ErrorCode::NotFound) << "no runc on this host";
  }
}

}  // namespace
