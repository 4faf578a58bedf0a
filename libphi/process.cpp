#include "process.hpp"

#include "system_error.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>

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

ProcessResult runProcess(const std::vector<std::string>& argv) {
  if (argv.empty()) throw Error(ErrorCode::Internal, "runProcess: empty argv");
  std::array<int, 2> outPipe{-1, -1}, errPipe{-1, -1};
  if (::pipe2(outPipe.data(), O_CLOEXEC) != 0) throw errnoError("pipe");
  if (::pipe2(errPipe.data(), O_CLOEXEC) != 0) {
    closePipe(outPipe);
    throw errnoError("pipe");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, outPipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, errPipe[1], STDERR_FILENO);
  pid_t pid = -1;
  auto args = cArgv(argv);
  int rc = argv[0].find('/') == std::string::npos
               ? ::posix_spawnp(&pid, argv[0].c_str(), &actions, nullptr, args.data(), environ)
               : ::posix_spawn(&pid, argv[0].c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(outPipe[1]);
  ::close(errPipe[1]);
  outPipe[1] = errPipe[1] = -1;
  if (rc != 0) {
    closePipe(outPipe);
    closePipe(errPipe);
    throw Error(ErrorCode::SpawnFailed, "cannot run " + argv[0] + ": " + std::strerror(rc));
  }

  ProcessResult result;
  std::array<pollfd, 2> fds{{{outPipe[0], POLLIN, 0}, {errPipe[0], POLLIN, 0}}};
  std::array<std::string*, 2> sinks{&result.out, &result.err};
  int open = 2;
  char buffer[8192];
  while (open > 0) {
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (size_t i = 0; i < fds.size(); ++i) {
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

ProcessResult runProcessChecked(const std::vector<std::string>& argv) {
  ProcessResult r = runProcess(argv);
  if (r.exitCode == 0) return r;
  std::string err = r.err;
  while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) err.pop_back();
  std::string how = r.signal ? "was killed by signal " + std::to_string(r.signal)
                             : "exited with status " + std::to_string(r.exitCode);
  throw Error(ErrorCode::ChildFailed, "`" + describe(argv) + "` " + how + (err.empty() ? "" : ": " + err));
}

void replaceProcess(const std::string& program, const std::vector<std::string>& argv) {
  auto args = cArgv(argv);
  ::execv(program.c_str(), args.data());
  throw errnoError("cannot execute " + program);
}

}  // namespace phi
