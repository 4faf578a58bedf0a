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
  // C and OV share one layout: an OV cell whose console type C numbers too
  // is listed as C (cell_serializer.hpp), and nothing in its bytes says otherwise.
  Dialect listedAs = cell.dialect;
  if (cell.dialect == Dialect::OV && cell.console.type <= dialectInfo(Dialect::C).maxConsoleType) listedAs = Dialect::C;
  phi::fuzz::require(std::find(fits.begin(), fits.end(), listedAs) != fits.end(),
                     "the file fits its own dialect's signature, revision and length");
  phi::fuzz::require(cellFromJson(cellToJson(cell), "canonical.json") == cell, "the canonical JSON is lossless");
  (void)renderCellC(cell);
  return 0;
}
