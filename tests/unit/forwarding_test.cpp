// phi::decideCreate (libphi/forwarding.cpp) and the in-rootfs path resolution
// it relies on (libphi/rootfs_path.cpp).
#include <phi/error.hpp>
#include <phi/routing.hpp>

#include "sdk/rootfs_path.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <string>

namespace {

using phi::ErrorCode;
using phi::Route;
using phi::RouteDecision;
using phitest::capturePhiError;
using phitest::symlinkOrDie;
using phitest::TempDir;
using phitest::writeFile;

constexpr const char* kZicJson = R"({"cells": []})";

class DecideCreateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bundle_ = tmp_ / "bundle";
    rootfs_ = bundle_ + "/rootfs";
    std::filesystem::create_directories(rootfs_);
  }

  // A bundle config with root.path "rootfs" and the given annotations
  // object (JSON text; empty = no annotations key).
  void writeBundleConfig(const std::string& annotations = {}, const std::string& rootPath = "\"rootfs\"") {
    std::string json = "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": " + rootPath + "}";
    if (!annotations.empty()) json += ", \"annotations\": " + annotations;
    json += "}";
    writeFile(bundle_ + "/config.json", json);
  }
  void makeZic() { writeFile(rootfs_ + "/boot/config.json", kZicJson); }
  // A host directory outside the rootfs holding a config.json.
  std::string makeOutside() {
    std::string outside = tmp_ / "outside";
    writeFile(outside + "/config.json", kZicJson);
    return outside;
  }

  TempDir tmp_;
  std::string bundle_, rootfs_;
};

// --- the annotation ---

TEST_F(DecideCreateTest, AnnotationRunphiForcesRunphi) {
  writeBundleConfig(R"({"org.runphi.runtime": "runphi"})");  // no ZIC rootfs
  RouteDecision d = phi::decideCreate(bundle_);
  EXPECT_EQ(d.route(), Route::Runphi);
  EXPECT_CONTAINS(d.reason(), "org.runphi.runtime=runphi");
  EXPECT_EQ(d.warning(), "");
}

TEST_F(DecideCreateTest, AnnotationRunphiWinsEvenWithoutRootPath) {
  writeFile(bundle_ + "/config.json", R"({"annotations": {"org.runphi.runtime": "runphi"}})");
  EXPECT_EQ(phi::decideCreate(bundle_).route(), Route::Runphi);
}

TEST_F(DecideCreateTest, AnnotationRuncForcesRuncEvenForZicRootfs) {
  makeZic();
  writeBundleConfig(R"({"org.runphi.runtime": "runc"})");
  RouteDecision d = phi::decideCreate(bundle_);
  EXPECT_EQ(d.route(), Route::Runc);
  EXPECT_CONTAINS(d.reason(), "org.runphi.runtime=runc");
  EXPECT_EQ(d.warning(), "");
}

TEST_F(DecideCreateTest, OtherAnnotationValueFallsThroughWithWarning) {
  makeZic();
  writeBundleConfig(R"({"org.runphi.runtime": "xen"})");
  RouteDecision d = phi::decideCreate(bundle_);
  EXPECT_EQ(d.route(), Route::Runphi) << "decided by the rootfs";
  EXPECT_CONTAINS(d.warning(), "org.runphi.runtime");
  EXPECT_CONTAINS(d.warning(), "\"xen\"");
  EXPECT_CONTAINS(d.warning(), bundle_ + "/config.json");
}

TEST_F(DecideCreateTest, OtherAnnotationValueWithoutZicGoesToRuncWithWarning) {
  writeBundleConfig(R"({"org.runphi.runtime": "RunPHI"})");  // case matters
  RouteDecision d = phi::decideCreate(bundle_);
  EXPECT_EQ(d.route(), Route::Runc);
  EXPECT_CONTAINS(d.warning(), "\"RunPHI\"");
}

TEST_F(DecideCreateTest, EmptyAnnotationValueFallsThroughWithWarning) {
  writeBundleConfig(R"({"org.runphi.runtime": ""})");
  RouteDecision d = phi::decideCreate(bundle_);
  EXPECT_EQ(d.route(), Route::Runc);
  EXPECT_NE(d.warning(), "");
}

