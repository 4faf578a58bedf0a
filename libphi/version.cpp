#include <phi/version.hpp>

namespace phi {
inline namespace v1 {

const char* libraryVersion() noexcept {
  return PHI_VERSION_STRING;
}

}  // namespace v1
}  // namespace phi
