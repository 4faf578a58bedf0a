// runphi-monitor: the container process of a partitioned container.
//
// containerd sees this process as the container: its pid is in --pid-file,
// it lives exactly as long as the partition, it copies the guest console to
// its stdout (a pty when the container has a terminal), and its exit status
// says how the guest ended. It knows no hypervisor: it asks runphi
// (`runphi guest-status <id>`) and turns the signals it receives into
// `runphi kill <id> <signal>`. Statically linked and small on purpose: one
// runs for every partitioned container.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

extern char** environ;

namespace {

struct Options {
  std::string runphi, id, root, config, consolePath;
  int readyFd = -1;  // written to (one byte) once signals are set up
  std::vector<std::string> consoleArgv;
};

constexpr int kExitDestroyed = 137;  // the partition vanished with no recorded status
constexpr int kExitMonitorError = 125;
// Each check runs runphi and the hypervisor's tool: polling too often would
// take CPU from the guests being started.
constexpr int kMinPollMs = 250, kMaxPollMs = 2000;

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "runphi-monitor: %s\nusage: runphi-monitor --runphi PATH --id ID [--root DIR] "
               "[--runphi-config FILE] [--console-path PATH] [--ready-fd N] [-- CONSOLE-PROGRAM ARGS...]\n",
               why);
  std::exit(kExitMonitorError);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--") {
      for (++i; i < argc; ++i) o.consoleArgv.emplace_back(argv[i]);
      break;
    }
    if (i + 1 >= argc) usage(("missing value for " + a).c_str());
    std::string v = argv[++i];
    if (a == "--runphi")
      o.runphi = v;
    else if (a == "--id")
      o.id = v;
    else if (a == "--root")
      o.root = v;
    else if (a == "--runphi-config")
      o.config = v;
    else if (a == "--console-path")
      o.consolePath = v;
    else if (a == "--ready-fd")
      o.readyFd = std::atoi(v.c_str());
    else
      usage(("unknown option " + a).c_str());
  }
  if (o.runphi.empty() || o.id.empty()) usage("--runphi and --id are required");
  return o;
}

std::vector<std::string> runphiArgv(const Options& o, std::initializer_list<std::string> verbArgs) {
  std::vector<std::string> argv{o.runphi};
  if (!o.config.empty()) argv.insert(argv.end(), {"--runphi-config", o.config});
  if (!o.root.empty()) argv.insert(argv.end(), {"--root", o.root});
  argv.insert(argv.end(), verbArgs);
  return argv;
}

// Runs a program with stdin from /dev/null, stderr discarded and, when
// `out` is given, stdout captured. Returns its exit status (-1: not run).
int runCapture(const std::vector<std::string>& args, std::string* out) {
  int pipefd[2] = {-1, -1};
  if (out && ::pipe2(pipefd, O_CLOEXEC) != 0) return -1;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  if (out) {
    posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
  } else {
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  }
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, args[0].c_str(), &fa, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (out) ::close(pipefd[1]);
  if (rc != 0) {
    if (out) ::close(pipefd[0]);
    return -1;
  }
  if (out) {
    char buffer[512];
    ssize_t n;
    while ((n = ::read(pipefd[0], buffer, sizeof buffer)) != 0) {
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) break;
      out->append(buffer, static_cast<size_t>(n));
    }
    ::close(pipefd[0]);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void writeAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nobody reads the console any more: drop it
    data += n;
    size -= static_cast<size_t>(n);
  }
}

// Copies what is available on the console to stdout; false at end of file.
bool relay(int fd) {
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n > 0) {
      writeAll(1, buffer, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return !(n == 0);
  }
}

int openConsole(const Options& o, pid_t* child) {
  if (!o.consolePath.empty()) {
    // O_RDWR on a FIFO: we count as a writer too, so it never reports end
    // of file between two writers.
    return ::open(o.consolePath.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  }
  if (o.consoleArgv.empty()) return -1;
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return -1;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, p[1], 1);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  std::vector<char*> argv;
  for (const std::string& a : o.consoleArgv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  int rc = ::posix_spawnp(child, o.consoleArgv[0].c_str(), &fa, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  ::close(p[1]);
  if (rc != 0) {
    ::close(p[0]);
    return -1;
  }
  ::fcntl(p[0], F_SETFL, O_NONBLOCK);
  return p[0];
}

const char* signalName(int sig) {
  switch (sig) {
    case SIGTERM: return "TERM";
    case SIGINT: return "INT";
    case SIGHUP: return "HUP";
    case SIGQUIT: return "QUIT";
    case SIGPWR: return "PWR";
    default: return nullptr;
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  ::signal(SIGPIPE, SIG_IGN);

  sigset_t handled;
  sigemptyset(&handled);
  for (int s : {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPWR, SIGUSR1, SIGCHLD}) sigaddset(&handled, s);
  ::sigprocmask(SIG_BLOCK, &handled, nullptr);
  int sigfd = ::signalfd(-1, &handled, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sigfd < 0) {
    std::perror("runphi-monitor: signalfd");
    return kExitMonitorError;
  }

  pid_t consoleChild = -1;
  int console = openConsole(o, &consoleChild);
  if (o.readyFd >= 0) {
    // runphi waits for this before it returns from create.
    ssize_t ignored = ::write(o.readyFd, "1", 1);
    (void)ignored;
    ::close(o.readyFd);
  }
  int pollMs = kMinPollMs;
  int missing = 0;  // consecutive answers that the container is gone

  for (;;) {
    pollfd fds[2] = {{sigfd, POLLIN, 0}, {console, POLLIN, 0}};
    int ready = ::poll(fds, console >= 0 ? 2 : 1, pollMs);
    if (ready < 0 && errno != EINTR) return kExitMonitorError;
    bool checkNow = ready == 0;
    if (console >= 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) && !relay(console)) {
      ::close(console);
      console = -1;
    }
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo info;
      while (::read(sigfd, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
        int sig = static_cast<int>(info.ssi_signo);
        if (sig == SIGCHLD) {
          while (::waitpid(-1, nullptr, WNOHANG) > 0) {
          }
        } else if (const char* name = signalName(sig)) {
          runCapture(runphiArgv(o, {"kill", o.id, name}), nullptr);
        }
        checkNow = checkNow || sig != SIGCHLD;
      }
    }
    if (!checkNow) continue;

    std::string status;
    int rc = runCapture(runphiArgv(o, {"guest-status", o.id}), &status);
    if (rc == 0) {
      missing = 0;
      if (status.rfind("stopped ", 0) == 0) {
        if (console >= 0) relay(console);
        if (consoleChild > 0) ::kill(consoleChild, SIGTERM);
        return std::atoi(status.c_str() + 8);
      }
    } else if (rc > 0 && ++missing >= 3) {
      // The container was deleted under us (or runphi keeps failing).
      if (consoleChild > 0) ::kill(consoleChild, SIGTERM);
      return kExitDestroyed;
    }
    pollMs = pollMs * 2 > kMaxPollMs ? kMaxPollMs : pollMs * 2;
  }
}