TEST_F(DecideCreateTest, NonStringAnnotationFallsThroughWithWarning) {
  for (const std::string value : {"true", "1", "null", "[\"runphi\"]", "{\"a\":\"runphi\"}"}) {
    SCOPED_TRACE(value);
    makeZic();
    writeBundleConfig("{\"org.runphi.runtime\": " + value + "}");
    RouteDecision d = phi::decideCreate(bundle_);
    EXPECT_EQ(d.route(), Route::Runphi);
    EXPECT_CONTAINS(d.warning(), "org.runphi.runtime");
    EXPECT_CONTAINS(d.warning(), value);
  }
}

TEST_F(DecideCreateTest, OtherAnnotationsIgnoredWithoutWarning) {
  writeBundleConfig(R"({"io.kubernetes.cri.container-type": "container", "org.runphi.other": "runphi"})");
  RouteDecision d = phi::decideCreate(bundle_);
  EXPECT_EQ(d.route(), Route::Runc);
  EXPECT_EQ(d.warning(), "");
}

TEST_F(DecideCreateTest, NonObjectAnnotationsIgnored) {
  makeZic();
  writeBundleConfig(R"(["org.runphi.runtime"])");
  RouteDecision d = phi::decideCreate(bundle_);
  EXPECT_EQ(d.route(), Route::Runphi);
  EXPECT_EQ(d.warning(), "");
}

// --- the rootfs ---

TEST_F(DecideCreateTest, ZicRootfsWithRelativeRootPathGoesToRunphi) {
  makeZic();
  writeBundleConfig();
  RouteDecision d = phi::decideCreate(bundle_);
  EXPECT_EQ(d.route(), Route::Runphi);
  EXPECT_CONTAINS(d.reason(), "boot/config.json");
  EXPECT_EQ(d.warning(), "");
}

TEST_F(DecideCreateTest, ZicRootfsWithAbsoluteRootPathGoesToRunphi) {
  // The rootfs lives outside the bundle; an absolute root.path is used as is.
  std::string elsewhere = tmp_ / "images/zic-rootfs";
  writeFile(elsewhere + "/boot/config.json", kZicJson);
  writeBundleConfig({}, "\"" + elsewhere + "\"");
  RouteDecision d = phi::decideCreate(bundle_);
  EXPECT_EQ(d.route(), Route::Runphi);
  EXPECT_CONTAINS(d.reason(), elsewhere);
}

TEST_F(DecideCreateTest, RelativeRootPathIsRelativeToBundleNotCwd) {
  makeZic();
  writeBundleConfig();
  TempDir other;
  phitest::CwdGuard cwd(other.path());
  EXPECT_EQ(phi::decideCreate(bundle_).route(), Route::Runphi);
}

TEST_F(DecideCreateTest, EmptyBundleDirMeansCurrentDirectory) {
  makeZic();
  writeBundleConfig();
  phitest::CwdGuard cwd(bundle_);
  EXPECT_EQ(phi::decideCreate("").route(), Route::Runphi);
}

TEST_F(DecideCreateTest, OrdinaryRootfsGoesToRunc) {
  writeFile(rootfs_ + "/etc/os-release", "ID=alpine\n");
  writeFile(rootfs_ + "/config.json", kZicJson);  // not under boot/
  writeBundleConfig();
  RouteDecision d = phi::decideCreate(bundle_);
  EXPECT_EQ(d.route(), Route::Runc);
  EXPECT_CONTAINS(d.reason(), "boot/config.json");
  EXPECT_EQ(d.warning(), "");
}

TEST_F(DecideCreateTest, EmptyBootDirGoesToRunc) {
  std::filesystem::create_directories(rootfs_ + "/boot");
  writeBundleConfig();
  EXPECT_EQ(phi::decideCreate(bundle_).route(), Route::Runc);
}

TEST_F(DecideCreateTest, BootConfigJsonDirectoryGoesToRunc) {
  std::filesystem::create_directories(rootfs_ + "/boot/config.json");
  writeBundleConfig();
  EXPECT_EQ(phi::decideCreate(bundle_).route(), Route::Runc);
}

TEST_F(DecideCreateTest, MissingRootfsGoesToRunc) {
  std::filesystem::remove_all(rootfs_);
  writeBundleConfig();
  EXPECT_EQ(phi::decideCreate(bundle_).route(), Route::Runc) << "runc reports the missing rootfs itself";
}

TEST_F(DecideCreateTest, NoRootPathGoesToRunc) {
  for (const std::string json :
       {R"({})", R"({"root": {}})", R"({"root": {"path": ""}})", R"({"root": {"path": 5}})", R"({"root": "rootfs"})"}) {
    SCOPED_TRACE(json);
    makeZic();
    writeFile(bundle_ + "/config.json", json);
    RouteDecision d = phi::decideCreate(bundle_);
    EXPECT_EQ(d.route(), Route::Runc);
    EXPECT_CONTAINS(d.reason(), "root.path");
  }
}

