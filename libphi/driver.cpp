// Defaults of the optional driver operations.
#include <phi/driver.hpp>
#include <phi/error.hpp>

namespace phi {

Driver::~Driver() = default;

ConsoleSpec Driver::console(const PartitionContext&) {
  return {};
}

void Driver::pause(const PartitionContext& ctx) {
  throw Error(ErrorCode::NotSupported, "the " + name() + " driver cannot pause container \"" + ctx.containerId + "\"");
}

void Driver::resume(const PartitionContext& ctx) {
  throw Error(ErrorCode::NotSupported, "the " + name() + " driver cannot resume container \"" + ctx.containerId + "\"");
}

void Driver::checkpoint(const PartitionContext& ctx, const std::string&, bool) {
  throw Error(ErrorCode::NotSupported,
              "the " + name() + " driver cannot checkpoint container \"" + ctx.containerId + "\"");
}

void Driver::restore(const PartitionContext& ctx, const std::string&) {
  throw Error(ErrorCode::NotSupported,
              "the " + name() + " driver cannot restore container \"" + ctx.containerId + "\"");
}

std::unique_ptr<TickSource> Driver::tickSource(const PlatformTemplate&) {
  return makeMonotonicTickSource();
}

}  // namespace phi
