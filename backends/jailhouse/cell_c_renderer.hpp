// CellDescription -> readable C source that compiles, against
// include/jailhouse_cell_format.h, to the same bytes as serializeCell().
// Kept next to every generated .cell for debugging and for the old pipeline
// (gcc -c; objcopy -O binary -j .data).
#pragma once

#include "cell_model.hpp"

#include <string>

namespace phi::jailhouse {

// `header` is the name the #include uses ("jailhouse_cell_format.h").
std::string renderCellC(const CellDescription& cell, const std::string& header = "jailhouse_cell_format.h");

}  // namespace phi::jailhouse
