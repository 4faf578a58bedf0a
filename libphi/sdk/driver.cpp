// The driver interface's value types and the defaults of its optional
// operations.
#include <phi/driver/driver.hpp>
#include <phi/error.hpp>

#include "model/value_class.hpp"

namespace phi {
inline namespace v1 {

struct DriverCapabilities::Impl {
  bool pause = false, console = false, checkpoint = false;
};

DriverCapabilities::DriverCapabilities() : impl_(std::make_unique<Impl>()) {}
PHI_VALUE_CLASS_MEMBERS(DriverCapabilities)
PHI_GETTER(DriverCapabilities, bool, pause, pause)
PHI_GETTER(DriverCapabilities, bool, console, console)
PHI_GETTER(DriverCapabilities, bool, checkpoint, checkpoint)

DriverCapabilities& DriverCapabilities::withPause(bool on) {
  impl_->pause = on;
  return *this;
}
DriverCapabilities& DriverCapabilities::withConsole(bool on) {
  impl_->console = on;
  return *this;
}
DriverCapabilities& DriverCapabilities::withCheckpoint(bool on) {
  impl_->checkpoint = on;
  return *this;
}

struct ConsoleSpec::Impl {
  std::string path;
  std::vector<std::string> argv;
};

ConsoleSpec::ConsoleSpec() : impl_(std::make_unique<Impl>()) {}
PHI_VALUE_CLASS_MEMBERS(ConsoleSpec)
PHI_GETTER(ConsoleSpec, const std::string&, path, path)
PHI_GETTER(ConsoleSpec, const std::vector<std::string>&, argv, argv)

ConsoleSpec ConsoleSpec::file(std::string path) {
  ConsoleSpec c;
  c.impl_->path = std::move(path);
  return c;
}

ConsoleSpec ConsoleSpec::program(std::vector<std::string> argv) {
  ConsoleSpec c;
  c.impl_->argv = std::move(argv);
  return c;
}

bool ConsoleSpec::empty() const noexcept {
  return impl_->path.empty() && impl_->argv.empty();
}

Driver::~Driver() = default;

ConsoleSpec Driver::console(const PartitionContext&) {
  return {};
}

void Driver::pause(const PartitionContext& ctx) {
  throw Error(ErrorCode::NotSupported,
              "the " + name() + " driver cannot pause container \"" + ctx.containerId() + "\"");
}

void Driver::resume(const PartitionContext& ctx) {
  throw Error(ErrorCode::NotSupported,
              "the " + name() + " driver cannot resume container \"" + ctx.containerId() + "\"");
}

void Driver::checkpoint(const PartitionContext& ctx, const std::string&, bool) {
  throw Error(ErrorCode::NotSupported,
              "the " + name() + " driver cannot checkpoint container \"" + ctx.containerId() + "\"");
}

void Driver::restore(const PartitionContext& ctx, const std::string&) {
  throw Error(ErrorCode::NotSupported,
              "the " + name() + " driver cannot restore container \"" + ctx.containerId() + "\"");
}

std::unique_ptr<TickSource> Driver::tickSource(const PlatformTemplate& platform) {
  return makePlatformTickSource(platform);
}

GuestWatch Driver::watch(const PartitionContext&) {
  return {};
}

std::vector<int> Driver::busyCpus(const PlatformTemplate&) {
  return {};
}

}  // namespace v1
}  // namespace phi
