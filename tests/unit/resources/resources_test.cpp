// The partition core's resource accounting: the id and memory pools
// (libphi/resources/id_pool.*, memory_pool.*), the six resource managers, the
// persistent ResourceLedger (flock + atomic writes, checked against forked
// writers), the allocation JSON records, and the rules that turn an OCI spec
// plus a ZIC config into a PartitionRequest (libphi/partition_request.cpp),
// parseCpuList, partitionNameFor and FileLock.
#include <phi/error.hpp>
#include <phi/oci_spec.hpp>
#include <phi/partition.hpp>
#include <phi/platform.hpp>
#include <phi/zic_config.hpp>

#include "lifecycle/partition_name.hpp"
#include "resources/allocation_json.hpp"
#include "resources/id_pool.hpp"
#include "resources/memory_pool.hpp"
#include "resources/resource_ledger.hpp"
#include "resources/resource_manager.hpp"
#include "toolkit/file_lock.hpp"

#include "../test_support.hpp"

#include <gtest/gtest.h>
#include <json/reader.h>
#include <json/value.h>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

using phi::Allocation;
using phi::ErrorCode;
using phi::FreeResources;
using phi::IdPool;
using phi::MemoryPool;
using phi::MemoryRange;
using phi::PartitionRequest;
using phi::PlatformTemplate;
using phi::ResourceLedger;
using phitest::capturePhiError;
using phitest::TempDir;

constexpr std::uint64_t KiB = 1024;
constexpr std::uint64_t MiB = 1024 * KiB;

std::string str(const std::vector<int>& v) {
  std::ostringstream out;
  out << "{";
  for (size_t i = 0; i < v.size(); ++i) out << (i ? "," : "") << v[i];
  out << "}";
  return out.str();
}

std::string str(const std::vector<MemoryRange>& v) {
  std::ostringstream out;
  out << std::hex << "{";
  for (size_t i = 0; i < v.size(); ++i) out << (i ? "," : "") << "[0x" << v[i].start << ",0x" << v[i].end() << ")";
  out << "}";
  return out.str();
}

// The layout of platform-templates/test-board.json, built in code: CPU 0 stays
// with the host, two RAM segments that do not touch, two BDFs, two touching
// shared-memory windows, one RPU.
PlatformTemplate testBoard() {
  PlatformTemplate p;
  p.setName("unit-board");
  p.setDriver("test");
  p.setDialect("test-1");
  p.setArch("x86_64");
  p.setCpuCount(4);
  p.setCpuPool({1, 2, 3});
  p.setMemoryPool({{0x40000000, 0x10000000}, {0x60000000, 0x8000000}});
  p.setPageSize(4096);
  p.setDefaultMemoryBytes(0x4000000);
  p.setPciBdfPool({1, 2});
  p.setCommWindows({{0x7f000000, 0x100000}, {0x7f100000, 0x100000}});
  p.setRpuPool({0});
  return p;
}

