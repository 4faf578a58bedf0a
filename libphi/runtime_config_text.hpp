// runphi.json from text, for callers that already hold the bytes (the fuzz
// target). loadRuntimeConfig() reads the file and calls this.
#pragma once

#include <phi/config.hpp>

#include <string>

namespace phi {

// Parses and validates runphi.json text; `origin` names it in errors and
// becomes RuntimeConfig::sourcePath. Throws phi::Error like loadRuntimeConfig.
RuntimeConfig parseRuntimeConfig(const std::string& text, const std::string& origin);

}  // namespace phi
