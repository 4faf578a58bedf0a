// The Jailhouse cell serializer, fed with JSON cell descriptions (what
// `runphi-cell compile` reads). A description that is accepted serializes to
// exactly cellFileSize() bytes that decode, in its dialect, to the same cell.
#include "cell_c_renderer.hpp"
#include "cell_json.hpp"
#include "cell_serializer.hpp"
#include "fuzz_support.hpp"

#include <phi/error.hpp>

#include <algorithm>

using namespace phi::jailhouse;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text = phi::fuzz::bytesOf(data, size);
  CellDescription cell;
  try {
    cell = cellFromJson(text, "cell.json");
  } catch (const phi::Error&) {
    return 0;
  }
  // cellFromJson applied every validateCell rule: serializing must not throw.
  std::string bytes = serializeCell(cell, "cell.json");
  phi::fuzz::require(bytes.size() == cellFileSize(cell), "the file is cellFileSize() bytes long");
  phi::fuzz::require(decodeCell(bytes, cell.dialect, "serialized") == cell, "encode -> decode gives the same cell");
  std::vector<Dialect> fits = candidateDialects(bytes);
  phi::fuzz::require(std::find(fits.begin(), fits.end(), cell.dialect) != fits.end(),
                     "the file fits its own dialect's signature, revision and length");
  phi::fuzz::require(cellFromJson(cellToJson(cell), "canonical.json") == cell, "the canonical JSON is lossless");
  (void)renderCellC(cell);
  return 0;
}
