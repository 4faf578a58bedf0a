#include "xl_domain_state.hpp"

#include <phi/error.hpp>

#include <sstream>
#include <vector>

namespace phi::xen {

GuestStatus parseXlListState(const std::string& output, const std::string& name) {
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::vector<std::string> f;
    for (std::string w; fields >> w;) f.push_back(w);
    if (f.size() < 6 || f[0] != name) continue;
    const std::string& state = f[4];
    if (state.find('c') != std::string::npos) return {GuestState::Stopped, GuestExit::Crashed};
    if (state.find('s') != std::string::npos || state.find('d') != std::string::npos) {
      return {GuestState::Stopped, GuestExit::Shutdown};
    }
    if (state.find('p') != std::string::npos) return {GuestState::Paused, GuestExit::None};
    return {GuestState::Running, GuestExit::None};
  }
  throw Error(ErrorCode::ParseError, "`xl list " + name + "` printed no line for the domain: " + output);
}

const std::vector<std::string>& missingDomainMarkers() {
  static const std::vector<std::string> markers{"invalid domain identifier", "is an invalid domain"};
  return markers;
}

bool isMissingDomainError(const std::string& stderrText) {
  for (const std::string& m : missingDomainMarkers()) {
    if (stderrText.find(m) != std::string::npos) return true;
  }
  return false;
}

}  // namespace phi::xen
