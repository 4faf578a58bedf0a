// Signal names as runc spells them (without "SIG"), shared by libphi and the
// container process (which links nothing of libphi).
#pragma once

#include <csignal>
#include <utility>

namespace phi {

inline constexpr std::pair<const char*, int> kSignalNames[] = {
    {"HUP", SIGHUP},   {"INT", SIGINT},     {"QUIT", SIGQUIT}, {"ILL", SIGILL},   {"TRAP", SIGTRAP},
    {"ABRT", SIGABRT}, {"BUS", SIGBUS},     {"FPE", SIGFPE},   {"KILL", SIGKILL}, {"USR1", SIGUSR1},
    {"SEGV", SIGSEGV}, {"USR2", SIGUSR2},   {"PIPE", SIGPIPE}, {"ALRM", SIGALRM}, {"TERM", SIGTERM},
    {"CHLD", SIGCHLD}, {"CONT", SIGCONT},   {"STOP", SIGSTOP}, {"TSTP", SIGTSTP}, {"TTIN", SIGTTIN},
    {"TTOU", SIGTTOU}, {"URG", SIGURG},     {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM},
    {"PROF", SIGPROF}, {"WINCH", SIGWINCH}, {"IO", SIGIO},     {"PWR", SIGPWR},   {"SYS", SIGSYS}};

// "TERM" for SIGTERM; nullptr for a number without a name.
constexpr const char* signalName(int number) {
  for (const auto& [name, value] : kSignalNames) {
    if (value == number) return name;
  }
  return nullptr;
}

// The signals that ask a partition's guest to shut down.
constexpr bool isShutdownSignal(int number) {
  return number == SIGTERM || number == SIGINT || number == SIGHUP || number == SIGQUIT || number == SIGPWR;
}

}  // namespace phi
