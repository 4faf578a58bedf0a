// runphi-monitor: the container process of a partitioned container.
//
// containerd sees this process as the container: its pid is in --pid-file,
// it lives exactly as long as the partition, it copies the guest console to
// its stdout (a pty when the container has a terminal), and its exit status
// says how the guest ended. It loads neither libphi nor a driver: libphi
// writes the exit status into the container's state directory when it stops
// the container, and the driver described at create where the guest's own
// state can be read (--watch-*), so a guest that ends by itself is seen
// without running anything. Only a signal it receives makes it run the
// runphi CLI (`runphi kill <id> <signal>`). Statically linked and small on
// purpose: one runs for every partitioned container.
#include "lifecycle/container_process_protocol.hpp"
#include "toolkit/signal_names.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <vector>

extern char** environ;

namespace {

namespace cp = phi::container_process;

enum class Source { None, File, Program };

struct Rule {
  bool exact = true;
  std::string text;
  int status = cp::kExitShutdown;
  std::string onlyIfExists;
};

struct Options {
  std::string id, stateDir, cli, cliConfig, root, consolePath;
  int readyFd = -1;  // written to (one byte) once signals are set up
  std::vector<std::string> consoleArgv;
  // The guest watch.
  Source source = Source::None;
  std::string watchPath;
  std::vector<std::string> programArgv;
  std::string rowKey;
  unsigned column = 0;
  std::vector<std::string> missingMarkers;
  std::string requirePath, requireContent;
  std::vector<Rule> rules;
  int goneStatus = cp::kExitDestroyed;
  int minPollMs = 250, maxPollMs = 2000;
};

// While libphi holds the container's lock, look again this soon.
constexpr int kLockedRetryMs = 20;

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr,
               "runphi-monitor: %s\nusage: runphi-monitor --id ID --state-dir DIR [--cli PATH] [--cli-config FILE] "
               "[--root DIR] [--console-path PATH] [--ready-fd N] [--watch-file PATH | --watch-program N ARGV...] "
               "[--watch-row KEY] [--watch-column N] [--watch-missing TEXT]... [--watch-require PATH CONTENT] "
               "[--watch-rule is|has TEXT OUTCOME IF-EXISTS]... [--watch-gone OUTCOME] [--poll MIN-MS MAX-MS] "
               "[-- CONSOLE-PROGRAM ARGS...]\n",
               why.c_str());
  std::exit(cp::kExitMonitorError);
}

int outcomeStatus(const std::string& word) {
  if (word == cp::kOutcomeShutdown) return cp::kExitShutdown;
  if (word == cp::kOutcomeCrashed) return cp::kExitCrashed;
  if (word == cp::kOutcomeDestroyed) return cp::kExitDestroyed;
  usage("unknown outcome " + word);
}

int number(const std::string& text, const char* what) {
  char* end = nullptr;
  long v = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || v < 0 || v > 1000000) usage(std::string("bad ") + what + " " + text);
  return static_cast<int>(v);
}

