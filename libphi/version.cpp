#include <phi/version.hpp>

namespace phi {

const char* libraryVersion() noexcept {
  return PHI_VERSION_STRING;
}

}  // namespace phi
