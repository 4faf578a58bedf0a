// The user-space RESOLVE_IN_ROOT walk against the kernel's openat2: the same
// hostile rootfs, the same paths, the same file or the same errno.
#include "sdk/rootfs_walk.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace {

using phitest::symlinkOrDie;
using phitest::TempDir;
using phitest::writeFile;

struct Outcome {
  int err = 0;  // 0: opened
  dev_t dev = 0;
  ino_t ino = 0;
};

Outcome outcomeOf(int fd) {
  Outcome o;
  if (fd < 0) {
    o.err = errno;
    return o;
  }
  struct stat st {};
  EXPECT_EQ(::fstat(fd, &st), 0);
  o.dev = st.st_dev;
  o.ino = st.st_ino;
  ::close(fd);
  return o;
}

Outcome byKernel(int root, const std::string& path, int flags) {
  open_how how{};
  how.flags = static_cast<__u64>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  return outcomeOf(static_cast<int>(::syscall(SYS_openat2, root, path.c_str(), &how, sizeof how)));
}

class RootfsWalkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    writeFile(tmp_ / "secret", "host");
    writeFile(tmp_ / "root/etc/hosts", "inside");
    writeFile(tmp_ / "root" + tmp_.path() + "/secret", "in-root copy");
    symlinkOrDie(tmp_ / "secret", tmp_ / "root/abs");          // absolute: re-rooted
    symlinkOrDie("../../../../secret", tmp_ / "root/etc/up");  // climbs above the root
    symlinkOrDie("hosts", tmp_ / "root/etc/rel");
    symlinkOrDie("/etc", tmp_ / "root/etcdir");
    symlinkOrDie("loop2", tmp_ / "root/loop1");
    symlinkOrDie("loop1", tmp_ / "root/loop2");
    symlinkOrDie("/proc/self/root/etc/passwd", tmp_ / "root/magic");
    root_ = ::open((tmp_ / "root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    ASSERT_GE(root_, 0);
  }
  void TearDown() override {
    if (root_ >= 0) ::close(root_);
  }
  TempDir tmp_;
  int root_ = -1;
};

TEST_F(RootfsWalkTest, AgreesWithOpenat2) {
  if (phitest::underQemuUser()) GTEST_SKIP() << "qemu-user has no openat2 to compare with";
  const std::string paths[] = {"etc/hosts",
                               "/etc/hosts",
                               "etc/../etc/hosts",
                               "../../etc/hosts",
                               "abs",
                               "etc/up",
                               "etc/rel",
                               "etcdir/hosts",
                               "etcdir/../etc/hosts",
                               "loop1",
                               "missing",
                               "etc/hosts/x",
                               "etc",
                               "",
                               ".",
                               "..",
                               "magic",
                               "etc//hosts",
                               "./etc/./hosts"};
  for (const std::string& p : paths) {
    for (int flags : {O_RDONLY, O_PATH}) {
      Outcome kernel = byKernel(root_, p, flags);
      Outcome walk = outcomeOf(phi::openInRootByWalking(root_, p, flags));
      EXPECT_EQ(walk.err, kernel.err) << "path \"" << p << "\" flags " << flags << ": walk " << std::strerror(walk.err)
                                      << ", kernel " << std::strerror(kernel.err);
      EXPECT_EQ(walk.ino, kernel.ino) << "path \"" << p << "\" flags " << flags;
      EXPECT_EQ(walk.dev, kernel.dev) << "path \"" << p << "\" flags " << flags;
    }
  }
}

TEST_F(RootfsWalkTest, NeverReachesTheHost) {
  for (const char* p : {"abs", "etc/up", "../secret", "/../../secret"}) {
    int fd = phi::openInRootByWalking(root_, p, O_RDONLY);
    if (fd < 0) continue;  // refusing is fine; reading the host's file is not
    char buffer[32] = {};
    ssize_t n = ::read(fd, buffer, sizeof buffer - 1);
    ::close(fd);
    EXPECT_NE(std::string(buffer, n > 0 ? static_cast<size_t>(n) : 0), "host") << p;
  }
  int fd = phi::openInRootByWalking(root_, "abs", O_RDONLY);
  ASSERT_GE(fd, 0);
  char buffer[32] = {};
  ssize_t n = ::read(fd, buffer, sizeof buffer - 1);
  ::close(fd);
  EXPECT_EQ(std::string(buffer, n > 0 ? static_cast<size_t>(n) : 0), "in-root copy");
}

TEST_F(RootfsWalkTest, SymlinkLoopIsEloop) {
  EXPECT_EQ(phi::openInRootByWalking(root_, "loop1", O_RDONLY), -1);
  EXPECT_EQ(errno, ELOOP);
}

TEST_F(RootfsWalkTest, FileInTheMiddleIsEnotdir) {
  EXPECT_EQ(phi::openInRootByWalking(root_, "etc/hosts/x", O_RDONLY), -1);
  EXPECT_EQ(errno, ENOTDIR);
}

}  // namespace
