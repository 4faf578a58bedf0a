// shim/dispatch.cpp and verbs/list.cpp: routing, --version, and the paths of
// dispatch() that never exec runc (`list` when runphi holds containers,
// refused creates). What the lifecycle does is tested in-process by
// tests/unit/engine and through the binary by tests/partition.
#include <phi/error.hpp>
#include <phi/runtime.hpp>
#include <phi/version.hpp>

#include "cli.hpp"
#include "oci_grammar.hpp"
#include "runtime/state_store.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using phi::ErrorCode;
using phi::Route;
using phitest::capturePhiError;
using phitest::TempDir;
using phitest::writeFile;

constexpr const char* kRuncRoot = "/run/containerd/runc/test";

class RuntimeTest : public ::testing::Test {
 protected:
  RuntimeTest() {
    config_.setStateRoot(tmp_ / "state");
    config_.setRuncPath(tmp_ / "fake-runc");
    config_.setLogPath({});
    config_.setJournald(false);
    // None of these tests may forward: a forwarded call would exec runc in
    // place of the test process. Should a bug make it happen, this runc
    // makes the test process fail instead of exiting 0.
    fakeRunc("", 97, "UNEXPECTED FORWARD TO RUNC\n");
  }

  runphi::Invocation inv(std::vector<std::string> tail, bool withRoot = true) {
    std::vector<std::string> args;
    if (withRoot) args = {"--root", kRuncRoot};
    args.insert(args.end(), tail.begin(), tail.end());
    return runphi::parseCommandLine(args).invocation;
  }
  // What main() does: the runtime of the call's --root, then the verb.
  phi::RouteDecision route(const runphi::Invocation& call) {
    phi::Runtime rt(phi::RuntimeOptions(config_).setRuncRoot(call.global.root));
    runphi::Cli cli{call, rt, logger_};
    return runphi::route(cli);
  }
  int execute(const runphi::Invocation& call) {
    phi::Runtime rt(phi::RuntimeOptions(config_).setRuncRoot(call.global.root));
    runphi::Cli cli{call, rt, logger_};
    return runphi::dispatch(cli);
  }
  std::string bundle(bool zic) {
    std::string b = tmp_ / (zic ? "zic-bundle" : "plain-bundle");
    writeFile(b + "/config.json", R"({"ociVersion":"1.0.2","root":{"path":"rootfs"}})");
    writeFile(b + "/rootfs/etc/hostname", "x\n");
    if (zic) writeFile(b + "/rootfs/boot/config.json", "{}");
    return b;
  }
  void hold(const std::string& id, const std::string& runcRoot = kRuncRoot) {
    phi::ContainerRecord r;
    r.id = id;
    r.pid = 100;
    r.status = phi::Status::Running;
    r.bundle = "/ours/" + id;
    r.rootfs = r.bundle + "/rootfs";
    r.created = "2026-11-23T11:55:12Z";
    r.owner = "root";
    phi::StateStore(config_.stateRoot(), runcRoot).save(r);
  }
  // A fake runc that records its argv and, when called as `... list --format
  // json` (runphi's own query), prints `listJson` and exits `status`. Any
  // other call is a forward the test did not expect: it exits 97.
  void fakeRunc(const std::string& listJson, int status = 0, const std::string& err = "") {
    phitest::makeExecutable(config_.runcPath(),
                            "#!/bin/sh\n"
                            "printf '%s\\n' \"$@\" > '" +
                                tmp_ / "argv" +
                                "'\n"
                                "for a; do l3=$l2; l2=$l1; l1=$a; done\n"
                                "if [ \"$l3 $l2 $l1\" != 'list --format json' ]; then\n"
                                "  echo 'UNEXPECTED FORWARD TO RUNC' >&2; exit 97\n"
                                "fi\n"
                                "printf '%s' '" +
                                listJson +
                                "'\n"
                                "printf '%s' '" +
                                err +
                                "' >&2\n"
                                "exit " +
                                std::to_string(status) + "\n");
  }