Options parse(int argc, char** argv) {
  Options o;
  int i = 1;
  auto next = [&](const std::string& flag) -> std::string {
    if (i + 1 >= argc) usage("missing value for " + flag);
    return argv[++i];
  };
  for (; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--") {
      for (++i; i < argc; ++i) o.consoleArgv.emplace_back(argv[i]);
      break;
    }
    if (a == "--id") {
      o.id = next(a);
    } else if (a == "--state-dir") {
      o.stateDir = next(a);
    } else if (a == "--cli") {
      o.cli = next(a);
    } else if (a == "--cli-config") {
      o.cliConfig = next(a);
    } else if (a == "--root") {
      o.root = next(a);
    } else if (a == "--console-path") {
      o.consolePath = next(a);
    } else if (a == "--ready-fd") {
      o.readyFd = number(next(a), "--ready-fd");
    } else if (a == "--watch-file") {
      o.source = Source::File;
      o.watchPath = next(a);
    } else if (a == "--watch-program") {
      o.source = Source::Program;
      int n = number(next(a), "--watch-program count");
      for (int k = 0; k < n; ++k) o.programArgv.push_back(next(a));
      if (o.programArgv.empty()) usage("--watch-program needs a program");
    } else if (a == "--watch-row") {
      o.rowKey = next(a);
    } else if (a == "--watch-column") {
      o.column = static_cast<unsigned>(number(next(a), "--watch-column"));
    } else if (a == "--watch-missing") {
      o.missingMarkers.push_back(next(a));
    } else if (a == "--watch-require") {
      o.requirePath = next(a);
      o.requireContent = next(a);
    } else if (a == "--watch-rule") {
      Rule r;
      std::string kind = next(a);
      if (kind != "is" && kind != "has") usage("--watch-rule kind must be is or has, not " + kind);
      r.exact = kind == "is";
      r.text = next(a);
      r.status = outcomeStatus(next(a));
      r.onlyIfExists = next(a);
      o.rules.push_back(r);
    } else if (a == "--watch-gone") {
      o.goneStatus = outcomeStatus(next(a));
    } else if (a == "--poll") {
      o.minPollMs = number(next(a), "--poll");
      o.maxPollMs = number(next(a), "--poll");
      if (o.minPollMs == 0 || o.maxPollMs < o.minPollMs) usage("--poll needs 0 < MIN <= MAX");
    } else {
      usage("unknown option " + a);
    }
  }
  if (o.id.empty() || o.stateDir.empty()) usage("--id and --state-dir are required");
  return o;
}

// Starts `args` with `fa` and every signal unblocked (ours are blocked for
// signalfd). Returns the pid, or -1.
pid_t spawn(const std::vector<std::string>& args, const posix_spawn_file_actions_t* fa) {
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc = args[0].find('/') == std::string::npos
               ? ::posix_spawnp(&pid, args[0].c_str(), fa, &attr, argv.data(), environ)
               : ::posix_spawn(&pid, args[0].c_str(), fa, &attr, argv.data(), environ);
  posix_spawnattr_destroy(&attr);
  return rc == 0 ? pid : -1;
}

