#include <phi/version.hpp>

namespace phi::inline v1 {

const char* libraryVersion() noexcept {
  return PHI_VERSION_STRING;
}

}  // namespace phi::inline v1
