// A guest's state as its driver reports it.
#pragma once

#include <phi/export.hpp>

namespace phi {
inline namespace v1 {

enum class GuestState { Absent, Created, Running, Paused, Stopped };
// How a guest ended; decides the container process's exit status.
enum class GuestExit { None, Shutdown, Crashed, Destroyed };

// Two enums; the layout is fixed (a driver ABI version guards it).    since 0.1
struct GuestStatus {
  GuestState state = GuestState::Absent;
  GuestExit exit = GuestExit::None;
};

}  // namespace v1
}  // namespace phi