// Runs a program with stdin from /dev/null and, when asked, stdout and
// stderr captured. Returns its exit status (-1: not run or killed).
int runCapture(const std::vector<std::string>& args, std::string* out, std::string* err) {
  int outPipe[2] = {-1, -1}, errPipe[2] = {-1, -1};
  if (out && ::pipe2(outPipe, O_CLOEXEC) != 0) return -1;
  if (err && ::pipe2(errPipe, O_CLOEXEC) != 0) {
    if (out) ::close(outPipe[0]), ::close(outPipe[1]);
    return -1;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  if (out) {
    posix_spawn_file_actions_adddup2(&fa, outPipe[1], 1);
  } else {
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  }
  if (err) {
    posix_spawn_file_actions_adddup2(&fa, errPipe[1], 2);
  } else {
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  }
  pid_t pid = spawn(args, &fa);
  posix_spawn_file_actions_destroy(&fa);
  if (out) ::close(outPipe[1]);
  if (err) ::close(errPipe[1]);
  if (pid < 0) {
    if (out) ::close(outPipe[0]);
    if (err) ::close(errPipe[0]);
    return -1;
  }
  // Both pipes at once: a program filling one while we wait on the other
  // must not hang.
  pollfd fds[2] = {{out ? outPipe[0] : -1, POLLIN, 0}, {err ? errPipe[0] : -1, POLLIN, 0}};
  std::string* sinks[2] = {out, err};
  int open = (out ? 1 : 0) + (err ? 1 : 0);
  char buffer[4096];
  while (open > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int k = 0; k < 2; ++k) {
      if (fds[k].fd < 0 || !(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = ::read(fds[k].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[k]->append(buffer, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        ::close(fds[k].fd);
        fds[k].fd = -1;
        --open;
      }
    }
  }
  for (pollfd& f : fds) {
    if (f.fd >= 0) ::close(f.fd);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::vector<std::string> cliArgv(const Options& o, std::initializer_list<std::string> verbArgs) {
  std::vector<std::string> argv{o.cli};
  if (!o.cliConfig.empty()) argv.insert(argv.end(), {"--runphi-config", o.cliConfig});
  if (!o.root.empty()) argv.insert(argv.end(), {"--root", o.root});
  argv.insert(argv.end(), verbArgs);
  return argv;
}

std::string trimmed(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// A small file's content; nullopt when it does not exist, `unreadable` set
// for any other failure.
std::optional<std::string> readSmall(const std::string& path, bool* unreadable = nullptr) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    if (unreadable) *unreadable = errno != ENOENT && errno != ENOTDIR;
    return std::nullopt;
  }
  std::string text;
  char buffer[4096];
  ssize_t n;
  while (text.size() < 65536 && (n = ::read(fd, buffer, sizeof buffer)) != 0) {
    if (n < 0) {
      if (errno == EINTR) continue;
      if (unreadable) *unreadable = true;
      ::close(fd);
      return std::nullopt;
    }
    text.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return text;
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// The exit status the guest's state means; nullopt: still alive (or not known).
std::optional<int> judge(const Options& o, const std::string& state) {
  for (const Rule& r : o.rules) {
    bool match = r.exact ? state == r.text : state.find_first_of(r.text) != std::string::npos;
    if (!match) continue;
    if (!r.onlyIfExists.empty() && !exists(r.onlyIfExists)) continue;
    return r.status;
  }
  return std::nullopt;
}

std::optional<int> watchFile(const Options& o) {
  if (!o.requirePath.empty()) {
    bool unreadable = false;
    std::optional<std::string> owner = readSmall(o.requirePath, &unreadable);
    if (unreadable) return std::nullopt;
    if (!owner || trimmed(*owner) != o.requireContent) return o.goneStatus;
  }
  bool unreadable = false;
  std::optional<std::string> state = readSmall(o.watchPath, &unreadable);
  if (unreadable) return std::nullopt;
  if (!state) return o.goneStatus;
  return judge(o, trimmed(*state));
}

std::optional<int> watchProgram(const Options& o) {
  std::string out, err;
  int rc = runCapture(o.programArgv, &out, &err);
  if (rc != 0) {
    for (const std::string& m : o.missingMarkers) {
      if (err.find(m) != std::string::npos) return o.goneStatus;
    }
    return std::nullopt;  // the tool failed for another reason: look again later
  }
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find('\n', start);
    std::string line = out.substr(start, end == std::string::npos ? std::string::npos : end - start);
    start = end == std::string::npos ? out.size() : end + 1;
    std::vector<std::string> fields;
    for (size_t p = 0; p < line.size();) {
      size_t b = line.find_first_not_of(" \t", p);
      if (b == std::string::npos) break;
      size_t e = line.find_first_of(" \t", b);
      fields.push_back(line.substr(b, e == std::string::npos ? std::string::npos : e - b));
      p = e == std::string::npos ? line.size() : e;
    }
    if (fields.empty() || fields[0] != o.rowKey || o.column == 0 || fields.size() < o.column) continue;
    return judge(o, fields[o.column - 1]);
  }
  return std::nullopt;
}

// No watch from the driver: the runphi CLI asks the hypervisor and prints
// "stopped <status>" once the guest has ended.
std::optional<int> askCli(const Options& o) {
  if (o.cli.empty()) return std::nullopt;
  std::string out;
  if (runCapture(cliArgv(o, {"guest-status", o.id}), &out, nullptr) != 0) return std::nullopt;
  if (out.rfind("stopped ", 0) == 0) return std::atoi(out.c_str() + 8);
  return std::nullopt;
}

enum class Look { Alive, Locked };

// One look at the container, under a shared lock of its state directory so
// libphi is never caught half-way through an operation. Exits when the
// container has stopped.
Look look(const Options& o, const std::function<void(int)>& exitWith) {
  int dir = ::open(o.stateDir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) exitWith(cp::kExitDestroyed);  // deleted under us
  if (::flock(dir, LOCK_SH | LOCK_NB) != 0) {
    ::close(dir);
    return Look::Locked;
  }
  std::optional<int> status;
  if (std::optional<std::string> recorded = readSmall(o.stateDir + "/" + cp::kExitStatusFile)) {
    status = std::atoi(recorded->c_str());
  } else if (o.source == Source::File) {
    status = watchFile(o);
  } else if (o.source == Source::Program) {
    status = watchProgram(o);
  }
  ::close(dir);  // releases the lock
  if (!status && o.source == Source::None) status = askCli(o);
  if (status) exitWith(*status);
  return Look::Alive;
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
  *child = spawn(o.consoleArgv, &fa);
  posix_spawn_file_actions_destroy(&fa);
  ::close(p[1]);
  if (*child < 0) {
    ::close(p[0]);
    return -1;
  }
  ::fcntl(p[0], F_SETFL, O_NONBLOCK);
  return p[0];
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
    return cp::kExitMonitorError;
  }
  // Changes to the state directory (the exit status appearing, the
  // directory going) and to a watched state file wake us at once; sysfs
  // files do not notify, so the poll interval stays the fallback.
  int notify = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (notify >= 0) {
    ::inotify_add_watch(notify, o.stateDir.c_str(), IN_MOVED_TO | IN_CREATE | IN_DELETE_SELF | IN_MOVE_SELF);
    if (o.source == Source::File) {
      // The file itself (written in place) and its directory (the file
      // replaced by a rename, or removed with the partition).
      ::inotify_add_watch(notify, o.watchPath.c_str(), IN_MODIFY | IN_ATTRIB | IN_DELETE_SELF);
      size_t slash = o.watchPath.rfind('/');
      if (slash != std::string::npos && slash > 0) {
        ::inotify_add_watch(notify, o.watchPath.substr(0, slash).c_str(),
                            IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE | IN_DELETE_SELF);
      }
    }
  }

  pid_t consoleChild = -1;
  int console = openConsole(o, &consoleChild);
  auto exitWith = [&](int status) {
    if (console >= 0) relay(console);
    if (consoleChild > 0) ::kill(consoleChild, SIGTERM);
    std::exit(status);
  };
  if (o.readyFd >= 0) {
    // libphi waits for this before it returns from create.
    ssize_t ignored = ::write(o.readyFd, "1", 1);
    (void)ignored;
    ::close(o.readyFd);
  }
  if (o.source == Source::None) o.maxPollMs = std::max(o.maxPollMs, 2000);
  int pollMs = o.minPollMs;
  bool retrySoon = false;

  for (;;) {
    pollfd fds[3] = {{sigfd, POLLIN, 0}, {notify, POLLIN, 0}, {console, POLLIN, 0}};
    int ready = ::poll(fds, 3, retrySoon ? kLockedRetryMs : pollMs);
    if (ready < 0 && errno != EINTR) return cp::kExitMonitorError;
    bool lookNow = ready == 0;
    if (console >= 0 && (fds[2].revents & (POLLIN | POLLHUP | POLLERR)) && !relay(console)) {
      ::close(console);
      console = -1;
    }
    if (notify >= 0 && (fds[1].revents & POLLIN)) {
      alignas(inotify_event) char buffer[4096];
      while (::read(notify, buffer, sizeof buffer) > 0) {
      }
      lookNow = true;
    }
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo info;
      while (::read(sigfd, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
        int sig = static_cast<int>(info.ssi_signo);
        if (sig == SIGCHLD) {
          while (::waitpid(-1, nullptr, WNOHANG) > 0) {
          }
          continue;
        }
        if (phi::isShutdownSignal(sig) && !o.cli.empty()) {
          runCapture(cliArgv(o, {"kill", o.id, phi::signalName(sig)}), nullptr, nullptr);
        }
        lookNow = true;
      }
    }
    if (!lookNow && !retrySoon) continue;
    retrySoon = look(o, exitWith) == Look::Locked;
    if (ready == 0 && !retrySoon) pollMs = pollMs * 2 > o.maxPollMs ? o.maxPollMs : pollMs * 2;
  }
}
