// Reading a domain's state from `xl list <name>`.
#pragma once

#include <phi/driver/driver.hpp>

#include <string>
#include <vector>

namespace phi::xen {

// Parses xl list's table (header, then "Name ID Mem VCPUs State Time(s)");
// the State column's letters: r running, b blocked, p paused, s shut down,
// c crashed, d dying. Throws phi::Error(ParseError) on anything else.
GuestStatus parseXlListState(const std::string& output, const std::string& name);

// What xl's stderr says when the domain does not exist.
const std::vector<std::string>& missingDomainMarkers();
// True when xl's stderr says the domain does not exist.
bool isMissingDomainError(const std::string& stderrText);

}  // namespace phi::xen
