// Jailhouse .cell decoding (what `runphi-cell decode` runs), in every dialect.
// A file that decodes must encode back to the very same bytes, and its JSON
// description (decode's output, compile's input) must give the same cell.
#include "cell_c_renderer.hpp"
#include "cell_json.hpp"
#include "cell_serializer.hpp"
#include "fuzz_support.hpp"

#include <phi/error.hpp>

using namespace phi::jailhouse;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes = phi::fuzz::bytesOf(data, size);
  for (Dialect dialect : allDialects()) {
    CellDescription cell;
    try {
      cell = decodeCell(bytes, dialect, "fuzz.cell");
    } catch (const phi::Error&) {
      continue;
    }
    // A decoded cell passed validateCell: serializing it must not throw.
    std::string again = serializeCell(cell, "decoded cell");
    phi::fuzz::require(again == bytes,
                       std::string("decode -> encode is byte-identical in ") + dialectInfo(dialect).name);
    std::string json = cellToJson(cell);
    phi::fuzz::require(cellFromJson(json, "decoded.json") == cell, "decode -> JSON -> cell is lossless", json);
    (void)renderCellC(cell);
  }
  try {
    CellDescription guessed = decodeCellGuessingDialect(bytes, "fuzz.cell");
    phi::fuzz::require(serializeCell(guessed, "guessed cell") == bytes, "the guessed dialect round-trips too");
  } catch (const phi::Error&) {
  }
  return 0;
}
