#include "runc_forwarding.hpp"

#include "loop_guard.h"

#include <phi/error.hpp>

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace runphi {

void replaceProcess(const std::string& program, const std::vector<std::string>& argv) {
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  ::execv(program.c_str(), args.data());
  throw phi::Error(phi::ErrorCode::SpawnFailed, "cannot execute " + program + ": " + std::strerror(errno));
}

void forwardToRunc(const Invocation& inv, const std::string& runcBinary) {
  std::vector<std::string> argv;
  argv.reserve(inv.forwardArgs.size() + 1);
  // runc prints argv[0] in its usage text: a forwarded call must look as if
  // runc had been called.
  argv.push_back(inv.argv0.empty() ? runcBinary : inv.argv0);
  argv.insert(argv.end(), inv.forwardArgs.begin(), inv.forwardArgs.end());
  // A runphi that this exec reaches (runc_path or PATH leading back to
  // runphi) stops instead of forwarding again (loop_guard.h).
  runphi_mark_forwarded(runcBinary.c_str(), "runphi-shim");
  try {
    replaceProcess(runcBinary, argv);
  } catch (...) {
    runphi_unmark_forwarded();
    throw;
  }
}

}  // namespace runphi