// Room for eight partitions with a network link each (the fork test).
PlatformTemplate bigBoard() {
  PlatformTemplate p = testBoard();
  p.setName("big-board");
  p.setCpuCount(12);
  p.setCpuPool({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  p.setPciBdfPool({1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  std::vector<phi::MemoryRange> windows;
  for (std::uint64_t i = 0; i < 10; ++i) windows.push_back({0x7f000000 + i * 0x100000, 0x100000});
  p.setCommWindows(windows);
  return p;
}

PartitionRequest request(unsigned cpus, std::uint64_t memoryBytes, bool network = false, unsigned rpus = 0) {
  PartitionRequest r;
  r.setCpus(cpus);
  r.setRpus(rpus);
  r.setMemoryBytes(memoryBytes);
  r.setNetwork(network);
  return r;
}

FreeResources freeOf(const std::vector<std::unique_ptr<phi::ResourceManager>>& managers) {
  FreeResources out;
  for (const auto& m : managers) m->reportFree(out);
  return out;
}

bool overlaps(const MemoryRange& a, const MemoryRange& b) {
  return a.start < b.end() && b.start < a.end();
}

// =====================================================================
// IdPool
// =====================================================================

TEST(IdPool, TakesTheLowestFreeIdsFirst) {
  IdPool pool("CPUs", {3, 1, 2});
  EXPECT_EQ(pool.freeIds(), (std::vector<int>{1, 2, 3}));  // sorted whatever the input order
  EXPECT_EQ(pool.take(2), (std::vector<int>{1, 2}));
  EXPECT_EQ(pool.freeIds(), (std::vector<int>{3}));
  EXPECT_EQ(pool.take(1), (std::vector<int>{3}));
  EXPECT_TRUE(pool.freeIds().empty());
  EXPECT_EQ(pool.what(), "CPUs");
}

TEST(IdPool, TakingZeroIdsGivesNothingAndKeepsThePool) {
  IdPool pool("RPUs", {0});
  EXPECT_TRUE(pool.take(0).empty());
  EXPECT_EQ(pool.freeIds(), (std::vector<int>{0}));
}

TEST(IdPool, ExhaustionNamesWhatWasAskedAndWhatIsFree) {
  IdPool pool("CPUs", {1, 2, 3});
  phi::Error e = capturePhiError([&] { pool.take(4); });
  EXPECT_EQ(e.code(), ErrorCode::NotFound);
  EXPECT_STREQ(e.what(), "not enough CPUs: asked 4, free 3");
  pool.take(2);
  e = capturePhiError([&] { pool.take(2); });
  EXPECT_STREQ(e.what(), "not enough CPUs: asked 2, free 1");
  // A refused take takes nothing.
  EXPECT_EQ(pool.freeIds(), (std::vector<int>{3}));
}

TEST(IdPool, TheResourceNameComesFromTheConstructor) {
  IdPool pool("PCI BDFs", {});
  EXPECT_STREQ(capturePhiError([&] { pool.take(1); }).what(), "not enough PCI BDFs: asked 1, free 0");
}

TEST(IdPool, GiveBackReturnsIdsInOrderAndTheyAreReusedLowestFirst) {
  IdPool pool("CPUs", {1, 2, 3, 4});
  std::vector<int> a = pool.take(2);  // 1,2
  std::vector<int> b = pool.take(2);  // 3,4
  pool.give({b[1], b[0]});            // any order
  EXPECT_EQ(pool.freeIds(), (std::vector<int>{3, 4}));
  pool.give(a);
  EXPECT_EQ(pool.freeIds(), (std::vector<int>{1, 2, 3, 4}));
  pool.take(1);
  pool.give({1});
  EXPECT_EQ(pool.take(1), (std::vector<int>{1}));
}

TEST(IdPool, DoubleReleaseIsAnInternalError) {
  IdPool pool("CPUs", {1, 2, 3});
  std::vector<int> got = pool.take(1);
  pool.give(got);
  phi::Error e = capturePhiError([&] { pool.give(got); });
  EXPECT_EQ(e.code(), ErrorCode::Internal);
  EXPECT_STREQ(e.what(), "CPUs 1 is released twice");
  // Never taken at all is just as wrong.
  EXPECT_EQ(capturePhiError([&] { pool.give({3}); }).code(), ErrorCode::Internal);
  EXPECT_EQ(pool.freeIds(), (std::vector<int>{1, 2, 3}));
}

TEST(IdPool, TheSameIdTwiceInOneReleaseIsAnInternalError) {
  IdPool pool("CPUs", {1, 2});
  pool.take(2);
  phi::Error e = capturePhiError([&] { pool.give({2, 2}); });
  EXPECT_EQ(e.code(), ErrorCode::Internal);
  EXPECT_CONTAINS(e.what(), "released twice");
}

TEST(IdPool, AForeignIdIsAnInternalError) {
  IdPool pool("CPUs", {1, 2, 3});
  pool.take(3);
  phi::Error e = capturePhiError([&] { pool.give({0}); });  // the host's CPU
  EXPECT_EQ(e.code(), ErrorCode::Internal);
  EXPECT_STREQ(e.what(), "CPUs 0 is not part of the pool");
  EXPECT_EQ(capturePhiError([&] { pool.give({-1}); }).code(), ErrorCode::Internal);
  EXPECT_EQ(capturePhiError([&] { pool.give({42}); }).code(), ErrorCode::Internal);
}

TEST(IdPool, ClaimMarksIdsInUse) {
  IdPool pool("CPUs", {1, 2, 3});
  pool.claim({2});
  EXPECT_EQ(pool.freeIds(), (std::vector<int>{1, 3}));
  EXPECT_EQ(pool.take(2), (std::vector<int>{1, 3}));
  pool.give({2});
  EXPECT_EQ(pool.freeIds(), (std::vector<int>{2}));
}

TEST(IdPool, ClaimConflictsAreInternalErrors) {
  IdPool pool("CPUs", {1, 2, 3});
  pool.claim({2});
  phi::Error e = capturePhiError([&] { pool.claim({2}); });
  EXPECT_EQ(e.code(), ErrorCode::Internal);
  EXPECT_STREQ(e.what(), "CPUs 2 is given to two containers or unknown");
  // Unknown ids cannot be claimed either.
  EXPECT_EQ(capturePhiError([&] { pool.claim({7}); }).code(), ErrorCode::Internal);
  // The same id twice within one record.
  IdPool other("CPUs", {1, 2, 3});
  EXPECT_EQ(capturePhiError([&] { other.claim({3, 3}); }).code(), ErrorCode::Internal);
}

TEST(IdPool, WithheldIdsAreSkippedButNotTaken) {
  IdPool pool("CPUs", {1, 2, 3});
  pool.claim({3});
  // 3 is in use already, 0 and 9 are not the pool's: only 1 is withheld.
  pool.withhold({0, 1, 3, 9}, "held elsewhere");
  EXPECT_EQ(pool.freeIds(), (std::vector<int>{2}));
  phi::Error e = capturePhiError([&] { pool.take(2); });
  EXPECT_EQ(e.code(), ErrorCode::NotFound);
  EXPECT_STREQ(e.what(), "not enough CPUs: asked 2, free 1 (1 held elsewhere)");
  EXPECT_EQ(pool.take(1), (std::vector<int>{2}));
  // Withholding nothing leaves the message as it was.
  IdPool plain("CPUs", {1});
  plain.withhold({}, "held elsewhere");
  EXPECT_STREQ(capturePhiError([&] { plain.take(2); }).what(), "not enough CPUs: asked 2, free 1");
}

TEST(IdPool, JoinIdsForMessages) {
  EXPECT_EQ(phi::joinIds({}), "");
  EXPECT_EQ(phi::joinIds({1}), "1");
  EXPECT_EQ(phi::joinIds({1, 3, 4}), "1,3,4");
}

// =====================================================================
// MemoryPool
// =====================================================================

TEST(MemoryPool, FirstFitFromTheLowestAddress) {
  MemoryPool pool("memory", {{0x10000, 0x10000}}, 0x1000);
  EXPECT_EQ(pool.take(0x1000), (MemoryRange{0x10000, 0x1000}));
  EXPECT_EQ(pool.take(0x2000), (MemoryRange{0x11000, 0x2000}));
  EXPECT_EQ(pool.freeRanges(), (std::vector<MemoryRange>{{0x13000, 0xd000}}));
  EXPECT_EQ(pool.freeBytes(), 0xd000u);
}

TEST(MemoryPool, RangesAreSortedWhateverTheInputOrder) {
  MemoryPool pool("memory", {{0x30000, 0x1000}, {0x10000, 0x1000}}, 0x1000);
  EXPECT_EQ(pool.freeRanges(), (std::vector<MemoryRange>{{0x10000, 0x1000}, {0x30000, 0x1000}}));
  EXPECT_EQ(pool.take(0x1000).start, 0x10000u);
}

TEST(MemoryPool, StartsAreAligned) {
  // An unaligned segment start: the first aligned address inside it is used.
  MemoryPool pool("memory", {{0x10800, 0x10000}}, 0x1000);
  EXPECT_EQ(pool.take(0x1000), (MemoryRange{0x11000, 0x1000}));
  EXPECT_EQ(pool.freeRanges(), (std::vector<MemoryRange>{{0x10800, 0x800}, {0x12000, 0xe800}}));

  // A size that is not a multiple of the alignment leaves a hole before the
  // next aligned start.
  MemoryPool small("memory", {{0x10000, 0x4000}}, 0x1000);
  EXPECT_EQ(small.take(0x800), (MemoryRange{0x10000, 0x800}));
  EXPECT_EQ(small.take(0x1000), (MemoryRange{0x11000, 0x1000}));
  EXPECT_EQ(small.freeRanges(), (std::vector<MemoryRange>{{0x10800, 0x800}, {0x12000, 0x2000}}));
  for (const MemoryRange& r : {small.take(0x1000)}) EXPECT_EQ(r.start % 0x1000, 0u);
}

TEST(MemoryPool, ARangeTooSmallOnceAlignedIsSkipped) {
  // [0x10800, 0x11800) holds 0x1000 bytes, but not at a 0x1000 boundary.
  MemoryPool pool("memory", {{0x10800, 0x1000}, {0x20000, 0x1000}}, 0x1000);
  EXPECT_EQ(pool.take(0x1000), (MemoryRange{0x20000, 0x1000}));
}

TEST(MemoryPool, ZeroAlignmentMeansByteAlignment) {
  MemoryPool pool("windows", {{0x10001, 0x10}}, 0);
  EXPECT_EQ(pool.take(0x8), (MemoryRange{0x10001, 0x8}));
}

TEST(MemoryPool, ExhaustionNamesAskedLargestAndTotal) {
  MemoryPool pool("memory", {{0x10000, 0x4000}, {0x20000, 0x2000}}, 0x1000);
  phi::Error e = capturePhiError([&] { pool.take(0x5000); });
  EXPECT_EQ(e.code(), ErrorCode::NotFound);
  EXPECT_STREQ(e.what(), "not enough memory: asked 20480 bytes, largest free 16384 bytes (total free 24576)");
  // Nothing was taken.
  EXPECT_EQ(pool.freeBytes(), 0x6000u);
  EXPECT_EQ(pool.freeRanges().size(), 2u);
}

TEST(MemoryPool, LargestFreeCountsOnlyAlignedBytes) {
  MemoryPool pool("memory", {{0x10800, 0x1800}}, 0x1000);  // aligned part: [0x11000, 0x12000)
  phi::Error e = capturePhiError([&] { pool.take(0x2000); });
  EXPECT_STREQ(e.what(), "not enough memory: asked 8192 bytes, largest free 4096 bytes (total free 6144)");
}

TEST(MemoryPool, FragmentationBiggerRequestGoesElsewhereFittingOneUsesTheHole) {
  MemoryPool pool("memory", {{0x10000, 0x10000}}, 0x1000);
  MemoryRange a = pool.take(0x1000);
  MemoryRange b = pool.take(0x2000);
  MemoryRange c = pool.take(0x1000);
  EXPECT_EQ(a.start, 0x10000u);
  EXPECT_EQ(b.start, 0x11000u);
  EXPECT_EQ(c.start, 0x13000u);
  pool.give(b);
  EXPECT_EQ(pool.freeRanges(), (std::vector<MemoryRange>{{0x11000, 0x2000}, {0x14000, 0xc000}}));

  MemoryRange big = pool.take(0x3000);  // does not fit in B's hole
  EXPECT_EQ(big, (MemoryRange{0x14000, 0x3000}));
  MemoryRange fits = pool.take(0x2000);  // exactly B's hole
  EXPECT_EQ(fits, b);
  EXPECT_EQ(pool.freeRanges(), (std::vector<MemoryRange>{{0x17000, 0x9000}}));
}

TEST(MemoryPool, ASmallerRequestUsesTheStartOfTheHole) {
  MemoryPool pool("memory", {{0x10000, 0x10000}}, 0x1000);
  pool.take(0x1000);
  MemoryRange b = pool.take(0x3000);
  pool.take(0x1000);
  pool.give(b);
  EXPECT_EQ(pool.take(0x1000), (MemoryRange{0x11000, 0x1000}));
  EXPECT_EQ(pool.freeRanges(), (std::vector<MemoryRange>{{0x12000, 0x2000}, {0x15000, 0xb000}}));
}

TEST(MemoryPool, ReleaseGivesBackExactlyTheRange) {
  MemoryPool pool("memory", {{0x10000, 0x10000}}, 0x1000);
  MemoryRange a = pool.take(0x1000);
  MemoryRange b = pool.take(0x2000);
  pool.take(0x1000);
  pool.give(b);
  EXPECT_EQ(pool.freeBytes(), 0xc000u + 0x2000u);
  EXPECT_EQ(pool.freeRanges(), (std::vector<MemoryRange>{{0x11000, 0x2000}, {0x14000, 0xc000}}));
  pool.give(a);
  EXPECT_EQ(pool.freeRanges(), (std::vector<MemoryRange>{{0x10000, 0x3000}, {0x14000, 0xc000}}));
}

TEST(MemoryPool, DoubleOrPartlyFreeReleaseIsAnInternalError) {
  MemoryPool pool("memory", {{0x10000, 0x10000}}, 0x1000);
  MemoryRange a = pool.take(0x2000);
  pool.give(a);
  phi::Error e = capturePhiError([&] { pool.give(a); });
  EXPECT_EQ(e.code(), ErrorCode::Internal);
  EXPECT_STREQ(e.what(), "memory [0x10000, 0x12000) is released twice");
  // Half of it free, half of it taken.
  MemoryRange first = pool.take(0x1000);
  EXPECT_EQ(first.start, 0x10000u);
  EXPECT_EQ(capturePhiError([&] { pool.give({0x10000, 0x2000}); }).code(), ErrorCode::Internal);
  EXPECT_EQ(pool.freeRanges(), (std::vector<MemoryRange>{{0x11000, 0xf000}}));
}

TEST(MemoryPool, ForeignEmptyOrWrappingReleaseIsAnInternalError) {
  MemoryPool pool("memory", {{0x10000, 0x10000}}, 0x1000);
  pool.take(0x10000);
  phi::Error e = capturePhiError([&] { pool.give({0x30000, 0x1000}); });
  EXPECT_EQ(e.code(), ErrorCode::Internal);
  EXPECT_STREQ(e.what(), "memory [0x30000, 0x31000) is not part of the pool");
  // Sticks out of the segment.
  EXPECT_EQ(capturePhiError([&] { pool.give({0x1f000, 0x2000}); }).code(), ErrorCode::Internal);
  EXPECT_EQ(capturePhiError([&] { pool.give({0x10000, 0}); }).code(), ErrorCode::Internal);
  EXPECT_EQ(capturePhiError([&] { pool.give({0x10000, UINT64_MAX}); }).code(), ErrorCode::Internal);
  EXPECT_TRUE(pool.freeRanges().empty());
}

TEST(MemoryPool, ReleaseMergesWithBothNeighbours) {
  MemoryPool pool("memory", {{0x10000, 0x4000}}, 0x1000);
  MemoryRange a = pool.take(0x1000), b = pool.take(0x2000), c = pool.take(0x1000);
  EXPECT_TRUE(pool.freeRanges().empty());
  pool.give(a);
  pool.give(c);
  EXPECT_EQ(pool.freeRanges(), (std::vector<MemoryRange>{a, c}));
  pool.give(b);  // touches both
  EXPECT_EQ(pool.freeRanges(), (std::vector<MemoryRange>{{0x10000, 0x4000}}));
}

TEST(MemoryPool, ReleaseMergesWithOneNeighbour) {
  MemoryPool pool("memory", {{0x10000, 0x4000}}, 0x1000);
  MemoryRange a = pool.take(0x1000), b = pool.take(0x1000), c = pool.take(0x1000), d = pool.take(0x1000);
  pool.give(a);
  pool.give(b);  // previous neighbour only
  EXPECT_EQ(pool.freeRanges(), (std::vector<MemoryRange>{{0x10000, 0x2000}}));
  pool.give(d);
  pool.give(c);  // next neighbour (d) and previous (a+b)
  EXPECT_EQ(pool.freeRanges(), (std::vector<MemoryRange>{{0x10000, 0x4000}}));

  MemoryPool other("memory", {{0x10000, 0x3000}}, 0x1000);
  MemoryRange x = other.take(0x1000), y = other.take(0x1000), z = other.take(0x1000);
  other.give(z);
  other.give(y);  // next neighbour only
  EXPECT_EQ(other.freeRanges(), (std::vector<MemoryRange>{{0x11000, 0x2000}}));
  other.give(x);
  EXPECT_EQ(other.freeRanges(), (std::vector<MemoryRange>{{0x10000, 0x3000}}));
}

TEST(MemoryPool, SeparateSegmentsThatDoNotTouchNeverMerge) {
  MemoryPool pool("memory", {{0x10000, 0x1000}, {0x12000, 0x1000}}, 0x1000);
  EXPECT_EQ(pool.freeRanges().size(), 2u);
  MemoryRange a = pool.take(0x1000), b = pool.take(0x1000);
  EXPECT_EQ(a.start, 0x10000u);
  EXPECT_EQ(b.start, 0x12000u);
  pool.give(a);
  pool.give(b);
  EXPECT_EQ(pool.freeRanges(), (std::vector<MemoryRange>{{0x10000, 0x1000}, {0x12000, 0x1000}}));
  // No allocation may span the gap.
  phi::Error e = capturePhiError([&] { pool.take(0x2000); });
  EXPECT_CONTAINS(e.what(), "largest free 4096 bytes (total free 8192)");
}

TEST(MemoryPool, SegmentsThatTouchMerge) {
  MemoryPool pool("memory", {{0x11000, 0x1000}, {0x10000, 0x1000}}, 0x1000);
  EXPECT_EQ(pool.freeRanges(), (std::vector<MemoryRange>{{0x10000, 0x2000}}));
  MemoryRange a = pool.take(0x1000), b = pool.take(0x1000);
  pool.give(b);
  pool.give(a);  // merges across the original boundary
  EXPECT_EQ(pool.freeRanges(), (std::vector<MemoryRange>{{0x10000, 0x2000}}));
  // One request may use both (the RAM is contiguous).
  EXPECT_EQ(pool.take(0x2000), (MemoryRange{0x10000, 0x2000}));
}

TEST(MemoryPool, ARangeSpanningTwoTouchingSegmentsCanBeGivenBack) {
  MemoryPool pool("memory", {{0x10000, 0x1000}, {0x11000, 0x1000}}, 0x1000);
  MemoryRange both = pool.take(0x2000);
  ASSERT_EQ(both, (MemoryRange{0x10000, 0x2000}));
  try {
    pool.give(both);
  } catch (const phi::Error& e) {
    FAIL() << "MemoryPool::give rejects a range that take() handed out across two touching "
              "segments: "
           << e.what();
  }
  EXPECT_EQ(pool.freeRanges(), (std::vector<MemoryRange>{{0x10000, 0x2000}}));
}

TEST(MemoryPool, ClaimSplitsAFreeRange) {
  MemoryPool pool("memory", {{0x10000, 0x4000}}, 0x1000);
  pool.claim({0x11000, 0x1000});
  EXPECT_EQ(pool.freeRanges(), (std::vector<MemoryRange>{{0x10000, 0x1000}, {0x12000, 0x2000}}));
  pool.claim({0x10000, 0x1000});
  pool.claim({0x13000, 0x1000});
  EXPECT_EQ(pool.freeRanges(), (std::vector<MemoryRange>{{0x12000, 0x1000}}));
  pool.give({0x11000, 0x1000});
  EXPECT_EQ(pool.freeRanges(), (std::vector<MemoryRange>{{0x11000, 0x2000}}));
}

TEST(MemoryPool, ClaimConflictsAreInternalErrors) {
  MemoryPool pool("memory", {{0x10000, 0x4000}}, 0x1000);
  pool.claim({0x11000, 0x2000});
  phi::Error e = capturePhiError([&] { pool.claim({0x12000, 0x1000}); });
  EXPECT_EQ(e.code(), ErrorCode::Internal);
  EXPECT_STREQ(e.what(), "memory [0x12000, 0x13000) is given to two containers or unknown");
  EXPECT_EQ(capturePhiError([&] { pool.claim({0x10800, 0x1000}); }).code(), ErrorCode::Internal);  // overlaps
  EXPECT_EQ(capturePhiError([&] { pool.claim({0x50000, 0x1000}); }).code(), ErrorCode::Internal);  // foreign
  EXPECT_EQ(capturePhiError([&] { pool.claim({0x10000, 0}); }).code(), ErrorCode::Internal);       // empty
  EXPECT_EQ(pool.freeRanges(), (std::vector<MemoryRange>{{0x10000, 0x1000}, {0x13000, 0x1000}}));
}

TEST(MemoryPool, ClaimOfAWrappingRangeIsAnInternalError) {
  // A corrupted ledger record whose start + size wraps around 2^64: its end()
  // lands inside the free range, so a plain "contains" check is fooled.
  MemoryPool pool("memory", {{0x10000, 0x4000}}, 0x1000);
  const std::vector<MemoryRange> before = pool.freeRanges();
  try {
    pool.claim({0x11000, UINT64_MAX - 0x1000});
  } catch (const phi::Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::Internal);
    EXPECT_EQ(pool.freeRanges(), before);
    return;
  }
  FAIL() << "MemoryPool::claim accepts {start 0x11000, size 2^64-0x1001} (end() wraps to 0xffff, "
            "inside the free range); free list is now "
         << str(pool.freeRanges());
}

TEST(MemoryPool, TakeWholeHandsOutOriginalRangesInAddressOrder) {
  MemoryPool pool("shared-memory windows", {{0x7f100000, 0x100000}, {0x7f000000, 0x100000}}, 1);
  EXPECT_EQ(pool.freeRanges().size(), 1u);  // the two windows touch
  EXPECT_EQ(pool.wholeRangesFree(), 2u);
  EXPECT_EQ(pool.takeWhole(), (MemoryRange{0x7f000000, 0x100000}));
  EXPECT_EQ(pool.wholeRangesFree(), 1u);
  EXPECT_EQ(pool.takeWhole(), (MemoryRange{0x7f100000, 0x100000}));
  EXPECT_EQ(pool.wholeRangesFree(), 0u);
  phi::Error e = capturePhiError([&] { pool.takeWhole(); });
  EXPECT_EQ(e.code(), ErrorCode::NotFound);
  EXPECT_CONTAINS(e.what(), "not enough shared-memory windows");
  pool.give({0x7f100000, 0x100000});
  EXPECT_EQ(pool.wholeRangesFree(), 1u);
  EXPECT_EQ(pool.takeWhole(), (MemoryRange{0x7f100000, 0x100000}));
  pool.give({0x7f000000, 0x100000});
  pool.give({0x7f100000, 0x100000});
  EXPECT_EQ(pool.freeRanges(), (std::vector<MemoryRange>{{0x7f000000, 0x200000}}));
  EXPECT_EQ(pool.wholeRangesFree(), 2u);
}

TEST(MemoryPool, APartlyUsedRangeIsNotWhollyFree) {
  MemoryPool pool("windows", {{0x10000, 0x2000}, {0x20000, 0x2000}}, 0x1000);
  pool.take(0x1000);  // a piece of the first
  EXPECT_EQ(pool.wholeRangesFree(), 1u);
  EXPECT_EQ(pool.takeWhole(), (MemoryRange{0x20000, 0x2000}));
  EXPECT_EQ(pool.wholeRangesFree(), 0u);
  EXPECT_EQ(capturePhiError([&] { pool.takeWhole(); }).code(), ErrorCode::NotFound);
}

// =====================================================================
// The resource managers
// =====================================================================

TEST(ResourceManagers, AllSixInAllocationOrder) {
  auto managers = phi::makeResourceManagers(testBoard());
  std::vector<std::string> names;
  for (const auto& m : managers) names.push_back(m->name());
  EXPECT_EQ(names, (std::vector<std::string>{"cpu", "rpu", "memory", "device", "communication", "network"}));
}

TEST(ResourceManagers, InitialFreeIsThePlatformsPools) {
  PlatformTemplate p = testBoard();
  FreeResources f = freeOf(phi::makeResourceManagers(p));
  EXPECT_EQ(f.cpus, p.cpuPool());
  EXPECT_EQ(f.rpus, p.rpuPool());
  EXPECT_EQ(f.pciBdfs, p.pciBdfPool());
  EXPECT_EQ(f.memory, p.memoryPool());
  EXPECT_EQ(f.commWindows, (std::vector<MemoryRange>{{0x7f000000, 0x200000}}));  // touching windows, merged
}

TEST(ResourceManagers, EachAllocatesItsPartAndReleasesExactly) {
  auto managers = phi::makeResourceManagers(testBoard());
  const FreeResources initial = freeOf(managers);
  Allocation a;
  for (auto& m : managers) m->allocate(request(2, 0x4000000, true), "owner-a", a);
  EXPECT_EQ(a.cpus(), (std::vector<int>{1, 2}));
  EXPECT_TRUE(a.rpus().empty());
  EXPECT_EQ(a.memory(), (std::vector<MemoryRange>{{0x40000000, 0x4000000}}));
  EXPECT_EQ(a.pciBdfs(), (std::vector<int>{1}));
  EXPECT_EQ(a.commWindows(), (std::vector<MemoryRange>{{0x7f000000, 0x100000}}));
  EXPECT_TRUE(std::regex_match(a.macAddress(), std::regex("02(:[0-9a-f]{2}){5}"))) << a.macAddress();

  FreeResources mid = freeOf(managers);
  EXPECT_EQ(mid.cpus, (std::vector<int>{3}));
  EXPECT_EQ(mid.memory, (std::vector<MemoryRange>{{0x44000000, 0xc000000}, {0x60000000, 0x8000000}}));
  EXPECT_EQ(mid.pciBdfs, (std::vector<int>{2}));
  EXPECT_EQ(mid.commWindows, (std::vector<MemoryRange>{{0x7f100000, 0x100000}}));

  for (auto& m : managers) m->release(a);
  EXPECT_EQ(freeOf(managers), initial);
}

TEST(ResourceManagers, CpuManager) {
  auto m = phi::makeCpuManager(testBoard());
  Allocation a, b;
  m->allocate(request(1, 0), "a", a);
  m->allocate(request(2, 0), "b", b);
  EXPECT_EQ(a.cpus(), (std::vector<int>{1}));
  EXPECT_EQ(b.cpus(), (std::vector<int>{2, 3}));
  Allocation c;
  phi::Error e = capturePhiError([&] { m->allocate(request(1, 0), "c", c); });
  EXPECT_STREQ(e.what(), "not enough CPUs: asked 1, free 0");
  m->release(a);
  FreeResources f;
  m->reportFree(f);
  EXPECT_EQ(f.cpus, (std::vector<int>{1}));
  EXPECT_EQ(capturePhiError([&] { m->release(a); }).code(), ErrorCode::Internal);
  m->claim(a);
  m->reportFree(f);
  EXPECT_TRUE(f.cpus.empty());
}

TEST(ResourceManagers, RpuManager) {
  auto m = phi::makeRpuManager(testBoard());
  Allocation none, one, two;
  m->allocate(request(1, 0), "a", none);
  EXPECT_TRUE(none.rpus().empty());
  m->allocate(request(0, 0, false, 1), "b", one);
  EXPECT_EQ(one.rpus(), (std::vector<int>{0}));
  EXPECT_STREQ(capturePhiError([&] { m->allocate(request(0, 0, false, 1), "c", two); }).what(),
               "not enough RPUs: asked 1, free 0");
  m->release(one);
  FreeResources f;
  m->reportFree(f);
  EXPECT_EQ(f.rpus, (std::vector<int>{0}));
}

TEST(ResourceManagers, MemoryManagerIsPageAlignedFirstFit) {
  PlatformTemplate p = testBoard();
  p.setMemoryPool({{0x40000800, 0x10000}});  // unaligned start: the manager aligns to the page size
  auto m = phi::makeMemoryManager(p);
  Allocation a;
  m->allocate(request(1, 0x2000), "a", a);
  EXPECT_EQ(a.memory(), (std::vector<MemoryRange>{{0x40001000, 0x2000}}));
  Allocation big;
  phi::Error e = capturePhiError([&] { m->allocate(request(1, 0x100000), "b", big); });
  EXPECT_EQ(e.code(), ErrorCode::NotFound);
  EXPECT_CONTAINS(e.what(), "not enough memory: asked 1048576 bytes");
  m->release(a);
  FreeResources f;
  m->reportFree(f);
  EXPECT_EQ(f.memory, p.memoryPool());
}

TEST(ResourceManagers, MemoryManagerUsesTheSecondSegmentWhenTheFirstIsFull) {
  auto m = phi::makeMemoryManager(testBoard());
  Allocation a, b;
  m->allocate(request(1, 0xc000000), "a", a);
  m->allocate(request(1, 0x6000000), "b", b);  // 96 MiB: only 64 MiB left in the first segment
  EXPECT_EQ(b.memory(), (std::vector<MemoryRange>{{0x60000000, 0x6000000}}));
  m->release(a);
  m->release(b);
  FreeResources f;
  m->reportFree(f);
  EXPECT_EQ(f.memory, testBoard().memoryPool());
}

TEST(ResourceManagers, DeviceManagerGivesOneBdfPerLink) {
  auto m = phi::makeDeviceManager(testBoard());
  Allocation none, a, b, c;
  m->allocate(request(1, 0), "none", none);
  EXPECT_TRUE(none.pciBdfs().empty());
  m->allocate(request(1, 0, true), "a", a);
  PartitionRequest withChannel = request(1, 0, false);
  withChannel.setCommChannels(1);
  m->allocate(withChannel, "b", b);
  EXPECT_EQ(a.pciBdfs(), (std::vector<int>{1}));
  EXPECT_EQ(b.pciBdfs(), (std::vector<int>{2}));
  EXPECT_STREQ(capturePhiError([&] { m->allocate(request(1, 0, true), "c", c); }).what(),
               "not enough PCI BDFs: asked 1, free 0");
  m->release(a);
  m->release(b);
  FreeResources f;
  m->reportFree(f);
  EXPECT_EQ(f.pciBdfs, (std::vector<int>{1, 2}));
}

TEST(ResourceManagers, CommunicationManagerGivesWholeWindows) {
  auto m = phi::makeCommunicationManager(testBoard());
  Allocation none, a, b;
  m->allocate(request(1, 0), "none", none);
  EXPECT_TRUE(none.commWindows().empty());
  m->allocate(request(1, 0, true), "a", a);
  EXPECT_EQ(a.commWindows(), (std::vector<MemoryRange>{{0x7f000000, 0x100000}}));
  PartitionRequest three = request(1, 0, true);
  three.setCommChannels(2);
  phi::Error e = capturePhiError([&] { m->allocate(three, "b", b); });
  EXPECT_EQ(e.code(), ErrorCode::NotFound);
  EXPECT_STREQ(e.what(), "not enough shared-memory windows: asked 3, free 1");
  EXPECT_TRUE(b.commWindows().empty());
  m->release(a);
  FreeResources f;
  m->reportFree(f);
  EXPECT_EQ(f.commWindows, (std::vector<MemoryRange>{{0x7f000000, 0x200000}}));
  PartitionRequest two = request(1, 0, true);
  two.setCommChannels(1);
  m->allocate(two, "c", b);
  EXPECT_EQ(b.commWindows(), (std::vector<MemoryRange>{{0x7f000000, 0x100000}, {0x7f100000, 0x100000}}));
}

TEST(ResourceManagers, NetworkManagerGivesUniqueLocallyAdministeredMacs) {
  auto m = phi::makeNetworkManager(testBoard());
  Allocation none, a, again, other;
  m->allocate(request(1, 0), "none", none);
  EXPECT_TRUE(none.macAddress().empty());
  m->allocate(request(1, 0, true), "owner-a", a);
  EXPECT_TRUE(std::regex_match(a.macAddress(), std::regex("02(:[0-9a-f]{2}){5}"))) << a.macAddress();

  // Derived from the owner: the same owner gets the same MAC in a fresh manager.
  auto fresh = phi::makeNetworkManager(testBoard());
  Allocation same;
  fresh->allocate(request(1, 0, true), "owner-a", same);
  EXPECT_EQ(same.macAddress(), a.macAddress());

  // ... but never one that is in use.
  m->allocate(request(1, 0, true), "owner-a", again);
  EXPECT_NE(again.macAddress(), a.macAddress());
  m->allocate(request(1, 0, true), "owner-b", other);
  EXPECT_NE(other.macAddress(), a.macAddress());
  EXPECT_NE(other.macAddress(), again.macAddress());

  // Released MACs can be handed out again; claims of a MAC in use conflict.
  m->release(a);
  Allocation reused;
  m->allocate(request(1, 0, true), "owner-a", reused);
  EXPECT_EQ(reused.macAddress(), a.macAddress());
  phi::Error e = capturePhiError([&] { m->claim(other); });
  EXPECT_EQ(e.code(), ErrorCode::Internal);
  EXPECT_CONTAINS(e.what(), other.macAddress());
}

// =====================================================================
// Allocation records as JSON
// =====================================================================

TEST(AllocationJson, RoundTrip) {
  Allocation a;
  a.setCpus({1, 3});
  a.setMemory({{0x40000000, 0x4000000}, {0xffffffff000, 0x1000}});
  a.setRpus({0});
  a.setPciBdfs({2});
  a.setCommWindows({{0x7f100000, 0x100000}});
  a.setMacAddress("02:01:02:03:04:05");
  Json::Value j = phi::allocationToJson(a);
  EXPECT_EQ(phi::allocationFromJson(j, "x"), a);
  EXPECT_EQ(j["memory"][1]["start"].asUInt64(), 0xffffffff000u);
  EXPECT_EQ(phi::allocationFromJson(phi::allocationToJson(Allocation{}), "x"), Allocation{});
  // Missing keys are empty.
  EXPECT_EQ(phi::allocationFromJson(Json::Value(Json::objectValue), "x"), Allocation{});
}

TEST(AllocationJson, MalformedRecordsNameTheOriginAndKey) {
  auto parse = [](const std::string& text) {
    Json::Value v;
    Json::CharReaderBuilder b;
    std::string errs;
    std::istringstream in(text);
    EXPECT_TRUE(Json::parseFromStream(b, in, &v, &errs)) << errs;
    return v;
  };
  for (const auto& [text, key] : std::vector<std::pair<std::string, std::string>>{
           {R"({"cpus": 1})", "cpus"},
           {R"({"cpus": ["1"]})", "cpus"},
           {R"({"memory": [{"start": 1}]})", "memory"},
           {R"({"memory": [{"start": -1, "size": 4096}]})", "memory"},
           {R"({"comm_windows": [1]})", "comm_windows"},
           {R"({"mac": 5})", "mac"},
       }) {
    phi::Error e = capturePhiError([&] { phi::allocationFromJson(parse(text), "ledger.json (owner)"); });
    EXPECT_EQ(e.code(), ErrorCode::ParseError) << text;
    EXPECT_CONTAINS(e.what(), "ledger.json (owner)");
    EXPECT_CONTAINS(e.what(), "\"" + key + "\"");
  }
  EXPECT_EQ(capturePhiError([&] { phi::allocationFromJson(Json::Value(3), "o"); }).code(), ErrorCode::ParseError);
}

// =====================================================================
// ResourceLedger
// =====================================================================

class Ledger : public ::testing::Test {
 protected:
  TempDir tmp;
  std::string root = tmp / "state";
  ResourceLedger ledger{root, testBoard()};
  FreeResources initial = freeOf(phi::makeResourceManagers(testBoard()));
};

TEST_F(Ledger, AnEmptyLedgerHasEverythingFree) {
  ASSERT_EQ(::mkdir(root.c_str(), 0700), 0);
  EXPECT_TRUE(ledger.allocations().empty());
  EXPECT_FALSE(ledger.find("nobody").has_value());
  EXPECT_EQ(ledger.freeResources(), initial);
  EXPECT_EQ(ledger.path(), root + "/resources/unit-board.json");
}

TEST_F(Ledger, QueriesBeforeTheStateRootExists) {
  // A fresh machine: nothing has created the state root yet.
  try {
    EXPECT_FALSE(ledger.find("nobody").has_value());
    EXPECT_EQ(ledger.freeResources(), initial);
  } catch (const phi::Error& e) {
    FAIL() << "ResourceLedger::find/allocations/freeResources throw when the state root does not "
              "exist yet (allocate creates it): "
           << e.what();
  }
}

TEST_F(Ledger, AllocateRecordsAndPersists) {
  Allocation a = ledger.allocate("root/a", request(2, 0x4000000, true));
  EXPECT_EQ(a.cpus(), (std::vector<int>{1, 2}));
  EXPECT_EQ(a.memory(), (std::vector<MemoryRange>{{0x40000000, 0x4000000}}));
  EXPECT_EQ(a.pciBdfs(), (std::vector<int>{1}));
  EXPECT_EQ(a.commWindows(), (std::vector<MemoryRange>{{0x7f000000, 0x100000}}));
  EXPECT_FALSE(a.macAddress().empty());
  ASSERT_TRUE(ledger.find("root/a").has_value());
  EXPECT_EQ(*ledger.find("root/a"), a);
  EXPECT_TRUE(phitest::exists(ledger.path()));
  EXPECT_EQ(phitest::modeOf(root + "/resources"), 0700u);

  FreeResources f = ledger.freeResources();
  EXPECT_EQ(f.cpus, (std::vector<int>{3}));
  EXPECT_EQ(f.pciBdfs, (std::vector<int>{2}));

  // The next one gets what is left.
  Allocation b = ledger.allocate("root/b", request(1, 0x1000000));
  EXPECT_EQ(b.cpus(), (std::vector<int>{3}));
  EXPECT_EQ(b.memory(), (std::vector<MemoryRange>{{0x44000000, 0x1000000}}));
  EXPECT_EQ(ledger.allocations().size(), 2u);
}

TEST_F(Ledger, PersistedFileRoundTrip) {
  Allocation a = ledger.allocate("root/a", request(1, 0x4000000, true));
  Allocation b = ledger.allocate("root/b", request(0, 0x100000, false, 1));
  // A second ledger object (another runphi process) reads the same records.
  ResourceLedger again(root, testBoard());
  std::map<std::string, Allocation> records = again.allocations();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records.at("root/a"), a);
  EXPECT_EQ(records.at("root/b"), b);
  EXPECT_EQ(again.freeResources(), ledger.freeResources());

  // The file: the platform's name and one record per owner, no free lists.
  Json::Value v;
  Json::CharReaderBuilder builder;
  std::string errs;
  std::istringstream in(phitest::readFile(ledger.path()));
  ASSERT_TRUE(Json::parseFromStream(builder, in, &v, &errs)) << errs;
  EXPECT_EQ(v["platform"].asString(), "unit-board");
  EXPECT_EQ(v["allocations"].getMemberNames(), (std::vector<std::string>{"root/a", "root/b"}));
  EXPECT_EQ(phi::allocationFromJson(v["allocations"]["root/b"], "file"), b);
  EXPECT_EQ(v.getMemberNames(), (std::vector<std::string>{"allocations", "partition_names", "platform"}));
}

TEST_F(Ledger, PartitionNamesAreReservedUniquely) {
  // Both owners' first candidate is the same name: the second gets its next one.
  auto candidates = [](const std::string& owner) {
    return [owner](unsigned attempt) {
      return attempt == 0 ? std::string("phi-same") : "phi-" + owner + std::to_string(attempt);
    };
  };
  std::string first, second;
  phi::LedgerClaim a;
  a.partitionName = candidates("a");
  a.reservedName = &first;
  ledger.allocate("root/a", request(1, 0x1000000), {}, a);
  phi::LedgerClaim b;
  b.partitionName = candidates("b");
  b.reservedName = &second;
  ledger.allocate("root/b", request(1, 0x1000000), {}, b);
  EXPECT_EQ(first, "phi-same");
  EXPECT_EQ(second, "phi-b1");
  EXPECT_EQ(ledger.partitionName("root/a"), "phi-same");
  EXPECT_EQ(ledger.partitionName("root/b"), "phi-b1");
  // Released, the name is free again.
  ledger.release("root/a");
  EXPECT_EQ(ledger.partitionName("root/a"), "");
  std::string third;
  phi::LedgerClaim c;
  c.partitionName = candidates("c");
  c.reservedName = &third;
  ledger.allocate("root/c", request(1, 0x1000000), {}, c);
  EXPECT_EQ(third, "phi-same");
}

TEST_F(Ledger, RecordsOfGoneOwnersAreDroppedAtTheNextAllocation) {
  ledger.allocate("root/gone", request(3, 0x1000000));
  EXPECT_THROW(ledger.allocate("root/new", request(1, 0x1000000)), phi::Error);
  phi::LedgerClaim claim;
  claim.ownerGone = [](const std::string& owner) { return owner == "root/gone"; };
  Allocation a = ledger.allocate("root/new", request(1, 0x1000000), {}, claim);
  EXPECT_EQ(a.cpus().size(), 1u);
  EXPECT_FALSE(ledger.find("root/gone").has_value());
}

TEST_F(Ledger, AllOrNothingWhenMemoryDoesNotFit) {
  Allocation a = ledger.allocate("root/a", request(1, 0x1000000));
  std::string before = phitest::readFile(ledger.path());
  // CPUs fit, the memory (bigger than any segment) does not.
  phi::Error e = capturePhiError([&] { ledger.allocate("root/big", request(2, 0x20000000, true)); });
  EXPECT_EQ(e.code(), ErrorCode::NotFound);
  EXPECT_CONTAINS(e.what(), "not enough memory");
  EXPECT_FALSE(ledger.find("root/big").has_value());
  EXPECT_EQ(ledger.allocations().size(), 1u);
  EXPECT_EQ(phitest::readFile(ledger.path()), before);
  FreeResources f = ledger.freeResources();
  EXPECT_EQ(f.cpus, (std::vector<int>{2, 3}));  // no CPU was taken
  EXPECT_EQ(f.pciBdfs, initial.pciBdfs);
  // The CPUs are still there for a request that fits.
  EXPECT_EQ(ledger.allocate("root/c", request(2, 0x1000000)).cpus(), (std::vector<int>{2, 3}));
  ledger.release("root/a");
  ledger.release("root/c");
  EXPECT_EQ(ledger.freeResources(), initial);
}

TEST_F(Ledger, AllOrNothingWhenTheLastManagerRefuses) {
  ledger.allocate("root/a", request(1, 0x1000000, true));
  ledger.allocate("root/b", request(1, 0x1000000, true));
  // CPU, memory fit; no BDF and no window left.
  phi::Error e = capturePhiError([&] { ledger.allocate("root/c", request(1, 0x1000000, true)); });
  EXPECT_EQ(e.code(), ErrorCode::NotFound);
  EXPECT_CONTAINS(e.what(), "PCI BDFs");
  EXPECT_EQ(ledger.allocations().size(), 2u);
  EXPECT_EQ(ledger.freeResources().cpus, (std::vector<int>{3}));
}

TEST_F(Ledger, ReleaseIsFalseForAnUnknownOwner) {
  EXPECT_FALSE(ledger.release("root/nobody"));
  ledger.allocate("root/a", request(1, 0x1000000));
  EXPECT_FALSE(ledger.release("root/nobody"));
  EXPECT_TRUE(ledger.release("root/a"));
  EXPECT_FALSE(ledger.release("root/a"));
}

TEST_F(Ledger, FreeAfterReleaseEqualsInitial) {
  ledger.allocate("root/a", request(2, 0x4000000, true));
  ledger.allocate("root/b", request(0, 0x8000000, true, 1));
  ledger.allocate("root/c", request(1, 0x6000000));
  EXPECT_NE(ledger.freeResources(), initial);
  EXPECT_TRUE(ledger.release("root/b"));
  EXPECT_TRUE(ledger.release("root/a"));
  EXPECT_TRUE(ledger.release("root/c"));
  EXPECT_EQ(ledger.freeResources(), initial);
  EXPECT_TRUE(ledger.allocations().empty());
}

TEST_F(Ledger, AnOwnerCannotAllocateTwice) {
  Allocation a = ledger.allocate("root/a", request(1, 0x1000000));
  phi::Error e = capturePhiError([&] { ledger.allocate("root/a", request(1, 0x1000000)); });
  EXPECT_EQ(e.code(), ErrorCode::AlreadyExists);
  EXPECT_CONTAINS(e.what(), "root/a");
  EXPECT_EQ(ledger.allocations().size(), 1u);
  EXPECT_EQ(*ledger.find("root/a"), a);
  // After release it may allocate again.
  ledger.release("root/a");
  EXPECT_EQ(ledger.allocate("root/a", request(1, 0x1000000)), a);
}

TEST_F(Ledger, CpusTheHypervisorHoldsAreSkippedByThatAllocationOnly) {
  Allocation a = ledger.allocate("root/a", request(1, 0x1000000));
  ASSERT_EQ(a.cpus(), (std::vector<int>{1}));
  // The hypervisor reports a's CPU (runphi's own) and CPU 2 (a partition
  // runphi did not make) in use, and CPUs outside the pool.
  int asked = 0;
  auto held = [&] {
    ++asked;
    return phi::HeldByHypervisor{{0, 1, 2, 7}};
  };
  Allocation b = ledger.allocate("root/b", request(1, 0x1000000), held);
  EXPECT_EQ(asked, 1);
  EXPECT_EQ(b.cpus(), (std::vector<int>{3}));
  // CPU 2 is no one's in the records: free as far as the ledger knows.
  EXPECT_EQ(ledger.allocations().size(), 2u);
  EXPECT_EQ(ledger.freeResources().cpus, (std::vector<int>{2}));
  // Still held: the next allocation falls short and says why; nothing changes.
  std::string before = phitest::readFile(ledger.path());
  phi::Error e = capturePhiError([&] { ledger.allocate("root/c", request(1, 0x1000000), held); });
  EXPECT_EQ(e.code(), ErrorCode::NotFound);
  EXPECT_STREQ(e.what(), "not enough CPUs: asked 1, free 0 (2 held by a partition runphi did not create)");
  EXPECT_EQ(phitest::readFile(ledger.path()), before);
  // Given back by the hypervisor, it is allocated.
  EXPECT_EQ(ledger.allocate("root/c", request(1, 0x1000000), [] { return phi::HeldByHypervisor{}; }).cpus(),
            (std::vector<int>{2}));
}

TEST_F(Ledger, TheHypervisorIsAskedUnderTheLedgerLock) {
  bool lockedWhileAsked = false;
  ledger.allocate("root/a", request(1, 0x1000000), [&] {
    // Another process's FileLock on the same file would wait: flock on a
    // second open file description does not get it.
    int fd = ::open((root + "/resources/unit-board.lock").c_str(), O_RDWR | O_CLOEXEC);
    lockedWhileAsked = fd >= 0 && ::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    if (fd >= 0) ::close(fd);
    return phi::HeldByHypervisor{};
  });
  EXPECT_TRUE(lockedWhileAsked);
}

TEST_F(Ledger, LedgersOfTwoPlatformsAreIndependent) {
  PlatformTemplate other = testBoard();
  other.setName("other-board");
  ResourceLedger second(root, other);
  ledger.allocate("root/a", request(3, 0x1000000));
  EXPECT_EQ(second.allocate("root/a", request(3, 0x1000000)).cpus(), (std::vector<int>{1, 2, 3}));
  EXPECT_NE(second.path(), ledger.path());
}

TEST_F(Ledger, ACorruptedLedgerNamesTheOwner) {
  ASSERT_EQ(::mkdir(root.c_str(), 0700), 0);
  phitest::writeFile(ledger.path(), R"({"platform": "unit-board", "allocations": {
      "root/alpha": {"cpus": [1], "memory": [{"start": 1073741824, "size": 4096}]},
      "root/beta":  {"cpus": [1], "memory": [{"start": 1073745920, "size": 4096}]}}})");
  phi::Error e = capturePhiError([&] { ledger.freeResources(); });
  EXPECT_EQ(e.code(), ErrorCode::Internal);
  EXPECT_CONTAINS(e.what(), "root/beta");
  EXPECT_CONTAINS(e.what(), "CPUs 1");
  // A new allocation is refused too, and the records stay as they were.
  phi::Error e2 = capturePhiError([&] { ledger.allocate("root/gamma", request(1, 0x1000)); });
  EXPECT_EQ(e2.code(), ErrorCode::Internal);
  EXPECT_CONTAINS(e2.what(), "root/beta");
  EXPECT_EQ(ledger.allocations().size(), 2u);
  // Releasing an offender repairs the ledger.
  EXPECT_TRUE(ledger.release("root/beta"));
  EXPECT_EQ(ledger.freeResources().cpus, (std::vector<int>{2, 3}));
}

