// Reading a whole regular file that is already open, with a size limit.
#pragma once

#include <cstddef>
#include <string>

namespace phi {

// Reads `fd` (closed afterwards) to its end. Refuses anything but a regular
// file, and a file larger than `maxBytes` (checked before reading and while
// reading), with phi::Error naming `origin`.
std::string readRegularFile(int fd, const std::string& origin, std::size_t maxBytes);

}  // namespace phi