  TempDir tmp_;
  phi::RuntimeOptions config_;
  phi::Logger logger_;
};

TEST_F(RuntimeTest, VersionReportHasTheThreeLinesGoRuncParses) {
  std::string v = runphi::versionReport(config_);
  // It names the runc it forwards to (this one fails `--version`: no version).
  EXPECT_EQ(v, std::string("runc version ") + PHI_VERSION_STRING + " (runphi " + PHI_VERSION_STRING +
                   ", backend: none, forwards to: " + config_.runcPath() + ")\ncommit: runphi-" + PHI_VERSION_STRING +
                   "\nspec: " + PHI_OCI_SPEC_VERSION + "\n");
  config_.setBackend("jailhouse");
  EXPECT_CONTAINS(runphi::versionReport(config_), "backend: jailhouse, ");
  config_.setRuncPath(tmp_ / "missing-runc");
  const char* oldPath = std::getenv("PATH");
  std::string saved = oldPath ? oldPath : "";
  ::setenv("PATH", "/nonexistent", 1);
  std::string none = runphi::versionReport(config_);
  ::setenv("PATH", saved.c_str(), 1);
  EXPECT_CONTAINS(none, "forwards to: no runc)\n");
}

TEST_F(RuntimeTest, OptionsReachTheRuntime) {
  phi::Runtime rt(config_);
  EXPECT_EQ(rt.options().stateRoot(), config_.stateRoot());
  EXPECT_EQ(rt.options().runcPath(), config_.runcPath());
}

TEST_F(RuntimeTest, RouteCreateByBundle) {
  EXPECT_EQ(route(inv({"create", "--bundle", bundle(true), "c1"})).route(), Route::Runphi);
  EXPECT_EQ(route(inv({"create", "--bundle", bundle(false), "c1"})).route(), Route::Runc);
  EXPECT_EQ(route(inv({"run", "-b", bundle(true), "c1"})).route(), Route::Runphi);
  EXPECT_EQ(route(inv({"run", "-d", "--bundle", bundle(false), "c1"})).route(), Route::Runc);
}

TEST_F(RuntimeTest, RouteCreateDefaultsToCurrentDirectoryBundle) {
  phitest::CwdGuard cwd(bundle(true));
  EXPECT_EQ(route(inv({"create", "c1"})).route(), Route::Runphi);
}

TEST_F(RuntimeTest, RouteExistingContainerVerbsByState) {
  hold("ours");
  for (const std::string verb :
       {"start", "state", "kill", "delete", "ps", "exec", "pause", "resume", "update", "events", "checkpoint"}) {
    SCOPED_TRACE(verb);
    EXPECT_EQ(route(inv({verb, "ours"})).route(), Route::Runphi);
    EXPECT_EQ(route(inv({verb, "theirs"})).route(), Route::Runc);
  }
  EXPECT_EQ(route(inv({"list"})).route(), Route::Runc);
  EXPECT_EQ(route(inv({"features"})).route(), Route::Runc);
  EXPECT_EQ(route(inv({"spec"})).route(), Route::Runc);
}

TEST_F(RuntimeTest, RouteIsPerRuncRoot) {
  hold("ours", "/run/containerd/runc/other-namespace");
  EXPECT_EQ(route(inv({"state", "ours"})).route(), Route::Runc);
  EXPECT_EQ(route(inv({"--root", "/run/containerd/runc/other-namespace", "state", "ours"}, false)).route(),
            Route::Runphi);
}

TEST_F(RuntimeTest, RouteCreateOfHeldIdIsRunphi) {
  hold("ours");
  EXPECT_EQ(route(inv({"create", "--bundle", bundle(false), "ours"})).route(), Route::Runphi);
}

TEST_F(RuntimeTest, CreateOfHeldIdIsAlreadyExists) {
  hold("ours");
  phi::Error e = capturePhiError([&] { execute(inv({"create", "--bundle", bundle(true), "ours"})); });
  EXPECT_EQ(e.code(), ErrorCode::AlreadyExists);
  EXPECT_CONTAINS(e.what(), "\"ours\"");
}

