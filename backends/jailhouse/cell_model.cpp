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
// v0.12 has IO_UNALIGNED at 0x100; NO_HUGEPAGES took that bit later and
// IO_UNALIGNED moved to 0x8000.
constexpr std::uint64_t kMemIoUnalignedA12 = 0x0100;
constexpr std::uint64_t kMemFlagsA12 = 0xff | kMemIoUnalignedA12 | kMemIo8 | kMemIo16 | kMemIo32 | kMemIo64;
constexpr std::uint64_t kMemFlagsUpstream = 0x1ff | kMemIoUnaligned | kMemIo8 | kMemIo16 | kMemIo32 | kMemIo64;
constexpr std::uint64_t kMemFlagsB = kMemFlagsUpstream | kMemColored | kMemColoredNoCopy | kMemTmpRootRemap;
constexpr std::uint64_t kMemFlagsC = kMemFlagsB | kMemTcmA | kMemTcmB;

const DialectInfo kDialects[] = {
    {Dialect::A12, "upstream-v0.12", "A12", "JHCELL", 6, 12, false, false, false, true, 132, 32, kCellFlagsA12,
     kMemFlagsA12, 8, "a"},
    {Dialect::A13, "upstream-rev13", "A13", "JHCELL", 6, 13, false, false, false, true, 132, 32, kCellFlagsLater,
     kMemFlagsUpstream, 10, "a"},
    {Dialect::A14, "upstream-rev14", "A14", "JHCLL", 5, 14, true, false, false, true, 132, 32, kCellFlagsLater,
     kMemFlagsUpstream, 10, "a14"},
    {Dialect::B, "runphi-rev13", "B", "JHCELL", 6, 13, false, false, true, false, 136, 40, kCellFlagsLater, kMemFlagsB,
     10, "b"},
    {Dialect::C, "runphi-omnivisor", "C", "JHCLL", 5, 14, true, true, true, false, 140, 40, kCellFlagsLater, kMemFlagsC,
     10, "c"},
    {Dialect::OV, "omnivisor-rev14", "OV", "JHCLL", 5, 14, true, true, true, false, 140, 40, kCellFlagsLater,
     kMemFlagsC, 11, "c"},
};

const std::vector<NamedValue> kCellFlagNamesA12 = {{kCellPassiveCommreg, "PASSIVE_COMMREG"},
                                                   {kCellTestDevice, "TEST_DEVICE"},
                                                   {kCellVirtualConsolePermitted, "VIRTUAL_CONSOLE_PERMITTED"},
                                                   {kCellVirtualConsoleActive, "VIRTUAL_CONSOLE_ACTIVE"}};
const std::vector<NamedValue> kCellFlagNamesLater = {{kCellPassiveCommreg, "PASSIVE_COMMREG"},
                                                     {kCellTestDevice, "TEST_DEVICE"},
                                                     {kCellAarch32, "AARCH32"},
                                                     {kCellVirtualConsolePermitted, "VIRTUAL_CONSOLE_PERMITTED"},
                                                     {kCellVirtualConsoleActive, "VIRTUAL_CONSOLE_ACTIVE"}};

const std::vector<NamedValue> kMemBase = {{kMemRead, "READ"},
                                          {kMemWrite, "WRITE"},
                                          {kMemExecute, "EXECUTE"},
                                          {kMemDma, "DMA"},
                                          {kMemIo, "IO"},
                                          {kMemCommRegion, "COMM_REGION"},
                                          {kMemLoadable, "LOADABLE"},
                                          {kMemRootShared, "ROOTSHARED"}};
const std::vector<NamedValue> kMemWidths = {
    {kMemIo8, "IO_8"}, {kMemIo16, "IO_16"}, {kMemIo32, "IO_32"}, {kMemIo64, "IO_64"}};

std::vector<NamedValue> join(std::initializer_list<std::vector<NamedValue>> parts) {
  std::vector<NamedValue> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

const std::vector<NamedValue> kConsoleTypesA12 = {{0, "NONE"},  {1, "EFIFB"},   {2, "8250"},
                                                  {3, "PL011"}, {4, "XUARTPS"}, {5, "MVEBU"},
                                                  {6, "HSCIF"}, {7, "SCIFA"},   {8, "IMX"}};

}  // namespace

