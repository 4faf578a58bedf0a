// CellDescription -> readable C source that compiles to the same bytes as
// serializeCell() (gcc -c; objcopy -O binary -j .data): against runphi's own
// include/jailhouse_cell_format.h, or against the headers of the Jailhouse
// build the dialect names (jailhouse_* structs, JAILHOUSE_* constants, the
// two MSI bit-fields). Kept next to every generated .cell for debugging.
#pragma once

#include "cell_model.hpp"

#include <string>

namespace phi::jailhouse {

enum class CHeader {
  Runphi,     // #include "jailhouse_cell_format.h" (installed with runphi-cell)
  Jailhouse,  // the dialect's own headers: <jailhouse/cell-config.h>, or runPHI's "cell-config.h"
};

inline constexpr const char* kRunphiCellHeader = "jailhouse_cell_format.h";

std::string renderCellC(const CellDescription& cell, CHeader header = CHeader::Runphi);

}  // namespace phi::jailhouse
