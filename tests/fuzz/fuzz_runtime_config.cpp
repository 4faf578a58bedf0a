// runphi.json (phi::parseRuntimeConfig, what loadRuntimeConfig reads): refused
// with phi::Error, or state_root is absolute and runc_path is not empty.
#include "fuzz_support.hpp"
#include "runtime_config_text.hpp"

#include <phi/error.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text = phi::fuzz::bytesOf(data, size);
  try {
    phi::RuntimeConfig config = phi::parseRuntimeConfig(text, "runphi.json");
    phi::fuzz::require(!config.stateRoot.empty() && config.stateRoot.front() == '/', "state_root is absolute",
                       config.stateRoot);
    phi::fuzz::require(!config.runcPath.empty(), "runc_path is not empty");
  } catch (const phi::Error&) {
  }
  return 0;
}
