#include "lifecycle/container_process.hpp"
#include "sdk/trusted_file.hpp"

#include <phi/error.hpp>

#include "lifecycle/container_process_protocol.hpp"
#include "runtime/install_layout.hpp"
#include "toolkit/fd.hpp"
#include "toolkit/system_error.hpp"

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

const char* outcomeWord(GuestExit exit) {
  switch (exit) {
    case GuestExit::Shutdown: return container_process::kOutcomeShutdown;
    case GuestExit::Crashed: return container_process::kOutcomeCrashed;
    default: return container_process::kOutcomeDestroyed;
  }
}

}  // namespace

std::string locateMonitor(const std::string& configured, const std::string& cliPath) {
  if (!configured.empty()) {
    // A configured path is used as given, never replaced by a guess.
    if (::access(configured.c_str(), X_OK) == 0) {
      requireTrustedFile(configured, "monitor_path");
      return configured;
    }
    throw Error(ErrorCode::NotFound, "runphi-monitor not found: monitor_path \"" + configured + "\" is not executable");
  }
  std::vector<std::string> candidates;
  if (auto slash = cliPath.rfind('/'); slash != std::string::npos) {
    candidates.push_back(cliPath.substr(0, slash) + "/runphi-monitor");
  }
  for (const std::string& dir : install_layout::libexecDirs()) candidates.push_back(dir + "/runphi-monitor");
  for (const std::string& c : candidates) {
    if (::access(c.c_str(), X_OK) == 0) {
      requireTrustedFile(c, "runphi-monitor");
      return c;
    }
  }
  std::string list;
  for (const std::string& c : candidates) list += (list.empty() ? "" : ", ") + c;
  throw Error(ErrorCode::NotFound, "runphi-monitor not found (looked at " + list + ")");
}

std::vector<std::string> containerProcessArgv(const ContainerProcessLaunch& m) {
  std::vector<std::string> args{m.monitorPath, "--id", m.containerId, "--state-dir", m.stateDir};
  if (!m.cliPath.empty()) args.insert(args.end(), {"--cli", m.cliPath});
  if (!m.recordedConfig.empty()) args.insert(args.end(), {"--cli-config", m.recordedConfig});
  if (!m.runcRoot.empty()) args.insert(args.end(), {"--root", m.runcRoot});
  if (!m.console.path().empty()) args.insert(args.end(), {"--console-path", m.console.path()});
  const GuestWatch& w = m.watch;
  switch (w.source()) {
    case WatchSource::None: break;
    case WatchSource::StateFile: args.insert(args.end(), {"--watch-file", w.path()}); break;
    case WatchSource::StatusProgram:
      args.insert(args.end(), {"--watch-program", std::to_string(w.argv().size())});
      args.insert(args.end(), w.argv().begin(), w.argv().end());
      args.insert(args.end(), {"--watch-row", w.rowKey(), "--watch-column", std::to_string(w.column())});
      for (const std::string& marker : w.missingMarkers()) args.insert(args.end(), {"--watch-missing", marker});
      break;
  }
  if (w.source() != WatchSource::None) {
    if (!w.requiredPath().empty()) args.insert(args.end(), {"--watch-require", w.requiredPath(), w.requiredContent()});
    for (const WatchRule& r : w.rules()) {
      args.insert(args.end(), {"--watch-rule", r.matchesExactly() ? "is" : "has", r.text(), outcomeWord(r.outcome()),
                               r.conditionPath()});
    }
    args.insert(args.end(), {"--watch-gone", outcomeWord(w.goneOutcome())});
    args.insert(args.end(), {"--poll", std::to_string(w.minPollMs()), std::to_string(w.maxPollMs())});
  }
  if (!m.console.argv().empty()) {
    args.emplace_back("--");
    args.insert(args.end(), m.console.argv().begin(), m.console.argv().end());
  }
  return args;
}

pid_t launchContainerProcess(const ContainerProcessLaunch& m) {
  std::vector<std::string> args = containerProcessArgv(m);
  // The readiness pipe becomes the monitor's fd 3 (--ready-fd 3).
  args.insert(args.begin() + 1, {"--ready-fd", "3"});
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) != 0) throw errnoError("pipe");
  Fd readyRead(pipefd[0]), readyWrite(pipefd[1]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  // Stdio first, then the pipe onto 3: a caller's fd 3 given as stdio is
  // copied before it is replaced.
  Fd master, slave;
  if (!m.consoleSocket.empty()) {
    // The guest console goes to a pty whose master containerd receives.
    int mfd = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (mfd < 0) throw errnoError("posix_openpt");
    master.reset(mfd);
    if (::grantpt(mfd) != 0 || ::unlockpt(mfd) != 0) throw errnoError("cannot set up the console pty");
    char name[64];
    if (::ptsname_r(mfd, name, sizeof name) != 0) throw errnoError("ptsname");
    slave.reset(::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!slave.valid()) throw errnoError(std::string("cannot open ") + name);
    sendFd(m.consoleSocket, mfd);
    for (int target : {0, 1, 2}) posix_spawn_file_actions_adddup2(&actions, slave.get(), target);
  } else {
    for (int target : {0, 1, 2}) {
      if (m.stdio[target] >= 0) {
        posix_spawn_file_actions_adddup2(&actions, m.stdio[target], target);
      } else {
        posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0);
      }
    }
  }
  posix_spawn_file_actions_adddup2(&actions, readyWrite.get(), 3);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // The monitor starts with the signals it handles already blocked: libphi
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
  readyWrite.reset();
  // Wait until it has taken over its signals (it writes one byte), so no
  // later SIGUSR1 from start or kill can find it unprepared.
  pollfd pfd{readyRead.get(), POLLIN, 0};
  char byte = 0;
  int waited = ::poll(&pfd, 1, kMonitorReadyTimeoutMs);
  if (waited <= 0 || ::read(readyRead.get(), &byte, 1) != 1) {
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
  if (!fd.valid()) return 0;
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