TEST_F(Ledger, ARecordOutsideThePlatformNamesTheOwner) {
  ASSERT_EQ(::mkdir(root.c_str(), 0700), 0);
  phitest::writeFile(ledger.path(), R"({"platform": "unit-board", "allocations": {
      "root/x": {"memory": [{"start": 4096, "size": 4096}]}}})");
  phi::Error e = capturePhiError([&] { ledger.freeResources(); });
  EXPECT_EQ(e.code(), ErrorCode::Internal);
  EXPECT_CONTAINS(e.what(), "root/x");
}

TEST_F(Ledger, ALedgerOfAnotherPlatformOrMalformedIsAParseError) {
  ASSERT_EQ(::mkdir(root.c_str(), 0700), 0);
  phitest::writeFile(ledger.path(), R"({"platform": "zcu104", "allocations": {}})");
  phi::Error e = capturePhiError([&] { ledger.allocations(); });
  EXPECT_EQ(e.code(), ErrorCode::ParseError);
  EXPECT_CONTAINS(e.what(), ledger.path());
  phitest::writeFile(ledger.path(), R"({"platform": "unit-board", "allocations": {"root/a": {"cpus": "1"}}})");
  e = capturePhiError([&] { ledger.allocations(); });
  EXPECT_EQ(e.code(), ErrorCode::ParseError);
  EXPECT_CONTAINS(e.what(), "root/a");
  phitest::writeFile(ledger.path(), "{not json");
  EXPECT_EQ(capturePhiError([&] { ledger.allocations(); }).code(), ErrorCode::ParseError);
}

