// CellDescription <-> .cell bytes, for every dialect, without a compiler.
#pragma once

#include "cell_model.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace phi::jailhouse {

// Which rules a cell is held to. Hypervisor: only what Jailhouse itself
// refuses (a wrong size, a CPU set over 4096 bytes, an irqchip pin_base that
// is not a multiple of 32, ivshmem peer ids of 12 or more or too few regions,
// more than 16 MSI-X vectors, x86 cache regions that are not L3, a config over
// 16 pages) is an error; runphi's own stricter rules (below) become warnings,
// so every cell the hypervisor loads decodes, re-encodes and compiles.
// Strict: those are errors too. What runphi writes itself is always Strict.
enum class Rules { Strict, Hypervisor };

// Checks a cell (jailhouse-cell-format.md §1-§4, §8). Strict rules beyond
// the hypervisor's: a printable 1-31 character name, flags and console type
// known to the dialect, no TMP_ROOT_REMAP, colors only with COLORED, the comm
// region's phys_start 0, bitmaps of whole u64 words, PCI type 1-3 and
// capabilities inside pci_caps, ivshmem dev_id < peers <= 12, QoS names and
// flags. Throws phi::Error(InvalidArgument) "<origin>: <field>: why"; with
// Rules::Hypervisor the strict findings are appended to `warnings` instead.
void validateCell(const CellDescription& cell, const std::string& origin, Rules rules = Rules::Strict,
                  std::vector<std::string>* warnings = nullptr);

// The exact file length the cell takes in its dialect.
std::uint64_t cellFileSize(const CellDescription& cell);

// Validates, then writes the .cell bytes (packed, little-endian, §2 order).
std::string serializeCell(const CellDescription& cell, const std::string& origin = "cell", Rules rules = Rules::Strict,
                          std::vector<std::string>* warnings = nullptr);

// Reads a .cell file of the given dialect. Throws phi::Error(InvalidArgument)
// naming `origin` for a wrong signature or revision, a length that does not
// match the counts, non-zero reserved bits, or an unterminated name.
CellDescription decodeCell(const std::string& bytes, Dialect dialect, const std::string& origin,
                           Rules rules = Rules::Strict, std::vector<std::string>* warnings = nullptr);

// The dialects whose signature, revision and length formula fit `bytes`
// (A13 and B, A14 and C share signature and revision: jailhouse-cell-format.md §0).
// C and OV share the layout; OV is listed only when the console type is one
// that only the Omnivisor fork numbers (11, LINFLEX there), C otherwise.
std::vector<Dialect> candidateDialects(const std::string& bytes);

// decodeCell with the one candidate dialect; an error if none or several fit.
CellDescription decodeCellGuessingDialect(const std::string& bytes, const std::string& origin,
                                          Rules rules = Rules::Strict, std::vector<std::string>* warnings = nullptr);

}  // namespace phi::jailhouse