TEST_F(RuntimeTest, BrokenBundleConfigIsAnError) {
  std::string b = tmp_ / "broken";
  writeFile(b + "/config.json", "{");
  writeFile(b + "/rootfs/boot/config.json", "{}");  // a ZIC's: not left to runc
  phi::Error e = capturePhiError([&] { execute(inv({"create", "--bundle", b, "c1"})); });
  EXPECT_EQ(e.code(), ErrorCode::ParseError);
}

// --- list when runphi holds containers: merged with runc's ---

const std::string kRuncList =
    R"([{"ociVersion":"1.0.2-dev","id":"zz-runc","pid":12,"status":"running","bundle":"/b","rootfs":"/b/rootfs",)"
    R"("created":"2026-11-23T11:55:12.198032123Z","owner":""}])";

TEST_F(RuntimeTest, ListMergesAndSortsTable) {
  hold("ours");
  fakeRunc(kRuncList);
  testing::internal::CaptureStdout();
  int rc = execute(inv({"--log", tmp_ / "log.json", "--log-format", "json", "--root", kRuncRoot, "list"}, false));
  std::string out = testing::internal::GetCapturedStdout();
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(out,
            "ID          PID         STATUS      BUNDLE       CREATED                          OWNER\n"
            "ours        100         running     /ours/ours   2026-11-23T11:55:12Z             root\n"
            "zz-runc     12          running     /b           2026-11-23T11:55:12.198032123Z   \n");
  // runc got the global flags and `list --format json`.
  EXPECT_EQ(phitest::readFile(tmp_ / "argv"),
            "--log\n" + tmp_ / "log.json" + "\n--log-format\njson\n--root\n" + kRuncRoot + "\nlist\n--format\njson\n");
}

TEST_F(RuntimeTest, ListJsonAndQuiet) {
  hold("ours");
  fakeRunc(kRuncList);
  testing::internal::CaptureStdout();
  EXPECT_EQ(execute(inv({"list", "-q"})), 0);
  EXPECT_EQ(testing::internal::GetCapturedStdout(), "ours\nzz-runc\n");

  testing::internal::CaptureStdout();
  EXPECT_EQ(execute(inv({"list", "--format", "json"})), 0);
  std::string out = testing::internal::GetCapturedStdout();
  EXPECT_EQ(out.rfind("[{\"ociVersion\":\"" PHI_OCI_SPEC_VERSION "\",\"id\":\"ours\"", 0), 0u) << out;
  EXPECT_CONTAINS(out, "},{\"ociVersion\":\"1.0.2-dev\",\"id\":\"zz-runc\"");
}

TEST_F(RuntimeTest, ListWhenRuncHoldsNothing) {
  // `runc list --format json` prints "null" when it has no containers.
  hold("ours");
  fakeRunc("null\n");
  testing::internal::CaptureStdout();
  try {
    int rc = execute(inv({"list", "-q"}));
    std::string out = testing::internal::GetCapturedStdout();
    EXPECT_EQ(rc, 0);
    EXPECT_EQ(out, "ours\n");
  } catch (const phi::Error& e) {
    testing::internal::GetCapturedStdout();
    FAIL() << "`runphi list` fails when runphi holds a container and runc holds none: " << e.what()
           << " (parseRuncList cannot parse runc's \"null\")";
  }
}

TEST_F(RuntimeTest, ListPassesRuncFailureThrough) {
  hold("ours");
  fakeRunc("", 3, "runc: boom\n");
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  int rc = execute(inv({"list"}));
  std::string out = testing::internal::GetCapturedStdout();
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(rc, 3);
  EXPECT_EQ(out, "");
  EXPECT_CONTAINS(err, "runc: boom");
}

TEST_F(RuntimeTest, ListBadFormatIsInvalidArgument) {
  hold("ours");
  fakeRunc(kRuncList);
  phi::Error e = capturePhiError([&] { execute(inv({"list", "--format", "yaml"})); });
  EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
  EXPECT_CONTAINS(e.what(), "\"yaml\"");
}

}  // namespace
