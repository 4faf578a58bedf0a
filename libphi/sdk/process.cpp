#include "sdk/process.hpp"

#include "toolkit/system_error.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <csignal>
#include <ctime>

extern char** environ;

namespace phi {

namespace {

std::vector<char*> cArgv(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  out.reserve(argv.size() + 1);
  for (const std::string& a : argv) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

std::string describe(const std::vector<std::string>& argv) {
  std::string s;
  for (const std::string& a : argv) s += (s.empty() ? "" : " ") + a;
  return s;
}

void closePipe(std::array<int, 2>& p) {
  for (int& fd : p) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
}

}  // namespace

ProcessResult runProcess(const std::vector<std::string>& argv, const ProcessOptions& options) {
  if (argv.empty()) throw Error(ErrorCode::Internal, "runProcess: empty argv");
  std::array<int, 2> inPipe{-1, -1}, outPipe{-1, -1}, errPipe{-1, -1};
  if (::pipe2(inPipe.data(), O_CLOEXEC) != 0 || ::pipe2(outPipe.data(), O_CLOEXEC) != 0 ||
      ::pipe2(errPipe.data(), O_CLOEXEC) != 0) {
    int err = errno;
    closePipe(inPipe);
    closePipe(outPipe);
    closePipe(errPipe);
    throw errnoError("pipe", err);
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, inPipe[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, outPipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, errPipe[1], STDERR_FILENO);
  pid_t pid = -1;
  auto args = cArgv(argv);
  std::vector<char*> envp = options.env ? cArgv(*options.env) : std::vector<char*>{};
  char** env = options.env ? envp.data() : environ;
  const std::string& program = options.program.empty() ? argv[0] : options.program;
  int rc = program.find('/') == std::string::npos
               ? ::posix_spawnp(&pid, program.c_str(), &actions, nullptr, args.data(), env)
               : ::posix_spawn(&pid, program.c_str(), &actions, nullptr, args.data(), env);
  posix_spawn_file_actions_destroy(&actions);
  ::close(inPipe[0]);
  ::close(outPipe[1]);
  ::close(errPipe[1]);
  inPipe[0] = outPipe[1] = errPipe[1] = -1;
  if (rc != 0) {
    closePipe(inPipe);
    closePipe(outPipe);
    closePipe(errPipe);
    throw Error(ErrorCode::SpawnFailed, "cannot run " + program + ": " + std::strerror(rc));
  }

  ProcessResult result;
  // stdin, stdout, stderr; stdin is only polled while input remains.
  ::fcntl(inPipe[1], F_SETFL, O_NONBLOCK);
  size_t written = 0;
  if (options.input.empty()) closePipe(inPipe);
  std::array<pollfd, 3> fds{{{inPipe[1], POLLOUT, 0}, {outPipe[0], POLLIN, 0}, {errPipe[0], POLLIN, 0}}};
  std::array<std::string*, 3> sinks{nullptr, &result.out, &result.err};
  int open = 2;
  char buffer[8192];
  auto deadline = options.timeoutSeconds > 0 ? ::time(nullptr) + options.timeoutSeconds : 0;
  while (open > 0) {
    int wait = deadline ? static_cast<int>(std::max<long>(0, deadline - ::time(nullptr)) * 1000 + 100) : -1;
    int ready = ::poll(fds.data(), fds.size(), wait);
    if (ready < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (ready == 0 && deadline && ::time(nullptr) >= deadline) {
      ::kill(pid, SIGKILL);
      result.timedOut = true;
      deadline = 0;
      continue;
    }
    if (fds[0].fd >= 0 && (fds[0].revents & (POLLOUT | POLLERR | POLLHUP))) {
      // A program that does not read its input must not kill us with
      // SIGPIPE: block it around the write, take EPIPE, drop the signal.
      sigset_t pipeSet, old;
      sigemptyset(&pipeSet);
      sigaddset(&pipeSet, SIGPIPE);
      ::pthread_sigmask(SIG_BLOCK, &pipeSet, &old);
      ssize_t n = ::write(fds[0].fd, options.input.data() + written, options.input.size() - written);
      if (n < 0 && errno == EPIPE) {
        timespec zero{};
        while (::sigtimedwait(&pipeSet, nullptr, &zero) == SIGPIPE) {
        }
        errno = EPIPE;
      }
      ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
      if (n > 0) written += static_cast<size_t>(n);
      if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == options.input.size()) {
        closePipe(inPipe);
        fds[0].fd = -1;
      }
    }
    for (size_t i = 1; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        fds[i].fd = -1;
        --open;
      }
    }
  }
  closePipe(inPipe);
  closePipe(outPipe);
  closePipe(errPipe);

  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw errnoError("waitpid for " + argv[0]);
  }
  if (WIFEXITED(status)) {
    result.exitCode = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
  }
  return result;
}

std::string describeFailure(const std::vector<std::string>& argv, const ProcessResult& r) {
  std::string err = r.err;
  while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) err.pop_back();
  std::string how = r.timedOut ? "timed out"
                    : r.signal ? "was killed by signal " + std::to_string(r.signal)
                               : "exited with status " + std::to_string(r.exitCode);
  return "`" + describe(argv) + "` " + how + (err.empty() ? "" : ": " + err);
}

ProcessResult runProcessChecked(const std::vector<std::string>& argv, const ProcessOptions& options) {
  ProcessResult r = runProcess(argv, options);
  if (r.exitCode != 0) throw Error(ErrorCode::ChildFailed, describeFailure(argv, r));
  return r;
}

}  // namespace phi
