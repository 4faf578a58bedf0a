// libphi/process.cpp: running a program without a shell, capturing its
// output and status. /bin/sh appears only as the program under test.
#include <phi/error.hpp>

#include "runc_forwarding.hpp"
#include "sdk/process.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>

#include <csignal>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

using phi::ErrorCode;
using phi::ProcessResult;
using phi::runProcess;
using phi::runProcessChecked;
using phitest::capturePhiError;
using phitest::TempDir;

TEST(RunProcessTest, CapturesStdoutAndStderrSeparatelyAndExitCode) {
  ProcessResult r = runProcess({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
  EXPECT_EQ(r.exitCode, 3);
  EXPECT_EQ(r.signal, 0);
}

TEST(RunProcessTest, ZeroExit) {
  ProcessResult r = runProcess({"/bin/sh", "-c", "printf abc"});
  EXPECT_EQ(r.exitCode, 0);
  EXPECT_EQ(r.signal, 0);
  EXPECT_EQ(r.out, "abc");
  EXPECT_EQ(r.err, "");
}

TEST(RunProcessTest, ExitCodeRange) {
  EXPECT_EQ(runProcess({"/bin/sh", "-c", "exit 1"}).exitCode, 1);
  EXPECT_EQ(runProcess({"/bin/sh", "-c", "exit 255"}).exitCode, 255);
}

TEST(RunProcessTest, ArgumentsPassedVerbatimWithoutAShell) {
  ProcessResult r = runProcess({"/bin/sh", "-c", "printf '[%s]' \"$@\"", "sh", "a b", "$HOME", "'q'", "*", ""});
  EXPECT_EQ(r.exitCode, 0);
  EXPECT_EQ(r.out, "[a b][$HOME]['q'][*][]");
}

TEST(RunProcessTest, SignalReported) {
  ProcessResult r = runProcess({"/bin/sh", "-c", "echo before; kill -TERM $$"});
  EXPECT_EQ(r.signal, SIGTERM);
  EXPECT_EQ(r.exitCode, -1);
  EXPECT_EQ(r.out, "before\n");

  r = runProcess({"/bin/sh", "-c", "kill -KILL $$"});
  EXPECT_EQ(r.signal, SIGKILL);
  EXPECT_EQ(r.exitCode, -1);
}

TEST(RunProcessTest, BareNameLookedUpInPath) {
  TempDir tmp;
  phitest::makeExecutable(tmp / "phi-fake-tool", "#!/bin/sh\necho \"fake $1\"\n");
  phitest::EnvGuard path("PATH", tmp.path() + ":/usr/bin:/bin");
  ProcessResult r = runProcess({"phi-fake-tool", "arg"});
  EXPECT_EQ(r.exitCode, 0);
  EXPECT_EQ(r.out, "fake arg\n");
}

TEST(RunProcessTest, BareSystemNameFound) {
  ProcessResult r = runProcess({"sh", "-c", "echo via-path"});
  EXPECT_EQ(r.exitCode, 0);
  EXPECT_EQ(r.out, "via-path\n");
}

TEST(RunProcessTest, MissingProgramIsSpawnFailed) {
  PHI_SKIP_UNDER_QEMU_USER(
      "posix_spawn's CLONE_VFORK child runs as a fork, so an exec failure comes back as exit status 127, not as an "
      "error");
  TempDir tmp;
  phi::Error e = capturePhiError([&] { runProcess({tmp / "no-such-program", "x"}); });
  EXPECT_EQ(e.code(), ErrorCode::SpawnFailed);
  EXPECT_CONTAINS(e.what(), tmp / "no-such-program");
}

TEST(RunProcessTest, MissingBareNameIsSpawnFailed) {
  PHI_SKIP_UNDER_QEMU_USER(
      "posix_spawn's CLONE_VFORK child runs as a fork, so an exec failure comes back as exit status 127, not as an "
      "error");
  TempDir tmp;
  phitest::EnvGuard path("PATH", tmp.path());
  phi::Error e = capturePhiError([&] { runProcess({"phi-definitely-not-a-program"}); });
  EXPECT_EQ(e.code(), ErrorCode::SpawnFailed);
  EXPECT_CONTAINS(e.what(), "phi-definitely-not-a-program");
}

TEST(RunProcessTest, NonExecutableIsSpawnFailed) {
  PHI_SKIP_UNDER_QEMU_USER(
      "posix_spawn's CLONE_VFORK child runs as a fork, so an exec failure comes back as exit status 127, not as an "
      "error");
  TempDir tmp;
  phitest::writeFile(tmp / "not-exec", "#!/bin/sh\necho hi\n");
  phi::Error e = capturePhiError([&] { runProcess({tmp / "not-exec"}); });
  EXPECT_EQ(e.code(), ErrorCode::SpawnFailed);
  EXPECT_CONTAINS(e.what(), tmp / "not-exec");
}

TEST(RunProcessTest, EmptyArgvIsAnError) {
  phi::Error e = capturePhiError([&] { runProcess({}); });
  EXPECT_NE(e.code(), ErrorCode::ChildFailed);
}

TEST(RunProcessTest, LargeOutputOnBothStreamsDoesNotDeadlock) {
  // stderr first: a reader that drained stdout to EOF before stderr would
  // block forever once the stderr pipe (64 KiB) fills.
  constexpr size_t kMiB = 1 << 20;
  ProcessResult r = runProcess({"/bin/sh", "-c",
                                "head -c 1048576 /dev/zero | tr '\\000' e >&2; "
                                "head -c 1048576 /dev/zero | tr '\\000' o; "
                                "head -c 1048576 /dev/zero | tr '\\000' E >&2"});
  EXPECT_EQ(r.exitCode, 0);
  ASSERT_EQ(r.out.size(), kMiB);
  ASSERT_EQ(r.err.size(), 2 * kMiB);
  EXPECT_EQ(r.out, std::string(kMiB, 'o'));
  EXPECT_EQ(r.err, std::string(kMiB, 'e') + std::string(kMiB, 'E'));
}

TEST(RunProcessTest, ChildGetsNoDescriptorsBeyondStdioAndInheritableOnes) {
  // The capture pipes are O_CLOEXEC: the child sees them only as 1 and 2. A
  // leaked write end would keep the capture open after the child exits.
  std::set<int> allowed = {0, 1, 2};
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    int fd = std::stoi(entry.path().filename().string());
    int flags = ::fcntl(fd, F_GETFD);
    if (flags >= 0 && !(flags & FD_CLOEXEC)) allowed.insert(fd);
  }
  ProcessResult r = runProcess({"/bin/ls", "/proc/self/fd"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  std::istringstream in(r.out);
  int extra = 0;
  for (int fd; in >> fd;) {
    if (!allowed.count(fd)) ++extra;
  }
  EXPECT_LE(extra, 1) << "only ls's own directory fd may be new; ls output:\n" << r.out;
}

TEST(RunProcessCheckedTest, SuccessReturnsResult) {
  ProcessResult r = runProcessChecked({"/bin/sh", "-c", "echo ok"});
  EXPECT_EQ(r.exitCode, 0);
  EXPECT_EQ(r.out, "ok\n");
}

TEST(RunProcessCheckedTest, FailureMessageHoldsCommandStatusAndStderr) {
  // The stderr text is assembled by the child so that it appears nowhere in argv.
  phi::Error e = capturePhiError([] {
    runProcessChecked({"/bin/sh", "-c", "printf 'runc: %s\\n' 'no such container' >&2; exit 7"});
  });
  EXPECT_EQ(e.code(), ErrorCode::ChildFailed);
  EXPECT_CONTAINS(e.what(), "runc: no such container");
  EXPECT_CONTAINS(e.what(), "/bin/sh -c");
  EXPECT_CONTAINS(e.what(), "exited with status 7");
  std::string msg = e.what();
  EXPECT_NE(msg.back(), '\n') << "trailing newline of stderr trimmed";
}

TEST(RunProcessCheckedTest, FailureWithoutStderr) {
  phi::Error e = capturePhiError([] { runProcessChecked({"/bin/sh", "-c", "exit 2"}); });
  EXPECT_EQ(e.code(), ErrorCode::ChildFailed);
  EXPECT_CONTAINS(e.what(), "exited with status 2");
}

TEST(RunProcessCheckedTest, SignalIsAFailure) {
  phi::Error e = capturePhiError([] { runProcessChecked({"/bin/sh", "-c", "printf 'dy%s' ing >&2; kill -KILL $$"}); });
  EXPECT_EQ(e.code(), ErrorCode::ChildFailed);
  EXPECT_CONTAINS(e.what(), "signal 9");
  EXPECT_CONTAINS(e.what(), "dying");
}

TEST(RunProcessCheckedTest, SpawnFailureStaysSpawnFailed) {
  PHI_SKIP_UNDER_QEMU_USER(
      "posix_spawn's CLONE_VFORK child runs as a fork, so an exec failure comes back as exit status 127, not as an "
      "error");
  TempDir tmp;
  phi::Error e = capturePhiError([&] { runProcessChecked({tmp / "missing"}); });
  EXPECT_EQ(e.code(), ErrorCode::SpawnFailed);
}

TEST(ReplaceProcessTest, MissingProgramThrowsSpawnFailedNamingIt) {
  TempDir tmp;
  phi::Error e = capturePhiError([&] { runphi::replaceProcess(tmp / "missing", {"missing"}); });
  EXPECT_CONTAINS(e.what(), tmp / "missing");
  if (e.code() != ErrorCode::SpawnFailed) {
    FAIL() << "runc_forwarding.hpp documents replaceProcess as throwing phi::Error(SpawnFailed), but "
              "replaceProcess() in runc_forwarding.cpp throws errnoError(), i.e. code "
           << phi::errorCodeName(e.code()) << " for a missing program";
  }
  EXPECT_EQ(e.code(), ErrorCode::SpawnFailed);
}

TEST(ReplaceProcessTest, NonExecutableThrowsSpawnFailed) {
  TempDir tmp;
  phitest::writeFile(tmp / "plain", "data");
  phi::Error e = capturePhiError([&] { runphi::replaceProcess(tmp / "plain", {"plain"}); });
  EXPECT_CONTAINS(e.what(), tmp / "plain");
  if (e.code() != ErrorCode::SpawnFailed) {
    FAIL() << "replaceProcess on a non-executable file throws code " << phi::errorCodeName(e.code())
           << ", documented SpawnFailed (replaceProcess() in runc_forwarding.cpp)";
  }
  EXPECT_EQ(e.code(), ErrorCode::SpawnFailed);
}

}  // namespace
