// A signal for Container::kill, by number, parsed the way runc parses them.
#pragma once

#include <phi/export.hpp>

#include <string_view>

namespace phi {
inline namespace v1 {

// Its layout is one int and never changes.                            since 0.2
class PHI_API Signal {
 public:
  constexpr explicit Signal(int number) noexcept : number_(number) {}

  // "TERM", "SIGTERM", "term" or "15". Throws phi::Error(InvalidArgument)
  // naming the text when it is none of these.
  static Signal parse(std::string_view text);

  constexpr int number() const noexcept { return number_; }
  // "TERM" for SIGTERM; "" for a number without a name.
  const char* name() const noexcept;

  // TERM, INT, HUP, QUIT, PWR: a partitioned container's guest is asked to
  // shut down; KILL destroys the partition; nothing else can be delivered.
  bool asksShutdown() const noexcept;

  constexpr bool operator==(const Signal&) const = default;

 private:
  int number_;
};

}  // namespace v1
}  // namespace phi