// --- symlinks: resolution stays inside the rootfs ---

TEST_F(DecideCreateTest, AbsoluteSymlinkOutOfRootfsNotDetected) {
  std::string outside = makeOutside();
  symlinkOrDie(outside, rootfs_ + "/boot");  // host path: must resolve to <rootfs><outside>
  writeBundleConfig();
  EXPECT_EQ(phi::decideCreate(bundle_).route(), Route::Runc);
}

TEST_F(DecideCreateTest, RelativeSymlinkOutOfRootfsNotDetected) {
  makeOutside();
  // rootfs = <tmp>/bundle/rootfs, so ../../outside is <tmp>/outside on the host.
  symlinkOrDie("../../outside", rootfs_ + "/boot");
  ASSERT_TRUE(phitest::exists(rootfs_ + "/boot/config.json")) << "the host view escapes; the test needs that";
  writeBundleConfig();
  EXPECT_EQ(phi::decideCreate(bundle_).route(), Route::Runc);
}

TEST_F(DecideCreateTest, DeepRelativeSymlinkOutOfRootfsNotDetected) {
  makeOutside();
  symlinkOrDie("../../../../../../../../" + tmp_.path().substr(1) + "/outside", rootfs_ + "/boot");
  writeBundleConfig();
  EXPECT_EQ(phi::decideCreate(bundle_).route(), Route::Runc);
}

TEST_F(DecideCreateTest, SymlinkedConfigFileOutOfRootfsNotDetected) {
  std::string outside = makeOutside();
  std::filesystem::create_directories(rootfs_ + "/boot");
  symlinkOrDie(outside + "/config.json", rootfs_ + "/boot/config.json");
  writeBundleConfig();
  EXPECT_EQ(phi::decideCreate(bundle_).route(), Route::Runc);

  std::filesystem::remove(rootfs_ + "/boot/config.json");
  symlinkOrDie("../../../outside/config.json", rootfs_ + "/boot/config.json");
  ASSERT_TRUE(phitest::exists(tmp_ / "outside/config.json"));
  EXPECT_EQ(phi::decideCreate(bundle_).route(), Route::Runc);
}

TEST_F(DecideCreateTest, SymlinkChainOutOfRootfsNotDetected) {
  std::string outside = makeOutside();
  // boot -> /link1 -> ../link2 -> <host outside dir>
  symlinkOrDie("/link1", rootfs_ + "/boot");
  symlinkOrDie("../link2", rootfs_ + "/link1");
  symlinkOrDie(outside, rootfs_ + "/link2");
  writeBundleConfig();
  EXPECT_EQ(phi::decideCreate(bundle_).route(), Route::Runc);
}

TEST_F(DecideCreateTest, SymlinkChainThroughHostLinkNotDetected) {
  makeOutside();
  // boot -> ../hostlink: on the host that is <bundle>/hostlink -> <tmp>/outside.
  symlinkOrDie(tmp_ / "outside", bundle_ + "/hostlink");
  symlinkOrDie("../hostlink", rootfs_ + "/boot");
  ASSERT_TRUE(phitest::exists(rootfs_ + "/boot/config.json"));
  writeBundleConfig();
  EXPECT_EQ(phi::decideCreate(bundle_).route(), Route::Runc);
}

TEST_F(DecideCreateTest, AbsoluteSymlinkResolvesInsideRootfs) {
  // The host dir the link names has no config.json, but the same path inside
  // the rootfs does: resolution inside the rootfs finds it.
  std::string hostDir = tmp_ / "hostboot";
  std::filesystem::create_directories(hostDir);
  writeFile(rootfs_ + hostDir + "/config.json", kZicJson);
  symlinkOrDie(hostDir, rootfs_ + "/boot");
  writeBundleConfig();
  EXPECT_EQ(phi::decideCreate(bundle_).route(), Route::Runphi);
}

TEST_F(DecideCreateTest, AbsoluteSymlinkInsideRootfsDetected) {
  writeFile(rootfs_ + "/realboot/config.json", kZicJson);
  symlinkOrDie("/realboot", rootfs_ + "/boot");
  writeBundleConfig();
  EXPECT_EQ(phi::decideCreate(bundle_).route(), Route::Runphi);
}

