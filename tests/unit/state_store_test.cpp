// libphi/state_store.cpp: path escaping and the on-disk container records.
#include <phi/error.hpp>

#include "runtime/state_store.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace {

using phi::ContainerRecord;
using phi::escapePathComponent;
using phi::StateStore;
using phitest::TempDir;

// --- escapePathComponent ---

TEST(EscapePathComponentTest, AlphanumericsKept) {
  EXPECT_EQ(escapePathComponent("abcXYZ0189"), "abcXYZ0189");
}

TEST(EscapePathComponentTest, DashUnderscoreAndInnerDotKept) {
  EXPECT_EQ(escapePathComponent("my_container-1.2"), "my_container-1.2");
  EXPECT_EQ(escapePathComponent("a.."), "a..");
}

TEST(EscapePathComponentTest, SlashPercentSpaceEscaped) {
  EXPECT_EQ(escapePathComponent("a/b"), "a%2Fb");
  EXPECT_EQ(escapePathComponent("/run/runc"), "%2Frun%2Frunc");
  EXPECT_EQ(escapePathComponent("50%"), "50%25");
  EXPECT_EQ(escapePathComponent("a b"), "a%20b");
  EXPECT_EQ(escapePathComponent("%2F"), "%252F") << "escaping must be unambiguous";
}

TEST(EscapePathComponentTest, OtherBytesEscapedAsUpperHex) {
  EXPECT_EQ(escapePathComponent("a:b"), "a%3Ab");
  EXPECT_EQ(escapePathComponent("\n"), "%0A");
  EXPECT_EQ(escapePathComponent(std::string("a\0b", 3)), "a%00b");
  EXPECT_EQ(escapePathComponent("\xC3\xA9"), "%C3%A9");
  EXPECT_EQ(escapePathComponent("\xFF"), "%FF");
  EXPECT_EQ(escapePathComponent("+=@"), "%2B%3D%40");
}

TEST(EscapePathComponentTest, LeadingDotEscaped) {
  EXPECT_EQ(escapePathComponent(".hidden"), "%2Ehidden");
  EXPECT_EQ(escapePathComponent("."), "%2E");
  EXPECT_EQ(escapePathComponent(".."), "%2E.");
  EXPECT_EQ(escapePathComponent("..."), "%2E..");
}

TEST(EscapePathComponentTest, EmptyBecomesPercent) {
  EXPECT_EQ(escapePathComponent(""), "%");
}

TEST(EscapePathComponentTest, EveryByteGivesOneSafeComponent) {
  for (int b = 0; b < 256; ++b) {
    for (const std::string& s : {std::string(1, static_cast<char>(b)), std::string(2, static_cast<char>(b)),
                                 "x" + std::string(1, static_cast<char>(b))}) {
      std::string e = escapePathComponent(s);
      EXPECT_FALSE(e.empty());
      EXPECT_EQ(e.find('/'), std::string::npos) << b;
      EXPECT_EQ(e.find('\0'), std::string::npos) << b;
      EXPECT_NE(e, ".") << b;
      EXPECT_NE(e, "..") << b;
      EXPECT_NE(e[0], '.') << b;
    }
  }
}

TEST(EscapePathComponentTest, Injective) {
  const std::vector<std::string> inputs = {"",    "%",     "%25",       ".",        "..", "%2E", "%2E.", "a/b", "a%2Fb",
                                           "a b", "a%20b", "/run/runc", "run/runc", "_",  "-",   "x.",   ".x"};
  std::set<std::string> seen;
  for (const std::string& in : inputs) {
    EXPECT_TRUE(seen.insert(escapePathComponent(in)).second) << "collision for \"" << in << "\"";
  }
}

// --- StateStore ---

ContainerRecord record(const std::string& id, int pid = 42) {
  ContainerRecord r;
  r.id = id;
  r.pid = pid;
  r.status = phi::Status::Created;
  r.bundle = "/bundles/" + id;
  r.rootfs = "/bundles/" + id + "/rootfs";
  r.created = "2026-11-23T11:55:12.198032123Z";
  r.owner = "root";
  return r;
}

