#include "monitor_process.hpp"

#include <phi/error.hpp>

#include "system_error.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
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

constexpr int kMonitorReadyTimeoutMs = 10000;

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
  if (!configured.empty()) {
    // A configured path is used as given, never replaced by a guess.
    if (::access(configured.c_str(), X_OK) == 0) return configured;
    throw Error(ErrorCode::NotFound, "runphi-monitor not found: monitor_path \"" + configured + "\" is not executable");
  }
  std::vector<std::string> candidates;
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

  // The readiness pipe becomes the monitor's fd 3 (--ready-fd 3).
  Fd ready[2];
  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) != 0) throw errnoError("pipe");
  ready[0].reset(pipefd[0]);
  ready[1].reset(pipefd[1]);
  args.insert(args.begin() + 1, {"--ready-fd", "3"});
  argv.clear();
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipefd[1], 3);
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
  // The monitor starts with the signals it handles already blocked: runphi
  // may send SIGUSR1 (start, kill) before its main() has set them up.
  sigset_t handled, all;
  sigemptyset(&handled);
  for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPWR, SIGUSR1, SIGCHLD}) sigaddset(&handled, sig);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &handled);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, m.monitorPath.c_str(), &actions, &attr, argv.data(), environ);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw Error(ErrorCode::SpawnFailed, "cannot start " + m.monitorPath + ": " + std::strerror(rc));
  ready[1].reset(-1);
  // Wait until it has taken over its signals (it writes one byte), so no
  // later SIGUSR1 from start or kill can find it unprepared.
  pollfd pfd{ready[0].get(), POLLIN, 0};
  char byte = 0;
  int waited = ::poll(&pfd, 1, kMonitorReadyTimeoutMs);
  if (waited <= 0 || ::read(ready[0].get(), &byte, 1) != 1) {
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    throw Error(ErrorCode::SpawnFailed,
                m.monitorPath + (waited == 0 ? " did not become ready" : " exited at start") +
                    (WIFEXITED(status) ? " (status " + std::to_string(WEXITSTATUS(status)) + ")" : std::string()));
  }
  return pid;
}

unsigned long long processStartTime(pid_t pid) {
  // read(2), not a stream: the process may vanish while we read (ESRCH).
  std::string path = "/proc/" + std::to_string(pid) + "/stat";
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return 0;
  char buffer[1024];
  ssize_t n = ::read(fd.get(), buffer, sizeof buffer - 1);
  if (n <= 0) return 0;
  std::string text(buffer, static_cast<size_t>(n));
  size_t paren = text.rfind(')');
  // A zombie has ended: only its parent's wait is missing.
  if (paren == std::string::npos || paren + 2 >= text.size() || text[paren + 2] == 'Z') return 0;
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
