// Finds the real runc that forwarded calls go to.
#pragma once

#include <string>

namespace runphi {

// `configured` if it is an executable file, else the first `runc` on PATH.
// Never returns this program itself nor its front end (runphi may be
// installed as runc); copies and wrappers are caught by loop_guard.h. Throws phi::Error(NotFound) naming both.
std::string locateRunc(const std::string& configured);

}  // namespace runphi