TEST_F(DecideCreateTest, RelativeSymlinkInsideRootfsDetected) {
  writeFile(rootfs_ + "/realboot/config.json", kZicJson);
  symlinkOrDie("realboot", rootfs_ + "/boot");
  writeBundleConfig();
  EXPECT_EQ(phi::decideCreate(bundle_).route(), Route::Runphi);
}

TEST_F(DecideCreateTest, DotDotSymlinkClampedAtRootfsDetected) {
  // "/.." is "/" inside the rootfs, as in the container.
  writeFile(rootfs_ + "/realboot/config.json", kZicJson);
  symlinkOrDie("../../../realboot", rootfs_ + "/boot");
  writeBundleConfig();
  EXPECT_EQ(phi::decideCreate(bundle_).route(), Route::Runphi);
}

TEST_F(DecideCreateTest, SymlinkedConfigFileInsideRootfsDetected) {
  writeFile(rootfs_ + "/etc/zic.json", kZicJson);
  std::filesystem::create_directories(rootfs_ + "/boot");
  symlinkOrDie("/etc/zic.json", rootfs_ + "/boot/config.json");
  writeBundleConfig();
  EXPECT_EQ(phi::decideCreate(bundle_).route(), Route::Runphi);
}

TEST_F(DecideCreateTest, SymlinkChainInsideRootfsDetected) {
  writeFile(rootfs_ + "/a/b/config.json", kZicJson);
  symlinkOrDie("/l1", rootfs_ + "/boot");
  symlinkOrDie("l2", rootfs_ + "/l1");
  symlinkOrDie("/a/b", rootfs_ + "/l2");
  writeBundleConfig();
  EXPECT_EQ(phi::decideCreate(bundle_).route(), Route::Runphi);
}

TEST_F(DecideCreateTest, DanglingBootSymlinkGoesToRunc) {
  symlinkOrDie("/nowhere", rootfs_ + "/boot");
  writeBundleConfig();
  EXPECT_EQ(phi::decideCreate(bundle_).route(), Route::Runc);
}

// An image whose /boot is not a directory is an ordinary container that runc
// runs; deciding the route must not refuse it.
TEST_F(DecideCreateTest, BootIsARegularFileGoesToRunc) {
  writeFile(rootfs_ + "/boot", "not a directory\n");
  writeBundleConfig();
  try {
    EXPECT_EQ(phi::decideCreate(bundle_).route(), Route::Runc);
  } catch (const phi::Error& e) {
    FAIL() << "decideCreate throws for a rootfs whose /boot is a regular file (openat2 ENOTDIR -> "
              "IoError is rethrown by decideCreate() in forwarding.cpp, only NotFound is tolerated); expected "
              "Route::Runc. "
           << e.what();
  }
}

TEST_F(DecideCreateTest, BootSymlinkLoopGoesToRunc) {
  symlinkOrDie("boot", rootfs_ + "/boot");
  writeBundleConfig();
  try {
    EXPECT_EQ(phi::decideCreate(bundle_).route(), Route::Runc);
  } catch (const phi::Error& e) {
    FAIL() << "decideCreate throws for a rootfs whose /boot is a symlink loop (openat2 ELOOP -> "
              "IoError is rethrown by decideCreate() in forwarding.cpp); expected Route::Runc. "
           << e.what();
  }
}

// --- the bundle's config.json ---

TEST_F(DecideCreateTest, MissingBundleConfigIsNotFoundNamingPath) {
  phi::Error e = capturePhiError([&] { phi::decideCreate(bundle_); });
  EXPECT_EQ(e.code(), ErrorCode::NotFound);
  EXPECT_CONTAINS(e.what(), bundle_ + "/config.json");
}

TEST_F(DecideCreateTest, MissingBundleDirIsNotFound) {
  phi::Error e = capturePhiError([&] { phi::decideCreate(tmp_ / "no-such-bundle"); });
  EXPECT_EQ(e.code(), ErrorCode::NotFound);
  EXPECT_CONTAINS(e.what(), tmp_ / "no-such-bundle/config.json");
}

// runphi does not parse what runc parses to route: a config.json it cannot
// read goes to runc, which gives its own answer (issue 13, point 3) ...
TEST_F(DecideCreateTest, MalformedBundleConfigIsForwardedToRunc) {
  const std::string deep = std::string(1200, '[') + std::string(1200, ']');
  for (const std::string& json :
       std::vector<std::string>{"{", "{\"root\": {\"path\": \"rootfs\"}", "not json", "", "{\"x\": " + deep + "}"}) {
    writeFile(bundle_ + "/config.json", json);
    phi::RouteDecision d = phi::decideCreate(bundle_);
    EXPECT_EQ(d.route(), phi::Route::Runc) << json;
    EXPECT_CONTAINS(d.reason(), bundle_ + "/config.json");
  }
}

