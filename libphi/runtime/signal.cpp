#include <phi/error.hpp>
#include <phi/signal.hpp>

#include "toolkit/signal_names.hpp"

#include <charconv>
#include <string>

namespace phi {
inline namespace v1 {

Signal Signal::parse(std::string_view text) {
  std::string name(text);
  for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (name.rfind("SIG", 0) == 0) name = name.substr(3);
  for (const auto& [n, v] : kSignalNames) {
    if (name == n) return Signal(v);
  }
  int v = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (!text.empty() && ec == std::errc() && end == text.data() + text.size() && v >= 0 && v < 65) return Signal(v);
  throw Error(ErrorCode::InvalidArgument, "unknown signal \"" + std::string(text) + "\"");
}

const char* Signal::name() const noexcept {
  const char* n = signalName(number_);
  return n ? n : "";
}

bool Signal::asksShutdown() const noexcept {
  return isShutdownSignal(number_);
}

}  // namespace v1
}  // namespace phi
