// Finds the real runc that forwarded calls go to.
#pragma once

#include <string>

namespace runphi {

// `configured` if it is an executable file, else the first `runc` on PATH.
// Never returns this program itself (runphi may be installed as runc), so a
// forwarded call can never loop. Throws phi::Error(NotFound) naming both.
std::string locateRunc(const std::string& configured);

}  // namespace runphi
