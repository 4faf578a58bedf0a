// Durable, atomic replacement of a file: readers see the old or the new
// content, never a torn one, even if runphi is killed mid-write.
#pragma once

#include <string>

namespace phi {

// Writes `content` to a temporary file next to `path`, fsyncs it, renames it
// over `path` and fsyncs the directory. Throws phi::Error naming the path.
void writeFileAtomically(const std::string& path, const std::string& content, unsigned mode = 0600);

}  // namespace phi
