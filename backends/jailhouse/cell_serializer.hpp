// CellDescription <-> .cell bytes, for every dialect, without a compiler.
#pragma once

#include "cell_model.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace phi::jailhouse {

// Checks everything the binary format and the hypervisor require of a cell
// (jailhouse-cell-format.md §1-§4, §8): name, flags known to the dialect,
// bitmap sizes, region sanity, irqchip ranges, PCI/ivshmem references, the
// 16-page size limit. Throws phi::Error(InvalidArgument) "<origin>: <field>: why".
void validateCell(const CellDescription& cell, const std::string& origin);

// The exact file length the cell takes in its dialect.
std::uint64_t cellFileSize(const CellDescription& cell);

// Validates, then writes the .cell bytes (packed, little-endian, §2 order).
std::string serializeCell(const CellDescription& cell, const std::string& origin = "cell");

// Reads a .cell file of the given dialect. Throws phi::Error(InvalidArgument)
// naming `origin` for a wrong signature or revision, a length that does not
// match the counts, non-zero reserved bits, or an unterminated name.
CellDescription decodeCell(const std::string& bytes, Dialect dialect, const std::string& origin);

// The dialects whose signature, revision and length formula fit `bytes`
// (A13 and B, A14 and C share signature and revision: jailhouse-cell-format.md §0).
std::vector<Dialect> candidateDialects(const std::string& bytes);

// decodeCell with the one candidate dialect; an error if none or several fit.
CellDescription decodeCellGuessingDialect(const std::string& bytes, const std::string& origin);

}  // namespace phi::jailhouse