void expectSameRecord(const ContainerRecord& a, const ContainerRecord& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.pid, b.pid);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.bundle, b.bundle);
  EXPECT_EQ(a.rootfs, b.rootfs);
  EXPECT_EQ(a.created, b.created);
  EXPECT_EQ(a.owner, b.owner);
  EXPECT_EQ(a.annotations, b.annotations);
}

class StateStoreTest : public ::testing::Test {
 protected:
  std::string stateRoot() const { return tmp_ / "state"; }
  TempDir tmp_;
};

TEST_F(StateStoreTest, DirectoryLayout) {
  StateStore store(stateRoot(), "/run/containerd/runc/k8s.io");
  EXPECT_EQ(store.directory(), stateRoot() + "/%2Frun%2Fcontainerd%2Frunc%2Fk8s.io");
  EXPECT_EQ(store.containerDir("abc"), store.directory() + "/abc");
  EXPECT_EQ(store.containerDir(".."), store.directory() + "/%2E.");
  EXPECT_EQ(store.containerDir("../x"), store.directory() + "/%2E.%2Fx");
}

TEST_F(StateStoreTest, EmptyRuncRootIsRuncDefault) {
  StateStore a(stateRoot(), "");
  StateStore b(stateRoot(), phi::kRuncDefaultRoot);
  EXPECT_EQ(a.directory(), b.directory());
  EXPECT_EQ(a.directory(), stateRoot() + "/%2Frun%2Frunc");
  a.save(record("c1"));
  EXPECT_TRUE(b.holds("c1"));
}

TEST_F(StateStoreTest, EmptyStoreListsNothingWithoutCreatingDirectories) {
  StateStore store(stateRoot(), "/run/runc");
  EXPECT_TRUE(store.list().empty());
  EXPECT_FALSE(store.holds("c1"));
  EXPECT_EQ(store.load("c1"), std::nullopt);
  EXPECT_FALSE(phitest::exists(stateRoot())) << "read-only calls must not create state";
}

TEST_F(StateStoreTest, SaveLoadRoundTrip) {
  StateStore store(stateRoot(), "/run/runc");
  ContainerRecord r = record("c1", 4242);
  r.status = phi::Status::Running;
  r.owner = "";
  r.annotations = {{"org.runphi.runtime", "runphi"}, {"quote\"key", "value with \"quotes\" and \\"}};
  store.save(r);
  EXPECT_TRUE(store.holds("c1"));
  std::optional<ContainerRecord> loaded = store.load("c1");
  ASSERT_TRUE(loaded.has_value());
  expectSameRecord(*loaded, r);
  EXPECT_TRUE(phitest::exists(store.containerDir("c1") + "/state.json"));
}

TEST_F(StateStoreTest, SaveOverwrites) {
  StateStore store(stateRoot(), "/run/runc");
  store.save(record("c1", 1));
  ContainerRecord r = record("c1", 2);
  r.status = phi::Status::Stopped;
  store.save(r);
  auto loaded = store.load("c1");
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->pid, 2);
  EXPECT_EQ(loaded->status, phi::Status::Stopped);
  // No temporary files left behind.
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(store.containerDir("c1"))) {
    ++files;
    EXPECT_EQ(entry.path().filename(), "state.json");
  }
  EXPECT_EQ(files, 1u);
}

TEST_F(StateStoreTest, ListIsSortedById) {
  StateStore store(stateRoot(), "/run/runc");
  for (const std::string id : {"zeta", "alpha", "Mid", "beta-2", "beta-10", "0first"}) store.save(record(id));
  std::vector<std::string> ids;
  for (const ContainerRecord& r : store.list()) ids.push_back(r.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"0first", "Mid", "alpha", "beta-10", "beta-2", "zeta"}));
}

TEST_F(StateStoreTest, ListReturnsFullRecords) {
  StateStore store(stateRoot(), "/run/runc");
  ContainerRecord r = record("c1", 7);
  r.annotations["k"] = "v";
  store.save(r);
  auto all = store.list();
  ASSERT_EQ(all.size(), 1u);
  expectSameRecord(all[0], r);
}

