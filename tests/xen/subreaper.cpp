// subreaper: runs a command as a child subreaper (as containerd's shim is),
// reaps every orphan, and reports the exit status of the process whose pid
// appears in PIDFILE — the container process of a runphi container.
//   usage: subreaper PIDFILE STATUSFILE -- COMMAND ARGS...
// When the watched process ends, its status (like a shell's $?) goes to
// STATUSFILE. Exits with COMMAND's status.
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

int statusOf(int raw) {
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
}

pid_t readPid(const char* path) {
  FILE* f = std::fopen(path, "r");
  long pid = 0;
  if (f) {
    if (std::fscanf(f, "%ld", &pid) != 1) pid = 0;
    std::fclose(f);
  }
  return static_cast<pid_t>(pid);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5 || std::strcmp(argv[3], "--") != 0) {
    std::fprintf(stderr, "usage: subreaper PIDFILE STATUSFILE -- COMMAND ARGS...\n");
    return 2;
  }
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  pid_t command = ::fork();
  if (command == 0) {
    ::execvp(argv[4], argv + 4);
    std::perror("subreaper: exec");
    ::_exit(127);
  }
  int commandStatus = 1;
  for (;;) {
    int raw = 0;
    pid_t pid = ::waitpid(-1, &raw, 0);
    if (pid < 0) break;  // no children left
    if (pid == command) commandStatus = statusOf(raw);
    if (pid == readPid(argv[1])) {
      if (FILE* f = std::fopen(argv[2], "w")) {
        std::fprintf(f, "%d\n", statusOf(raw));
        std::fclose(f);
      }
    }
  }
  return commandStatus;
}
