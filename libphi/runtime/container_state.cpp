#include <phi/container_state.hpp>
#include <phi/version.hpp>

#include "model/value_class.hpp"
#include "runtime/container_state_impl.hpp"

#include <json/writer.h>

namespace phi {
inline namespace v1 {

const char* statusName(Status status) noexcept {
  switch (status) {
    case Status::Creating: return "creating";
    case Status::Created: return "created";
    case Status::Running: return "running";
    case Status::Paused: return "paused";
    case Status::Stopped: return "stopped";
  }
  return "unknown";
}

std::optional<Status> parseStatus(const std::string& text) noexcept {
  for (Status s : {Status::Creating, Status::Created, Status::Running, Status::Paused, Status::Stopped}) {
    if (text == statusName(s)) return s;
  }
  return std::nullopt;
}

bool canStart(Status s) noexcept {
  return s == Status::Created;
}
bool canKill(Status s) noexcept {
  return s == Status::Created || s == Status::Running || s == Status::Paused;
}
bool canDelete(Status s, bool force) noexcept {
  return force || (s != Status::Running && s != Status::Paused);
}
bool canPause(Status s) noexcept {
  return s == Status::Running;
}
bool canResume(Status s) noexcept {
  return s == Status::Paused;
}
bool canCheckpoint(Status s) noexcept {
  return s == Status::Running || s == Status::Paused;
}

ContainerState::ContainerState() : impl_(std::make_unique<Impl>()) {}
ContainerState::ContainerState(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PHI_VALUE_CLASS_MEMBERS(ContainerState)

const std::string& ContainerState::id() const noexcept {
  return impl_->record.id;
}
Status ContainerState::status() const noexcept {
  return impl_->record.status;
}
int ContainerState::pid() const noexcept {
  return impl_->record.status == Status::Stopped ? 0 : impl_->record.pid;
}
const std::string& ContainerState::bundle() const noexcept {
  return impl_->record.bundle;
}
const std::string& ContainerState::rootfs() const noexcept {
  return impl_->record.rootfs;
}
const std::string& ContainerState::created() const noexcept {
  return impl_->record.created;
}
const std::string& ContainerState::owner() const noexcept {
  return impl_->record.owner;
}
const std::map<std::string, std::string>& ContainerState::annotations() const noexcept {
  return impl_->record.annotations;
}
const std::string& ContainerState::partitionName() const noexcept {
  return impl_->record.partitionName;
}
const std::string& ContainerState::backend() const noexcept {
  return impl_->record.backend;
}
std::optional<int> ContainerState::exitStatus() const noexcept {
  const ContainerRecord& r = impl_->record;
  if (r.status != Status::Stopped || r.exitStatus < 0) return std::nullopt;
  return r.exitStatus;
}

std::string ContainerState::toJson(StateFormat format) const {
  const ContainerRecord& r = impl_->record;
  auto q = [](const std::string& s) { return Json::valueToQuotedString(s.c_str()); };
  std::string annotations;
  bool first = true;
  const char* indent = format == StateFormat::Runc ? "\n    " : "";
  for (const auto& [k, v] : r.annotations) {
    annotations += std::string(first ? "" : ",") + indent + q(k) + (format == StateFormat::Runc ? ": " : ":") + q(v);
    first = false;
  }
  if (format == StateFormat::Oci) {
    // runtime-spec's state: what hooks read on stdin (runc: json.Marshal of specs.State).
    return "{\"ociVersion\":" + q(PHI_OCI_SPEC_VERSION) + ",\"id\":" + q(r.id) +
           ",\"status\":" + q(statusName(r.status)) + ",\"pid\":" + std::to_string(r.pid) +
           ",\"bundle\":" + q(r.bundle) + ",\"annotations\":{" + annotations + "}}";
  }
  // runc's `state` output: json.MarshalIndent with two spaces, its field order.
  std::string out = "{\n  \"ociVersion\": " + q(PHI_OCI_SPEC_VERSION) + ",\n  \"id\": " + q(r.id) +
                    ",\n  \"pid\": " + std::to_string(pid()) + ",\n  \"status\": " + q(statusName(r.status)) +
                    ",\n  \"bundle\": " + q(r.bundle) + ",\n  \"rootfs\": " + q(r.rootfs) +
                    ",\n  \"created\": " + q(r.created);
  if (!r.annotations.empty()) out += ",\n  \"annotations\": {" + annotations + "\n  }";
  return out + ",\n  \"owner\": " + q(r.owner) + "\n}\n";
}

}  // namespace v1
}  // namespace phi