// Eight processes allocate at once under distinct owners; flock must
// serialise them so that no CPU, memory byte, BDF, window or MAC is given twice.
TEST(LedgerConcurrency, ForkedProcessesNeverShareAResource) {
  TempDir tmp;
  const std::string root = tmp / "state";
  const PlatformTemplate board = bigBoard();
  constexpr int kChildren = 8;
  int go[2];
  ASSERT_EQ(::pipe(go), 0);
  std::vector<pid_t> children;
  for (int i = 0; i < kChildren; ++i) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(go[1]);
      char c;
      (void)!::read(go[0], &c, 1);  // all start together when the pipe closes
      int rc = 0;
      try {
        ResourceLedger ledger(root, board);
        for (int round = 0; round < 3; ++round) {
          // A short-lived allocation in between, to stir the file.
          std::string temp = "root/temp-" + std::to_string(i);
          ledger.allocate(temp, request(1, 0x100000));
          if (!ledger.release(temp)) rc = 3;
        }
        ledger.allocate("root/c" + std::to_string(i), request(1, 0x1000000, true));
      } catch (const std::exception& e) {
        std::fprintf(stderr, "child %d: %s\n", i, e.what());
        rc = 2;
      }
      ::_exit(rc);
    }
    children.push_back(pid);
  }
  ::close(go[0]);
  ::close(go[1]);
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
  }

  ResourceLedger ledger(root, board);
  std::map<std::string, Allocation> records = ledger.allocations();
  ASSERT_EQ(records.size(), static_cast<size_t>(kChildren));
  std::set<int> cpus, bdfs;
  std::set<std::string> macs;
  std::vector<MemoryRange> memory, windows;
  for (const auto& [owner, a] : records) {
    EXPECT_EQ(owner.rfind("root/c", 0), 0u) << owner;
    ASSERT_EQ(a.cpus().size(), 1u);
    ASSERT_EQ(a.memory().size(), 1u);
    EXPECT_TRUE(cpus.insert(a.cpus()[0]).second) << "CPU " << a.cpus()[0] << " given twice";
    for (int b : a.pciBdfs()) EXPECT_TRUE(bdfs.insert(b).second) << "BDF " << b << " given twice";
    EXPECT_TRUE(macs.insert(a.macAddress()).second) << "MAC " << a.macAddress() << " given twice";
    for (const MemoryRange& m : memory) EXPECT_FALSE(overlaps(m, a.memory()[0])) << owner << " " << str(a.memory());
    for (const MemoryRange& w : windows) EXPECT_FALSE(overlaps(w, a.commWindows().at(0))) << owner;
    memory.push_back(a.memory()[0]);
    windows.push_back(a.commWindows().at(0));
  }
  // Eight distinct CPUs of the pool and 8 x 16 MiB inside the first segment.
  EXPECT_EQ(cpus.size(), static_cast<size_t>(kChildren));
  EXPECT_TRUE(std::includes(board.cpuPool().begin(), board.cpuPool().end(), cpus.begin(), cpus.end()));
  for (const MemoryRange& m : memory) {
    EXPECT_EQ(m.size, 0x1000000u);
    EXPECT_GE(m.start, 0x40000000u);
    EXPECT_LE(m.end(), 0x50000000u);
  }
  // Every record released gives the whole board back.
  for (const auto& [owner, a] : records) EXPECT_TRUE(ledger.release(owner));
  EXPECT_EQ(ledger.freeResources(), freeOf(phi::makeResourceManagers(board)));
}

