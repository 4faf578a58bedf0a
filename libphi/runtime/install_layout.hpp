// Where an installed runphi finds its parts: driver modules, the container
// process binary, the CLI and the platform templates. Each is looked up
// first under the prefix libphi.so was loaded from (so `cmake --install
// --prefix /opt/phi` or a moved tree works), then under the configure-time
// prefix.
#pragma once

#include <string>
#include <vector>

namespace phi::install_layout {

// The install prefix libphi was loaded from: the directory of libphi.so
// minus the configured libdir ("" when libphi does not sit in a
// `<prefix>/<libdir>`, e.g. in the build tree).
std::string runtimePrefix();

// Candidate directories, the run-time prefix's first; no duplicates.
std::vector<std::string> driverDirs();
std::vector<std::string> libexecDirs();
std::vector<std::string> templateDirs();

// The installed runphi CLI: the run-time prefix's when it exists there.
std::string cliPath();

// A platform_template value: a path (it has a '/') as given; a bare name
// ("test-board" or "test-board.json") the first template directory that
// holds it, else the first template directory's path for it (which names
// the place looked at when loading fails).
std::string resolvePlatformTemplate(const std::string& value);

}  // namespace phi::install_layout