TEST_F(StateStoreTest, DirectoriesArePrivate) {
  StateStore store(stateRoot(), "/run/runc");
  store.save(record("c1"));
  EXPECT_EQ(phitest::modeOf(stateRoot()), 0700u);
  EXPECT_EQ(phitest::modeOf(store.directory()), 0700u);
  EXPECT_EQ(phitest::modeOf(store.containerDir("c1")), 0700u);
  EXPECT_EQ(phitest::modeOf(store.containerDir("c1") + "/state.json") & 0077u, 0u);
}

// An existing state root is its owner's: a shared 1777 one stays so (issue
// 13, point 9); what runphi makes inside it is private.
TEST_F(StateStoreTest, ExistingStateRootKeepsItsModeWhatRunphiMakesIsPrivate) {
  std::filesystem::create_directories(stateRoot());
  std::filesystem::permissions(stateRoot(), std::filesystem::perms(01777));
  StateStore store(stateRoot(), "/run/runc");
  store.save(record("c1"));
  EXPECT_EQ(phitest::modeOf(stateRoot()), 01777u);
  EXPECT_EQ(phitest::modeOf(store.directory()), 0700u);
  EXPECT_EQ(phitest::modeOf(store.containerDir("c1")), 0700u);
}

TEST_F(StateStoreTest, NewStateRootIsPrivate) {
  StateStore store(stateRoot(), "/run/runc");
  store.save(record("c1"));
  EXPECT_EQ(phitest::modeOf(stateRoot()), 0700u);
}

TEST_F(StateStoreTest, RuncRootIsNormalisedAsRuncDoes) {
  EXPECT_EQ(phi::normalizeRuncRoot("/run/runc/"), "/run/runc");
  EXPECT_EQ(phi::normalizeRuncRoot("/run//runc/./x/.."), "/run/runc");
  EXPECT_EQ(phi::normalizeRuncRoot(""), "/run/runc");
  StateStore a(stateRoot(), "/r"), b(stateRoot(), "/r/");
  EXPECT_EQ(a.directory(), b.directory());
}

TEST_F(StateStoreTest, ContainerIdsAreRuncs) {
  for (const char* ok : {"a", "A.b_c-d+e,f", "...", "a..b"}) EXPECT_TRUE(phi::isValidContainerId(ok)) << ok;
  for (const char* bad : {"", ".", "..", "a/b", "a\nb", "a b", "x;y", "\xc3\xa9"}) {
    EXPECT_FALSE(phi::isValidContainerId(bad)) << bad;
  }
}

TEST_F(StateStoreTest, NestedStateRootIsCreated) {
  std::string root = tmp_ / "a/b/c/state";
  StateStore store(root, "/run/runc");
  store.save(record("c1"));
  EXPECT_TRUE(store.holds("c1"));
}

TEST_F(StateStoreTest, DifferentRuncRootsAreSeparate) {
  StateStore moby(stateRoot(), "/run/containerd/runc/moby");
  StateStore k8s(stateRoot(), "/run/containerd/runc/k8s.io");
  moby.save(record("same-id", 1));
  k8s.save(record("other", 2));
  EXPECT_TRUE(moby.holds("same-id"));
  EXPECT_FALSE(k8s.holds("same-id"));
  EXPECT_FALSE(moby.holds("other"));
  ASSERT_EQ(moby.list().size(), 1u);
  ASSERT_EQ(k8s.list().size(), 1u);
  EXPECT_EQ(moby.list()[0].id, "same-id");
  EXPECT_EQ(k8s.list()[0].id, "other");

  k8s.save(record("same-id", 3));
  EXPECT_EQ(moby.load("same-id")->pid, 1);
  EXPECT_EQ(k8s.load("same-id")->pid, 3);
  k8s.remove("same-id");
  EXPECT_TRUE(moby.holds("same-id"));
}

