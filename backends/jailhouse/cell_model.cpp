#include "cell_model.hpp"

#include <phi/error.hpp>

#include <algorithm>
#include <cstdio>

#include "toolkit/hex.hpp"

namespace phi::jailhouse {

namespace {

constexpr std::uint32_t kCellFlagsA12 =
    kCellPassiveCommreg | kCellTestDevice | kCellVirtualConsolePermitted | kCellVirtualConsoleActive;
constexpr std::uint32_t kCellFlagsLater = kCellFlagsA12 | kCellAarch32;
constexpr std::uint64_t kMemFlagsUpstream = 0x1ff | kMemIoUnaligned | kMemIo8 | kMemIo16 | kMemIo32 | kMemIo64;
constexpr std::uint64_t kMemFlagsB = kMemFlagsUpstream | kMemColored | kMemColoredNoCopy | kMemTmpRootRemap;
constexpr std::uint64_t kMemFlagsC = kMemFlagsB | kMemTcmA | kMemTcmB;

const DialectInfo kDialects[] = {
    {Dialect::A12, "upstream-v0.12", "A12", "JHCELL", 6, 12, false, false, false, 132, 32, kCellFlagsA12,
     kMemFlagsUpstream, 8, "a"},
    {Dialect::A13, "upstream-rev13", "A13", "JHCELL", 6, 13, false, false, false, 132, 32, kCellFlagsLater,
     kMemFlagsUpstream, 10, "a"},
    {Dialect::A14, "upstream-rev14", "A14", "JHCLL", 5, 14, true, false, false, 132, 32, kCellFlagsLater,
     kMemFlagsUpstream, 10, "a14"},
    {Dialect::B, "runphi-rev13", "B", "JHCELL", 6, 13, false, false, true, 136, 40, kCellFlagsLater, kMemFlagsB, 10,
     "b"},
    {Dialect::C, "runphi-omnivisor", "C", "JHCLL", 5, 14, true, true, true, 140, 40, kCellFlagsLater, kMemFlagsC, 10,
     "c"},
};

}  // namespace

const DialectInfo& dialectInfo(Dialect d) {
  for (const DialectInfo& info : kDialects)
    if (info.dialect == d) return info;
  throw Error(ErrorCode::Internal, "unknown Jailhouse dialect");
}

const std::vector<Dialect>& allDialects() {
  static const std::vector<Dialect> all{Dialect::A12, Dialect::A13, Dialect::A14, Dialect::B, Dialect::C};
  return all;
}

Dialect parseDialect(const std::string& text, const std::string& what) {
  for (const DialectInfo& info : kDialects)
    if (text == info.name || text == info.shortName) return info.dialect;
  std::string known;
  for (const DialectInfo& info : kDialects)
    known += std::string(known.empty() ? "" : ", ") + "\"" + info.name + "\" (" + info.shortName + ")";
  throw Error(ErrorCode::InvalidArgument, what + ": \"" + text + "\" is not a Jailhouse cell dialect; known: " + known);
}

bool irqchipHasPin(const Irqchip& chip, std::uint32_t pin) {
  if (pin < chip.pinBase || pin - chip.pinBase >= 128) return false;
  std::uint32_t bit = pin - chip.pinBase;
  return (chip.pinBitmap[bit / 32] >> (bit % 32)) & 1u;
}

void irqchipAddPin(Irqchip& chip, std::uint32_t pin) {
  if (pin < chip.pinBase || pin - chip.pinBase >= 128) {
    throw Error(ErrorCode::InvalidArgument, "interrupt " + std::to_string(pin) + " is outside the irqchip's range " +
                                                std::to_string(chip.pinBase) + ".." +
                                                std::to_string(chip.pinBase + 127));
  }
  std::uint32_t bit = pin - chip.pinBase;
  chip.pinBitmap[bit / 32] |= 1u << (bit % 32);
}

std::vector<std::uint32_t> irqchipPins(const Irqchip& chip) {
  std::vector<std::uint32_t> pins;
  for (std::uint32_t bit = 0; bit < 128; ++bit)
    if ((chip.pinBitmap[bit / 32] >> (bit % 32)) & 1u) pins.push_back(chip.pinBase + bit);
  return pins;
}

std::uint32_t bitmapBytesFor(const std::vector<int>& ids) {
  int highest = -1;
  for (int id : ids) highest = std::max(highest, id);
  std::uint32_t words = static_cast<std::uint32_t>(highest / 64 + 1);
  return words * 8;
}

std::string memoryFlagNames(std::uint64_t flags) {
  static const std::pair<std::uint64_t, const char*> names[] = {
      {kMemRead, "READ"},
      {kMemWrite, "WRITE"},
      {kMemExecute, "EXECUTE"},
      {kMemDma, "DMA"},
      {kMemIo, "IO"},
      {kMemCommRegion, "COMM_REGION"},
      {kMemLoadable, "LOADABLE"},
      {kMemRootShared, "ROOTSHARED"},
      {kMemNoHugepages, "NO_HUGEPAGES"},
      {kMemColored, "COLORED"},
      {kMemColoredNoCopy, "COLORED_NO_COPY"},
      {kMemTmpRootRemap, "TMP_ROOT_REMAP"},
      {kMemTcmA, "TCM_A"},
      {kMemTcmB, "TCM_B"},
      {kMemIoUnaligned, "IO_UNALIGNED"},
      {kMemIo8, "IO_8"},
      {kMemIo16, "IO_16"},
      {kMemIo32, "IO_32"},
      {kMemIo64, "IO_64"},
  };
  std::string out;
  for (const auto& [bit, name] : names) {
    if (flags & bit) {
      out += std::string(out.empty() ? "" : "|") + name;
      flags &= ~bit;
    }
  }
  if (flags) out += std::string(out.empty() ? "" : "|") + hexString(flags);
  return out.empty() ? "0" : out;
}

}  // namespace phi::jailhouse