// ... unless the conventional rootfs is a ZIC's: then it is runphi's error.
TEST_F(DecideCreateTest, MalformedConfigOfAZicIsParseErrorNamingFile) {
  writeFile(bundle_ + "/rootfs/boot/config.json", "{}");
  for (const std::string json : {"{", "not json", ""}) {
    writeFile(bundle_ + "/config.json", json);
    phi::Error e = capturePhiError([&] { phi::decideCreate(bundle_); });
    EXPECT_EQ(e.code(), ErrorCode::ParseError) << json;
    EXPECT_CONTAINS(e.what(), bundle_ + "/config.json");
  }
}

TEST_F(DecideCreateTest, NonObjectBundleConfigIsParseError) {
  writeFile(bundle_ + "/config.json", "[1, 2]");
  phi::Error e = capturePhiError([&] { phi::decideCreate(bundle_); });
  EXPECT_EQ(e.code(), ErrorCode::ParseError);
  EXPECT_CONTAINS(e.what(), bundle_ + "/config.json");
}

TEST_F(DecideCreateTest, DuplicateKeysInBundleConfigAcceptedLastWins) {
  writeFile(bundle_ + "/config.json",
            R"({"annotations": {"org.runphi.runtime": "runc", "org.runphi.runtime": "runphi"}})");
  EXPECT_EQ(phi::decideCreate(bundle_).route(), Route::Runphi);

  writeFile(bundle_ + "/config.json",
            R"({"annotations": {"org.runphi.runtime": "runphi", "org.runphi.runtime": "runc"}})");
  EXPECT_EQ(phi::decideCreate(bundle_).route(), Route::Runc);

  makeZic();
  writeFile(bundle_ + "/config.json", R"({"root": {"path": "elsewhere"}, "root": {"path": "rootfs"}})");
  EXPECT_EQ(phi::decideCreate(bundle_).route(), Route::Runphi);
}

// --- rootfs_path directly ---

TEST(RootfsPathTest, RegularFileInRootfs) {
  TempDir tmp;
  writeFile(tmp / "root/etc/hosts", "x");
  EXPECT_TRUE(phi::regularFileInRootfs(tmp / "root", "etc/hosts"));
  EXPECT_TRUE(phi::regularFileInRootfs(tmp / "root", "/etc/hosts"));
  EXPECT_FALSE(phi::regularFileInRootfs(tmp / "root", "etc"));
  EXPECT_FALSE(phi::regularFileInRootfs(tmp / "root", "etc/missing"));
  EXPECT_FALSE(phi::regularFileInRootfs(tmp / "no-root", "etc/hosts"));
}

TEST(RootfsPathTest, DotDotCannotLeaveRootfs) {
  TempDir tmp;
  writeFile(tmp / "secret", "x");
  std::filesystem::create_directories(tmp / "root");
  EXPECT_FALSE(phi::regularFileInRootfs(tmp / "root", "../secret"));
  EXPECT_FALSE(phi::regularFileInRootfs(tmp / "root", tmp / "secret"));
}

TEST(RootfsPathTest, OpenInRootfsReadsTheInsideFile) {
  TempDir tmp;
  writeFile(tmp / "root/data", "inside");
  writeFile(tmp / "data", "outside");
  symlinkOrDie(tmp / "data", tmp / "root/link");  // absolute host path
  writeFile(tmp / "root" + tmp.path() + "/data", "in-root copy");
  int fd = phi::openInRootfs(tmp / "root", "link", O_RDONLY);
  ASSERT_GE(fd, 0);
  char buffer[64] = {};
  ssize_t n = ::read(fd, buffer, sizeof buffer - 1);
  ::close(fd);
  EXPECT_EQ(std::string(buffer, n > 0 ? static_cast<size_t>(n) : 0), "in-root copy");
}

TEST(RootfsPathTest, OpenInRootfsErrorNamesBothPaths) {
  TempDir tmp;
  std::filesystem::create_directories(tmp / "root");
  phi::Error e = capturePhiError([&] { phi::openInRootfs(tmp / "root", "missing/file", O_RDONLY); });
  EXPECT_EQ(e.code(), ErrorCode::NotFound);
  EXPECT_CONTAINS(e.what(), "missing/file");
  EXPECT_CONTAINS(e.what(), tmp / "root");
}

}  // namespace
