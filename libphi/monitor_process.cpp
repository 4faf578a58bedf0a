#include "monitor_process.hpp"

#include <phi/error.hpp>

#include "system_error.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

extern char** environ;

namespace phi {

namespace {

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset(int fd) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

// runc's console-socket protocol: the pty master travels as SCM_RIGHTS.
void sendFd(const std::string& socketPath, int fd) {
  Fd sock(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (sock.get() < 0) throw errnoError("socket");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socketPath.size() >= sizeof addr.sun_path) {
    throw Error(ErrorCode::InvalidArgument, "--console-socket path too long: " + socketPath);
  }
  socketPath.copy(addr.sun_path, socketPath.size());
  if (::connect(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    throw errnoError("cannot connect to --console-socket " + socketPath);
  }
  char name[] = "/dev/ptmx";
  iovec iov{name, sizeof name - 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
  if (::sendmsg(sock.get(), &msg, 0) < 0) throw errnoError("cannot send the console to " + socketPath);
}

}  // namespace

std::string locateMonitor(const std::string& configured, const std::string& runphiPath) {
  std::vector<std::string> candidates;
  if (!configured.empty()) candidates.push_back(configured);
  std::string dir = runphiPath.substr(0, runphiPath.rfind('/'));
  candidates.push_back(dir + "/runphi-monitor");
  candidates.push_back(std::string(PHI_LIBEXEC_INSTALL_DIR) + "/runphi-monitor");
  for (const std::string& c : candidates) {
    if (::access(c.c_str(), X_OK) == 0) return c;
  }
  std::string list;
  for (const std::string& c : candidates) list += (list.empty() ? "" : ", ") + c;
  throw Error(ErrorCode::NotFound, "runphi-monitor not found (looked at " + list + ")");
}

pid_t launchMonitor(const MonitorLaunch& m) {
  std::vector<std::string> args{m.monitorPath, "--runphi", m.runphiPath, "--id", m.containerId};
  if (!m.runcRoot.empty()) args.insert(args.end(), {"--root", m.runcRoot});
  if (!m.runphiConfig.empty()) args.insert(args.end(), {"--runphi-config", m.runphiConfig});
  if (!m.console.path.empty()) args.insert(args.end(), {"--console-path", m.console.path});
  if (!m.console.argv.empty()) {
    args.emplace_back("--");
    args.insert(args.end(), m.console.argv.begin(), m.console.argv.end());
  }
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  Fd master, slave;
  if (!m.consoleSocket.empty()) {
    // The guest console goes to a pty whose master containerd receives.
    int mfd = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (mfd < 0) throw errnoError("posix_openpt");
    master.reset(mfd);
    if (::grantpt(mfd) != 0 || ::unlockpt(mfd) != 0) throw errnoError("cannot set up the console pty");
    char name[64];
    if (::ptsname_r(mfd, name, sizeof name) != 0) throw errnoError("ptsname");
    int sfd = ::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (sfd < 0) throw errnoError(std::string("cannot open ") + name);
    slave.reset(sfd);
    sendFd(m.consoleSocket, mfd);
    for (int target : {0, 1, 2}) posix_spawn_file_actions_adddup2(&actions, sfd, target);
  }
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, m.monitorPath.c_str(), &actions, &attr, argv.data(), environ);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw Error(ErrorCode::SpawnFailed, "cannot start " + m.monitorPath + ": " + std::strerror(rc));
  return pid;
}

unsigned long long processStartTime(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t paren = text.rfind(')');
  if (paren == std::string::npos) return 0;
  std::istringstream fields(text.substr(paren + 2));
  std::string field;
  // Fields after the command name start at 3 (state); starttime is 22.
  for (int i = 3; i < 22 && fields >> field; ++i) {
  }
  unsigned long long start = 0;
  fields >> start;
  return start;
}

bool sameProcess(pid_t pid, unsigned long long startTime) {
  return pid > 0 && startTime != 0 && processStartTime(pid) == startTime;
}

}  // namespace phi
