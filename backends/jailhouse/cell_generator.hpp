// Platform template + allocation + ZIC config -> the cell description of one
// partition: runPHI's preambles and templates as data (docs/jailhouse.md
// "Generated cells").
#pragma once

#include "cell_model.hpp"
#include "jailhouse_settings.hpp"

#include <phi/partition.hpp>
#include <phi/platform.hpp>
#include <phi/zic_config.hpp>

#include <string>

namespace phi::jailhouse {

enum class GuestKind {
  BareMetal,  // Zephyr or a bare-metal image: cell create + cell load -a + cell start
  Linux,      // a non-root Linux cell: cell create, then cell linux at start
  Rpu,        // firmware on real-time cores (Omnivisor): cell load -r
};

GuestKind guestKindOf(const ZicConfig& zic);
const char* guestKindName(GuestKind kind);

struct CellRequest {
  const PlatformTemplate* platform = nullptr;
  const JailhouseSettings* settings = nullptr;
  const Allocation* allocation = nullptr;
  const ZicConfig* zic = nullptr;
  std::string name;  // the partition name
};

// Throws phi::Error naming the cell for an allocation the platform's cell
// layout cannot hold (no memory, a BDF without a window, an RPU guest on a
// board without an rCPU set, overlapping regions, a reset address outside
// the loadable RAM...). The result always passes validateCell().
CellDescription generateCell(const CellRequest& request);

// The region of `cell` that holds guest address `addr`, or nullptr.
const MemoryRegion* regionAt(const CellDescription& cell, std::uint64_t addr);

}  // namespace phi::jailhouse