// =====================================================================
// derivePartitionRequest
// =====================================================================

class Derive : public ::testing::Test {
 protected:
  phi::OciSpec spec;
  phi::ZicConfig zic;
  PlatformTemplate board = testBoard();
  PartitionRequest derive() { return phi::derivePartitionRequest(spec, zic, board); }
};

TEST_F(Derive, DefaultsAreOneCpuAndThePlatformsMemory) {
  PartitionRequest r = derive();
  EXPECT_EQ(r.cpus(), 1u);
  EXPECT_EQ(r.rpus(), 0u);
  EXPECT_EQ(r.memoryBytes(), 0x4000000u);
  EXPECT_FALSE(r.network());
  EXPECT_EQ(r.commChannels(), 0u);
}

TEST_F(Derive, CpusAreTheCeilingOfQuotaOverPeriod) {
  struct Case {
    std::int64_t quota;
    std::optional<std::uint64_t> period;
    unsigned cpus;
  };
  for (const Case& c : std::vector<Case>{{100000, 100000, 1},
                                         {100001, 100000, 2},
                                         {150000, 100000, 2},
                                         {200000, 100000, 2},
                                         {1, 100000, 1},
                                         {250000, 50000, 5},
                                         {50000, std::nullopt, 1},  // period defaults to 100000
                                         {300000, std::nullopt, 3},
                                         {300001, std::nullopt, 4}}) {
    spec.setCpuQuota(c.quota);
    spec.setCpuPeriod(c.period);
    EXPECT_EQ(derive().cpus(), c.cpus) << "quota " << c.quota << " period " << c.period.value_or(0);
  }
}

