// Files runphi executes, loads or is configured by must be as trustworthy as
// runphi itself (it runs as root): owned by root or by the caller, and
// writable by nobody else -- the rule sudo and ssh apply to their own files.
// The directory holding such a file may not be writable by others either
// (they could swap the file), unless it is sticky (/tmp).
#pragma once

#include <string>

namespace phi {

// Throws phi::Error(InvalidArgument) naming `what`, the path, its owner and
// mode when `path` (symlinks followed) or its directory breaks the rule;
// NotFound when it does not exist.
void requireTrustedFile(const std::string& path, const std::string& what);

}  // namespace phi