TEST_F(StateStoreTest, RuncRootsDifferingOnlyBySlashesAreSeparate) {
  // "/run/a/b" and "/run/a%2Fb" must not map to the same directory.
  StateStore a(stateRoot(), "/run/a/b");
  StateStore b(stateRoot(), "/run/a%2Fb");
  EXPECT_NE(a.directory(), b.directory());
}

TEST_F(StateStoreTest, RemoveDeletesAndIsIdempotent) {
  StateStore store(stateRoot(), "/run/runc");
  store.save(record("c1"));
  store.save(record("c2"));
  store.remove("c1");
  EXPECT_FALSE(store.holds("c1"));
  EXPECT_EQ(store.load("c1"), std::nullopt);
  EXPECT_FALSE(phitest::exists(store.containerDir("c1")));
  EXPECT_NO_THROW(store.remove("c1"));
  EXPECT_NO_THROW(store.remove("never-existed"));
  ASSERT_EQ(store.list().size(), 1u);
  EXPECT_EQ(store.list()[0].id, "c2");
}

TEST_F(StateStoreTest, RemoveOnMissingStateRootIsFine) {
  StateStore store(tmp_ / "never-created", "/run/runc");
  EXPECT_NO_THROW(store.remove("c1"));
}

TEST_F(StateStoreTest, DirectoryWithoutStateJsonSkippedByList) {
  StateStore store(stateRoot(), "/run/runc");
  store.save(record("done"));
  std::filesystem::create_directories(store.containerDir("half-created"));
  EXPECT_TRUE(store.holds("half-created")) << "a directory claims the id";
  EXPECT_EQ(store.load("half-created"), std::nullopt);
  auto all = store.list();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].id, "done");
}

TEST_F(StateStoreTest, TraversalIdsStayInsideTheStore) {
  StateStore store(stateRoot(), "/run/runc");
  for (const std::string id : {"..", ".", "../escape", "../../escape", "/abs", ""}) {
    SCOPED_TRACE(id);
    store.save(record(id));
    EXPECT_TRUE(store.holds(id));
    auto loaded = store.load(id);
    ASSERT_TRUE(loaded);
    EXPECT_EQ(loaded->id, id);
  }
  // Nothing outside the store's own directory.
  for (const auto& entry : std::filesystem::directory_iterator(stateRoot())) {
    EXPECT_EQ(entry.path().string(), store.directory());
  }
  EXPECT_FALSE(phitest::exists(tmp_ / "escape"));
  EXPECT_FALSE(phitest::exists(stateRoot() + "/escape"));
  EXPECT_FALSE(phitest::exists(tmp_ / "state.json"));
  EXPECT_FALSE(phitest::exists(stateRoot() + "/state.json"));
  EXPECT_EQ(store.list().size(), 6u);
  // Removing ".." removes only that container.
  store.remove("..");
  EXPECT_TRUE(phitest::exists(store.directory()));
  EXPECT_EQ(store.list().size(), 5u);
}

TEST_F(StateStoreTest, CorruptStateIsAParseError) {
  StateStore store(stateRoot(), "/run/runc");
  store.save(record("c1"));
  std::string path = store.containerDir("c1") + "/state.json";
  phitest::writeFile(path, "{not json");
  phi::Error e = phitest::capturePhiError([&] { store.load("c1"); });
  EXPECT_EQ(e.code(), phi::ErrorCode::ParseError);
  EXPECT_CONTAINS(e.what(), path);

  phitest::writeFile(path,
                     R"({"id":"c1","pid":"12","status":"s","bundle":"b","rootfs":"r","created":"c","owner":"o"})");
  e = phitest::capturePhiError([&] { store.load("c1"); });
  EXPECT_EQ(e.code(), phi::ErrorCode::ParseError);
  EXPECT_CONTAINS(e.what(), "pid");

  phitest::writeFile(path, R"({"id":"c1","pid":12,"status":"s","bundle":"b","rootfs":"r","created":"c"})");
  e = phitest::capturePhiError([&] { store.load("c1"); });
  EXPECT_EQ(e.code(), phi::ErrorCode::ParseError);
  EXPECT_CONTAINS(e.what(), "owner");
}

}  // namespace
