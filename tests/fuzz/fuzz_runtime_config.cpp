// runphi.json (phi::RuntimeOptions::fromJson, what fromFile reads): refused
// with phi::Error, or state_root is absolute and runc_path is not empty.
#include "fuzz_support.hpp"

#include <phi/error.hpp>
#include <phi/runtime_options.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text = phi::fuzz::bytesOf(data, size);
  try {
    phi::RuntimeOptions options = phi::RuntimeOptions::fromJson(text, "runphi.json");
    phi::fuzz::require(!options.stateRoot().empty() && options.stateRoot().front() == '/', "state_root is absolute",
                       options.stateRoot());
    phi::fuzz::require(!options.runcPath().empty(), "runc_path is not empty");
    // What it writes back reads back the same.
    phi::fuzz::require(phi::RuntimeOptions::fromJson(options.toJson(), "again").toJson() == options.toJson(),
                       "toJson round-trips", options.toJson());
  } catch (const phi::Error&) {
  }
  return 0;
}