TEST_F(Derive, QuotaWinsOverCpuset) {
  spec.setCpuQuota(100000);
  spec.setCpusetCpus("0-3");
  EXPECT_EQ(derive().cpus(), 1u);
}

TEST_F(Derive, UnlimitedQuotaFallsBackToCpusetThenOne) {
  spec.setCpuQuota(-1);
  spec.setCpusetCpus("0,2-3");
  EXPECT_EQ(derive().cpus(), 3u);
  spec.setCpuQuota(0);
  spec.setCpusetCpus("1-1");
  EXPECT_EQ(derive().cpus(), 1u);
  spec.setCpusetCpus("");
  EXPECT_EQ(derive().cpus(), 1u);
}

TEST_F(Derive, ZeroPeriodIsAnError) {
  spec.setCpuQuota(100000);
  spec.setCpuPeriod(0);
  phi::Error e = capturePhiError([&] { derive(); });
  EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
  EXPECT_CONTAINS(e.what(), "linux.resources.cpu.period");
}

TEST_F(Derive, ABadCpusetNamesTheField) {
  spec.setCpusetCpus("3-1");
  phi::Error e = capturePhiError([&] { derive(); });
  EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
  EXPECT_CONTAINS(e.what(), "linux.resources.cpu.cpus");
}

TEST_F(Derive, AHugeQuotaNeverBecomesZeroCpus) {
  // 2^32 * period: the CPU count no longer fits in `unsigned`.
  spec.setCpuQuota(std::int64_t{1} << 32 << 17);  // 2^49 us per 131072 us period = 2^32 CPUs
  spec.setCpuPeriod(std::uint64_t{1} << 17);
  PartitionRequest r;
  try {
    r = derive();
  } catch (const phi::Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);  // refusing is fine
    return;
  }
  if (r.cpus() == 0) {
    FAIL() << "derivePartitionRequest with cpu.quota 2^49, cpu.period 2^17 gives cpus == 0 (the "
              "count 2^32 is truncated to unsigned); a partition with no CPU would be allocated";
  }
  EXPECT_GT(r.cpus(), 0u);
}