const std::vector<NamedValue>& cellFlagNames(Dialect d) {
  return d == Dialect::A12 ? kCellFlagNamesA12 : kCellFlagNamesLater;
}

const std::vector<NamedValue>& memoryFlagNamesOf(Dialect d) {
  static const std::vector<NamedValue> a12 = join({kMemBase, {{kMemIoUnalignedA12, "IO_UNALIGNED"}}, kMemWidths});
  static const std::vector<NamedValue> upstream =
      join({kMemBase, {{kMemNoHugepages, "NO_HUGEPAGES"}, {kMemIoUnaligned, "IO_UNALIGNED"}}, kMemWidths});
  static const std::vector<NamedValue> b = join({kMemBase,
                                                 {{kMemNoHugepages, "NO_HUGEPAGES"},
                                                  {kMemColored, "COLORED"},
                                                  {kMemColoredNoCopy, "COLORED_NO_COPY"},
                                                  {kMemTmpRootRemap, "TMP_ROOT_REMAP"},
                                                  {kMemIoUnaligned, "IO_UNALIGNED"}},
                                                 kMemWidths});
  static const std::vector<NamedValue> c = join({kMemBase,
                                                 {{kMemNoHugepages, "NO_HUGEPAGES"},
                                                  {kMemColored, "COLORED"},
                                                  {kMemColoredNoCopy, "COLORED_NO_COPY"},
                                                  {kMemTmpRootRemap, "TMP_ROOT_REMAP"},
                                                  {kMemTcmA, "TCM_A"},
                                                  {kMemTcmB, "TCM_B"},
                                                  {kMemIoUnaligned, "IO_UNALIGNED"}},
                                                 kMemWidths});
  switch (d) {
    case Dialect::A12: return a12;
    case Dialect::A13:
    case Dialect::A14: return upstream;
    case Dialect::B: return b;
    case Dialect::C:
    case Dialect::OV: return c;
  }
  return upstream;
}

const std::vector<NamedValue>& consoleTypeNames(Dialect d) {
  static const std::vector<NamedValue> a12 = kConsoleTypesA12;
  static const std::vector<NamedValue> upstream = join({kConsoleTypesA12, {{9, "IMX_LPUART"}, {10, "SCIF"}}});
  static const std::vector<NamedValue> runphi = join({kConsoleTypesA12, {{9, "IMX_LPUART"}, {10, "LINFLEX"}}});
  static const std::vector<NamedValue> fork =
      join({kConsoleTypesA12, {{9, "IMX_LPUART"}, {10, "SCIF"}, {11, "LINFLEX"}}});
  switch (d) {
    case Dialect::A12: return a12;
    case Dialect::A13:
    case Dialect::A14: return upstream;
    case Dialect::B:
    case Dialect::C: return runphi;
    case Dialect::OV: return fork;
  }
  return upstream;
}

const std::vector<NamedValue>& consoleFlagNames() {
  static const std::vector<NamedValue> names = {
      {0x0000, "ACCESS_PIO"},  {0x0001, "ACCESS_MMIO"},  {0x0000, "REGDIST_1"},     {0x0002, "REGDIST_4"},
      {0x0000, "FB_1024x768"}, {0x0004, "FB_1920x1080"}, {0x1000, "INVERTED_GATE"}, {0x2000, "MDR_QUIRK"}};
  return names;
}

const DialectInfo& dialectInfo(Dialect d) {
  for (const DialectInfo& info : kDialects)
    if (info.dialect == d) return info;
  throw Error(ErrorCode::Internal, "unknown Jailhouse dialect");
}

const std::vector<Dialect>& allDialects() {
  static const std::vector<Dialect> all{Dialect::A12, Dialect::A13, Dialect::A14, Dialect::B, Dialect::C, Dialect::OV};
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

std::string memoryFlagNames(std::uint64_t flags, Dialect d) {
  const std::vector<NamedValue>& names = memoryFlagNamesOf(d);
  std::string out;
  for (const auto& [bit, name] : names) {
    if (bit && (flags & bit)) {
      out += std::string(out.empty() ? "" : "|") + name;
      flags &= ~bit;
    }
  }
  if (flags) out += std::string(out.empty() ? "" : "|") + hexString(flags);
  return out.empty() ? "0" : out;
}

}  // namespace phi::jailhouse
