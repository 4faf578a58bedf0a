// linux.cgroupsPath to cgroup directories: the systemd form's layout and
// the hierarchies found in a mountinfo.
#include <phi/error.hpp>

#include "lifecycle/container_cgroup.hpp"
#include "runtime/install_layout.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace {

TEST(CgroupPathTest, SystemdFormNestsSlicesAndNamesAScope) {
  EXPECT_EQ(phi::systemdCgroupPath("system.slice:runphi:abc"), "system.slice/runphi-abc.scope");
  EXPECT_EQ(phi::systemdCgroupPath("kubepods-besteffort-pod1.slice:cri-containerd:f00"),
            "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/cri-containerd-f00.scope");
  EXPECT_EQ(phi::systemdCgroupPath(":runphi:abc"), "system.slice/runphi-abc.scope");
  EXPECT_EQ(phi::systemdCgroupPath("-.slice:p:n"), "p-n.scope");
  EXPECT_EQ(phi::systemdCgroupPath("a.slice::b.slice"), "a.slice/b.slice");
}

TEST(CgroupPathTest, MalformedSystemdFormsAreRefused) {
  EXPECT_THROW(phi::systemdCgroupPath("system.slice:runphi"), phi::Error);
  EXPECT_THROW(phi::systemdCgroupPath("system:runphi:abc"), phi::Error);
  EXPECT_THROW(phi::systemdCgroupPath("a--b.slice:p:n"), phi::Error);
  EXPECT_THROW(phi::systemdCgroupPath("system.slice:p:"), phi::Error);
}

TEST(CgroupPathTest, OneDirectoryPerCgroupMount) {
  const std::string path = ::testing::TempDir() + "/mountinfo";
  {
    std::ofstream out(path);
    out << "24 1 0:22 / /proc rw - proc proc rw\n"
           "31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n"
           "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
           "35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
           "41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n";
  }
  std::vector<std::string> dirs = phi::cgroupDirsFor("/a/b", path);
  EXPECT_EQ(dirs, (std::vector<std::string>{"/sys/fs/cgroup/cpu,cpuacct/a/b", "/sys/fs/cgroup/memory/a/b",
                                            "/sys/fs/cgroup/unified/a/b"}));
  EXPECT_EQ(phi::cgroupDirsFor("system.slice:runphi:x", path).front(),
            "/sys/fs/cgroup/cpu,cpuacct/system.slice/runphi-x.scope");
  EXPECT_TRUE(phi::cgroupDirsFor("", path).empty());
  std::remove(path.c_str());
}

TEST(InstallLayoutTest, ABareTemplateNameIsLookedUpInTheTemplateDirectories) {
  EXPECT_EQ(phi::install_layout::resolvePlatformTemplate("/x/board.json"), "/x/board.json");
  EXPECT_EQ(phi::install_layout::resolvePlatformTemplate(""), "");
  const std::string resolved = phi::install_layout::resolvePlatformTemplate("zcu104");
  EXPECT_NE(resolved.find("/runphi/platform-templates/zcu104.json"), std::string::npos) << resolved;
  EXPECT_EQ(phi::install_layout::resolvePlatformTemplate("zcu104.json"), resolved);
}

}  // namespace