TEST_F(Derive, RpuReqMovesTheCountToRpus) {
  zic.setRpuReq(true);
  PartitionRequest r = derive();
  EXPECT_EQ(r.cpus(), 0u);
  EXPECT_EQ(r.rpus(), 1u);
  spec.setCpuQuota(200000);
  r = derive();
  EXPECT_EQ(r.cpus(), 0u);
  EXPECT_EQ(r.rpus(), 2u);
}

TEST_F(Derive, MemoryFromZicOverOciOverPlatform) {
  EXPECT_EQ(derive().memoryBytes(), 0x4000000u);
  spec.setMemoryLimit(128 * MiB);
  EXPECT_EQ(derive().memoryBytes(), 128 * MiB);
  zic.setMemoryMiB(32);
  EXPECT_EQ(derive().memoryBytes(), 32 * MiB);
  spec.memoryLimit().reset();
  EXPECT_EQ(derive().memoryBytes(), 32 * MiB);
}

TEST_F(Derive, ZicMemoryIgnoresABadOciLimit) {
  zic.setMemoryMiB(16);
  spec.setMemoryLimit(4097);
  EXPECT_EQ(derive().memoryBytes(), 16 * MiB);
}

TEST_F(Derive, BadOciLimitsNameTheField) {
  for (std::int64_t limit :
       {std::int64_t{4097}, std::int64_t{2048}, std::int64_t{0}, std::int64_t{-1}, std::int64_t{-4096}}) {
    spec.setMemoryLimit(limit);
    phi::Error e = capturePhiError([&] { derive(); });
    EXPECT_EQ(e.code(), ErrorCode::InvalidArgument) << limit;
    EXPECT_CONTAINS(e.what(), "linux.resources.memory.limit");
    EXPECT_CONTAINS(e.what(), std::to_string(limit));
  }
}

TEST_F(Derive, TheLimitMustBeAMultipleOfThePlatformsPageSize) {
  board.setPageSize(64 * KiB);
  spec.setMemoryLimit(68 * KiB);  // a multiple of 4 KiB, not of 64 KiB
  phi::Error e = capturePhiError([&] { derive(); });
  EXPECT_CONTAINS(e.what(), "linux.resources.memory.limit");
  EXPECT_CONTAINS(e.what(), "65536");
  spec.setMemoryLimit(128 * KiB);
  EXPECT_EQ(derive().memoryBytes(), 128 * KiB);
  board.setPageSize(0);  // unset: 4 KiB
  spec.setMemoryLimit(12 * KiB);
  EXPECT_EQ(derive().memoryBytes(), 12 * KiB);
}

TEST_F(Derive, ABadPlatformDefaultIsAnError) {
  board.setDefaultMemoryBytes(0);
  EXPECT_EQ(capturePhiError([&] { derive(); }).code(), ErrorCode::InvalidArgument);
  board.setDefaultMemoryBytes(4097);
  EXPECT_EQ(capturePhiError([&] { derive(); }).code(), ErrorCode::InvalidArgument);
}

TEST_F(Derive, VirtualNetMeansANetworkLink) {
  zic.setNet(phi::NetMode::Virtual);
  EXPECT_TRUE(derive().network());
  zic.setNet(phi::NetMode::None);
  EXPECT_FALSE(derive().network());
}

// =====================================================================
// parseCpuList
// =====================================================================

TEST(ParseCpuList, ValidLists) {
  EXPECT_EQ(phi::parseCpuList("0", "w"), (std::vector<int>{0}));
  EXPECT_EQ(phi::parseCpuList("0,2-3", "w"), (std::vector<int>{0, 2, 3}));
  EXPECT_EQ(phi::parseCpuList("1-1", "w"), (std::vector<int>{1}));
  EXPECT_EQ(phi::parseCpuList("0-2\n", "w"), (std::vector<int>{0, 1, 2}));      // as sysfs writes it
  EXPECT_EQ(phi::parseCpuList("3,1,2-3,1", "w"), (std::vector<int>{1, 2, 3}));  // sorted, unique
  EXPECT_EQ(phi::parseCpuList("10-12", "w"), (std::vector<int>{10, 11, 12}));
}

TEST(ParseCpuList, LeadingWhitespaceFromSysfs) {
  try {
    EXPECT_EQ(phi::parseCpuList(" 0-2\n", "w"), (std::vector<int>{0, 1, 2}));
  } catch (const phi::Error& e) {
    FAIL() << "parseCpuList(\" 0-2\\n\") throws (only trailing blanks are trimmed): " << e.what();
  }
}

TEST(ParseCpuList, InvalidListsNameTheField) {
  for (const char* text : {"3-1", "a", "1,,2", "-1", ",", ",1", "1-", "1-2-3", "0x1", "1 2", "+1", "2-"}) {
    phi::Error e = capturePhiError([&] { phi::parseCpuList(text, "linux.resources.cpu.cpus"); });
    EXPECT_EQ(e.code(), ErrorCode::InvalidArgument) << "\"" << text << "\"";
    EXPECT_CONTAINS(e.what(), "linux.resources.cpu.cpus");
    EXPECT_CONTAINS(e.what(), std::string("\"") + text + "\"");
  }
}

TEST(ParseCpuList, ATrailingEmptyItemIsAnErrorLikeAnInnerOne) {
  // "1,,2" and ",1" are refused for their empty item; "1," has one too.
  try {
    std::vector<int> got = phi::parseCpuList("1,", "linux.resources.cpu.cpus");
    FAIL() << "parseCpuList(\"1,\") returns " << str(got)
           << " although \"1,,2\" and \",1\" are refused for an empty item";
  } catch (const phi::Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
  }
}

TEST(ParseCpuList, AnEmptyListIsAnError) {
  try {
    std::vector<int> got = phi::parseCpuList("", "linux.resources.cpu.cpus");
    FAIL() << "parseCpuList(\"\") returns " << str(got) << " instead of throwing InvalidArgument";
  } catch (const phi::Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
    EXPECT_CONTAINS(e.what(), "linux.resources.cpu.cpus");
  }
}

TEST(ParseCpuList, AnAbsurdRangeIsRefusedNotExpanded) {
  // "0-2147483647" must not be expanded element by element (2^31 inserts).
  for (const char* text : {"0-2147483647", "9000", "0-8192"}) {
    try {
      std::vector<int> got = phi::parseCpuList(text, "linux.resources.cpu.cpus");
      ADD_FAILURE() << "parseCpuList(\"" << text << "\") returned " << got.size() << " CPUs";
    } catch (const phi::Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::InvalidArgument) << text;
    }
  }
  EXPECT_EQ(phi::parseCpuList("8191", "x"), std::vector<int>{8191});
}

// =====================================================================
// partitionNameFor
// =====================================================================

bool validPartitionName(const std::string& name) {
  return name.size() <= 31 && name.rfind("phi-", 0) == 0 &&
         std::all_of(name.begin(), name.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }) &&
         !std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

TEST(PartitionName, ShortOnlyLowerAlnumDashAndPrefixed) {
  for (const std::string& id :
       {std::string("a"), std::string("123456"), std::string("My_Container.v2"), std::string(""), std::string(200, 'x'),
        std::string("0123456789012345678901234567890123456789"), std::string("UPPER/slash:colon@at"),
        std::string("caf\xc3\xa9-\xff\x01"), std::string("--")}) {
    std::string name = phi::partitionNameFor("/run/runc", id);
    EXPECT_TRUE(validPartitionName(name)) << "\"" << id << "\" -> \"" << name << "\"";
  }
}

TEST(PartitionName, KeepsAReadablePartOfTheId) {
  std::string name = phi::partitionNameFor("/run/runc", "Web_Server.1");
  EXPECT_EQ(name.rfind("phi-web-server-1-", 0), 0u) << name;
  EXPECT_EQ(name.size(), 4u + 12u + 9u);
}

TEST(PartitionName, AllDigitIdsAreNeverAllDigits) {
  std::string name = phi::partitionNameFor("/run/runc", "4242");
  EXPECT_TRUE(validPartitionName(name)) << name;
  EXPECT_NE(name.find_first_not_of("0123456789"), std::string::npos);
}

TEST(PartitionName, DiffersUnderTwoRootsAndIsStable) {
  std::string a = phi::partitionNameFor("/run/runc", "web");
  std::string b = phi::partitionNameFor("/run/containerd/runc/k8s.io", "web");
  EXPECT_NE(a, b);
  EXPECT_EQ(a, phi::partitionNameFor("/run/runc", "web"));
  EXPECT_EQ(b, phi::partitionNameFor("/run/containerd/runc/k8s.io", "web"));
  // Ids that share their readable part still differ.
  std::string longA = phi::partitionNameFor("/run/runc", std::string(30, 'a') + "1");
  std::string longB = phi::partitionNameFor("/run/runc", std::string(30, 'a') + "2");
  EXPECT_NE(longA, longB);
  EXPECT_NE(phi::partitionNameFor("/run/runc", "a.b"), phi::partitionNameFor("/run/runc", "a-b"));
  // The root/id boundary is part of the hash: ("/r", "ab") and ("/ra", "b") differ.
  auto suffix = [](const std::string& name) { return name.substr(name.size() - 8); };
  EXPECT_NE(suffix(phi::partitionNameFor("/r", "ab")), suffix(phi::partitionNameFor("/ra", "b")));
}

TEST(PartitionName, ManyIdsGiveDistinctNames) {
  std::set<std::string> names;
  for (int i = 0; i < 2000; ++i) names.insert(phi::partitionNameFor("/run/runc", "ctr-" + std::to_string(i)));
  EXPECT_EQ(names.size(), 2000u);
}

// =====================================================================
// FileLock
// =====================================================================

TEST(FileLockTest, CreatesTheLockFileMode0600) {
  TempDir tmp;
  {
    phi::FileLock lock(tmp / "x.lock");
    EXPECT_TRUE(phitest::exists(tmp / "x.lock"));
  }
  EXPECT_EQ(phitest::modeOf(tmp / "x.lock"), 0600u);
  phi::FileLock again(tmp / "x.lock");  // released on destruction
}

TEST(FileLockTest, ExcludesAnotherProcessUntilDestroyed) {
  TempDir tmp;
  const std::string path = tmp / "x.lock";
  auto lockedByOther = [&] {
    pid_t pid = ::fork();
    if (pid == 0) {
      int fd = ::open(path.c_str(), O_RDWR);
      ::_exit(fd >= 0 && ::flock(fd, LOCK_EX | LOCK_NB) != 0 ? 1 : 0);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 1;
  };
  {
    phi::FileLock lock(path);
    EXPECT_TRUE(lockedByOther());
  }
  EXPECT_FALSE(lockedByOther());
  {
    phi::FileLock lock(path);
    phi::FileLock moved(std::move(lock));  // the moved-to object holds it
    EXPECT_TRUE(lockedByOther());
  }
  EXPECT_FALSE(lockedByOther());
}

TEST(FileLockTest, ErrorsNameThePath) {
  TempDir tmp;
  phi::Error e = capturePhiError([&] { phi::FileLock lock(tmp / "missing/dir/x.lock"); });
  EXPECT_EQ(e.code(), ErrorCode::NotFound);  // ENOENT
  EXPECT_CONTAINS(e.what(), tmp / "missing/dir/x.lock");
  e = capturePhiError([&] { phi::FileLock::directory(tmp / "missing"); });
  EXPECT_CONTAINS(e.what(), tmp / "missing");
  phi::FileLock dir = phi::FileLock::directory(tmp.path());
}

}  // namespace
