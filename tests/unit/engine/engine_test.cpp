// The lifecycle engine in-process, through the public API: every verb, every
// transition the lifecycle allows or refuses, and a failure injected at each
// driver call, with what must be left behind (nothing, or the container as it
// was). The driver is FakeHypervisor, registered in-process; the container
// process is the real runphi-monitor; runphi itself never runs (the CLI path
// points nowhere).
#include <phi/phi.hpp>

#include "fake_hypervisor.hpp"
#include "lifecycle/loaded_container.hpp"
#include "runtime/state_store.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <thread>

namespace {

using enginetest::FakeDriver;
using enginetest::FakeHypervisor;
using phi::ErrorCode;
using phi::Status;
using phitest::capturePhiError;
using phitest::TempDir;
namespace fs = std::filesystem;

class EngineTest : public ::testing::Test {
 protected:
  EngineTest() : hv_(std::make_shared<FakeHypervisor>(tmp_ / "hypervisor")) {
    // The test board; its driver "test" is the in-process one registered
    // below, which wins over the module of that name.
    platform_ = std::string(PHI_SOURCE_DIR) + "/platform-templates/test-board.json";
    options_.setBackend("test")
        .setPlatformTemplate(platform_)
        .setStateRoot(tmp_ / "state")
        .setRuncRoot("/run/engine-test")
        .setMonitorPath(PHI_MONITOR_PATH)
        .setCliPath("/nonexistent/runphi")  // the container process never calls back here
        .addLogSink([this](const phi::LogRecord& r) { log_ += std::string(r.message()) + "\n"; }, phi::LogLevel::Debug);
    runtime_ = std::make_unique<phi::Runtime>(options_);
    auto hv = hv_;
    runtime_->drivers().add("test", [hv] { return std::make_unique<FakeDriver>(hv); });
  }
  void SetUp() override {
    // The container process is an aarch64 program too, and qemu-user (no
    // binfmt_misc here) cannot start a program from the emulated one.
    PHI_SKIP_UNDER_QEMU_USER("the container process cannot be spawned from inside the emulator");
  }
  ~EngineTest() override {
    // Whatever a failed test left: no container process may outlive it.
    for (const phi::ContainerState& s : runtime_->list()) {
      if (s.pid() > 0) ::kill(s.pid(), SIGKILL);
    }
  }

  std::string bundle(const std::string& name, const std::string& extraConfig = "") {
    std::string b = tmp_ / ("bundle-" + name);
    phitest::writeFile(b + "/config.json", R"({"ociVersion":"1.0.2","root":{"path":"rootfs"})" + extraConfig + "}");
    phitest::writeFile(b + "/rootfs/boot/config.json", R"({"os_var":"zephyr","inmate":"/boot/zephyr.bin"})");
    phitest::writeFile(b + "/rootfs/boot/zephyr.bin", std::string(4096, 'z'));
    return b;
  }
  phi::Container create(const std::string& id, const std::string& extraConfig = "") {
    return runtime_->create(phi::CreateRequest(id, bundle(id, extraConfig)));
  }
  phi::Container running(const std::string& id) {
    phi::Container c = create(id);
    c.start();
    return c;
  }
  std::string partitionOf(const std::string& id) { return runtime_->open(id).recordedState().partitionName(); }

  // Nothing is left of `id`: no state, no allocation, no partition, and the
  // pools are whole.
  void expectGone(const std::string& id) {
    EXPECT_FALSE(runtime_->holds(id));
    EXPECT_TRUE(runtime_->resources().idle()) << "the ledger still holds something";
    EXPECT_TRUE(hv_->partitions().empty()) << "a partition was left in the hypervisor";
  }
  // The container process exits (we created it, so we can wait) with `status`.
  void expectExit(phi::Container& c, int status) { EXPECT_EQ(c.wait(), status); }

  TempDir tmp_;
  std::shared_ptr<FakeHypervisor> hv_;
  std::string platform_;
  phi::RuntimeOptions options_;
  std::unique_ptr<phi::Runtime> runtime_;
  std::string log_;
};

// --- the verbs, one by one ---

TEST_F(EngineTest, CreateGivesACreatedPartitionWithItsContainerProcess) {
  phi::Container c = create("c1");
  phi::ContainerState s = c.state();
  EXPECT_EQ(s.status(), Status::Created);
  EXPECT_GT(s.pid(), 0);
  EXPECT_EQ(::kill(s.pid(), 0), 0);
  EXPECT_EQ(s.backend(), "test");
  EXPECT_EQ(hv_->state(s.partitionName()), "created");
  // queryState before create: a partition of that name not made by this create is left alone.
  EXPECT_EQ(hv_->calls(), (std::vector<std::string>{"busyCpus test-board", "generateConfig " + s.partitionName(),
                                                    "queryState " + s.partitionName(), "create " + s.partitionName(),
                                                    "watch " + s.partitionName(), "queryState " + s.partitionName()}));
  EXPECT_TRUE(runtime_->resources().allocationOf("c1").has_value());
  EXPECT_NE(log_.find("created partition " + s.partitionName()), std::string::npos) << log_;
}

TEST_F(EngineTest, CreateOfATakenIdIsAlreadyExists) {
  create("c1");
  phi::Error e = capturePhiError([&] { create("c1"); });
  EXPECT_EQ(e.code(), ErrorCode::AlreadyExists);
  EXPECT_EQ(runtime_->list().size(), 1u);
}

TEST_F(EngineTest, CreateWithoutBackendIsNoDriverAndLeavesNothing) {
  phi::Runtime bare(phi::RuntimeOptions(options_).setBackend(""));
  phi::Error e = capturePhiError([&] { bare.create(phi::CreateRequest("c1", bundle("c1"))); });
  EXPECT_EQ(e.code(), ErrorCode::NoDriver);
  EXPECT_FALSE(bare.holds("c1"));
}

TEST_F(EngineTest, StartRunsTheGuest) {
  phi::Container c = running("c1");
  EXPECT_EQ(c.state().status(), Status::Running);
  EXPECT_EQ(hv_->state(partitionOf("c1")), "running");
}

TEST_F(EngineTest, KillTermShutsTheGuestDownAndTheProcessExitsZero) {
  phi::Container c = running("c1");
  c.kill(phi::Signal::parse("TERM"));
  expectExit(c, 0);
  phi::ContainerState s = c.state();
  EXPECT_EQ(s.status(), Status::Stopped);
  EXPECT_EQ(s.exitStatus(), 0);
  EXPECT_EQ(s.pid(), 0);
}

TEST_F(EngineTest, KillKillDestroysAndTheProcessExits137) {
  phi::Container c = running("c1");
  c.kill(phi::Signal::parse("KILL"));
  expectExit(c, 137);
  EXPECT_EQ(c.state().exitStatus(), 137);
  EXPECT_TRUE(hv_->partitions().empty());
}

TEST_F(EngineTest, KillOfANeverStartedPartitionEndsItAsTheSignalWould) {
  phi::Container c = create("c1");
  c.kill(phi::Signal(SIGINT));
  expectExit(c, 128 + SIGINT);
  EXPECT_EQ(c.state().exitStatus(), 128 + SIGINT);
}

TEST_F(EngineTest, KillWithAnUndeliverableSignalIsNotSupported) {
  phi::Container c = running("c1");
  EXPECT_EQ(capturePhiError([&] { c.kill(phi::Signal(SIGUSR1)); }).code(), ErrorCode::NotSupported);
  EXPECT_EQ(c.state().status(), Status::Running);
  EXPECT_EQ(capturePhiError([] { phi::Signal::parse("FOO"); }).code(), ErrorCode::InvalidArgument);
  c.kill(phi::Signal(0));  // only checks
  EXPECT_EQ(c.state().status(), Status::Running);
}

TEST_F(EngineTest, GuestThatShutsDownByItselfEndsTheContainerWithZero) {
  phi::Container c = running("c1");
  hv_->guestEnds(partitionOf("c1"), "shutdown");
  expectExit(c, 0);
  EXPECT_EQ(c.state().status(), Status::Stopped);
  EXPECT_EQ(c.state().exitStatus(), 0);
}

TEST_F(EngineTest, GuestThatCrashesEndsTheContainerWith134) {
  phi::Container c = running("c1");
  hv_->guestEnds(partitionOf("c1"), "crashed");
  expectExit(c, 134);
  EXPECT_EQ(c.state().exitStatus(), 134);
}

TEST_F(EngineTest, RemoveGivesEverythingBack) {
  phi::Container c = running("c1");
  c.kill(phi::Signal(SIGKILL));
  expectExit(c, 137);
  c.remove();
  expectGone("c1");
  EXPECT_EQ(capturePhiError([&] { c.state(); }).code(), ErrorCode::NotFound);
}

TEST_F(EngineTest, ForcedRemoveOfARunningContainerStopsItsProcess) {
  phi::Container c = running("c1");
  int pid = c.state().pid();
  c.remove(phi::RemoveOptions().setForce(true));
  expectGone("c1");
  EXPECT_NE(::kill(pid, 0), 0) << "the container process was not stopped";
}

TEST_F(EngineTest, PauseAndResume) {
  phi::Container c = running("c1");
  c.pause();
  EXPECT_EQ(c.state().status(), Status::Paused);
  EXPECT_EQ(hv_->state(partitionOf("c1")), "paused");
  c.resume();
  EXPECT_EQ(c.state().status(), Status::Running);
}

TEST_F(EngineTest, CheckpointStopsTheContainerAndRestoreBringsItBackRunning) {
  phi::Container c = running("c1");
  std::string image = tmp_ / "image";
  c.checkpoint(phi::CheckpointOptions(image));
  expectExit(c, 0);
  EXPECT_EQ(c.state().status(), Status::Stopped);
  c.remove();
  phi::Container back = runtime_->restore(phi::CreateRequest("c1", bundle("c1")), phi::RestoreOptions(image));
  EXPECT_EQ(back.state().status(), Status::Running);
  back.remove(phi::RemoveOptions().setForce(true));
  expectGone("c1");
}

TEST_F(EngineTest, CheckpointLeavingItRunning) {
  phi::Container c = running("c1");
  c.checkpoint(phi::CheckpointOptions(tmp_ / "image").setLeaveRunning(true));
  EXPECT_EQ(c.state().status(), Status::Running);
  EXPECT_EQ(capturePhiError([&] { c.checkpoint(phi::CheckpointOptions("")); }).code(), ErrorCode::InvalidArgument);
}

TEST_F(EngineTest, HandlesFromFindAndOpenShareTheState) {
  create("c1");
  std::optional<phi::Container> found = runtime_->find("c1");
  ASSERT_TRUE(found);
  found->start();
  EXPECT_EQ(runtime_->open("c1").state().status(), Status::Running);
  EXPECT_FALSE(runtime_->find("nope"));
  EXPECT_EQ(capturePhiError([&] { runtime_->open("nope"); }).code(), ErrorCode::NotFound);
}

TEST_F(EngineTest, HooksReceiveTheOciStateAndAFailingOneRollsBack) {
  std::string out = tmp_ / "hook-stdin";
  std::string hook = tmp_ / "hook.sh";
  phitest::makeExecutable(hook, "#!/bin/sh\ncat > '" + out + "'\n");
  create("c1", R"(,"hooks":{"createRuntime":[{"path":")" + hook + R"("}]})");
  std::string state = phitest::readFile(out);
  EXPECT_NE(state.find("\"id\":\"c1\""), std::string::npos) << state;
  EXPECT_NE(state.find("\"status\":\"creating\""), std::string::npos) << state;
  runtime_->open("c1").remove(phi::RemoveOptions().setForce(true));

  phi::Error e = capturePhiError([&] { create("c2", R"(,"hooks":{"prestart":[{"path":"/bin/false"}]})"); });
  EXPECT_EQ(e.code(), ErrorCode::ChildFailed);
  EXPECT_NE(std::string(e.what()).find("prestart hook failed"), std::string::npos) << e.what();
  expectGone("c2");
}

// --- every transition: which verbs each status allows ---

enum class Verb { Start, Pause, Resume, Kill, KillAll, Delete, ForceDelete, Checkpoint };

const char* verbName(Verb v) {
  switch (v) {
    case Verb::Start: return "start";
    case Verb::Pause: return "pause";
    case Verb::Resume: return "resume";
    case Verb::Kill: return "kill";
    case Verb::KillAll: return "kill --all";
    case Verb::Delete: return "delete";
    case Verb::ForceDelete: return "delete --force";
    case Verb::Checkpoint: return "checkpoint";
  }
  return "?";
}

struct Transition {
  Status from;
  Verb verb;
  bool allowed;
  Status to;  // when allowed (and the container still exists)
};

class EngineTransitions : public EngineTest, public ::testing::WithParamInterface<Transition> {
 protected:
  phi::Container reach(Status status) {
    phi::Container c = create("t");
    if (status == Status::Created) return c;
    c.start();
    if (status == Status::Paused) c.pause();
    if (status == Status::Stopped) {
      c.kill(phi::Signal(SIGKILL));
      c.wait();
    }
    return c;
  }
  void act(phi::Container& c, Verb v) {
    switch (v) {
      case Verb::Start: c.start(); break;
      case Verb::Pause: c.pause(); break;
      case Verb::Resume: c.resume(); break;
      case Verb::Kill: c.kill(phi::Signal(SIGKILL)); break;
      case Verb::KillAll: c.kill(phi::Signal(SIGKILL), phi::KillOptions().setAll(true)); break;
      case Verb::Delete: c.remove(); break;
      case Verb::ForceDelete: c.remove(phi::RemoveOptions().setForce(true)); break;
      case Verb::Checkpoint: c.checkpoint(phi::CheckpointOptions(tmp_ / "img").setLeaveRunning(true)); break;
    }
  }
};

TEST_P(EngineTransitions, FollowTheLifecycle) {
  const Transition& t = GetParam();
  phi::Container c = reach(t.from);
  ASSERT_EQ(c.state().status(), t.from);
  SCOPED_TRACE(std::string(phi::statusName(t.from)) + " + " + verbName(t.verb));
  bool deletes = t.verb == Verb::Delete || t.verb == Verb::ForceDelete;
  if (t.allowed) {
    act(c, t.verb);
    if (deletes) {
      expectGone("t");
    } else {
      EXPECT_EQ(runtime_->open("t").state().status(), t.to);
    }
  } else {
    phi::Error e = capturePhiError([&] { act(c, t.verb); });
    EXPECT_EQ(e.code(), ErrorCode::InvalidArgument) << e.what();
    EXPECT_EQ(c.state().status(), t.from) << "a refused verb changed the status";
  }
}

const Transition kTransitions[] = {
    {Status::Created, Verb::Start, true, Status::Running},
    {Status::Created, Verb::Pause, false, {}},
    {Status::Created, Verb::Resume, false, {}},
    {Status::Created, Verb::Kill, true, Status::Stopped},
    {Status::Created, Verb::Delete, true, {}},
    {Status::Created, Verb::Checkpoint, false, {}},
    {Status::Running, Verb::Start, false, {}},
    {Status::Running, Verb::Pause, true, Status::Paused},
    {Status::Running, Verb::Resume, false, {}},
    {Status::Running, Verb::Kill, true, Status::Stopped},
    {Status::Running, Verb::Delete, false, {}},
    {Status::Running, Verb::ForceDelete, true, {}},
    {Status::Running, Verb::Checkpoint, true, Status::Running},
    {Status::Paused, Verb::Start, false, {}},
    {Status::Paused, Verb::Pause, false, {}},
    {Status::Paused, Verb::Resume, true, Status::Running},
    {Status::Paused, Verb::Delete, false, {}},
    {Status::Paused, Verb::ForceDelete, true, {}},
    {Status::Paused, Verb::Checkpoint, true, Status::Paused},
    {Status::Stopped, Verb::Start, false, {}},
    {Status::Stopped, Verb::Pause, false, {}},
    {Status::Stopped, Verb::Resume, false, {}},
    {Status::Stopped, Verb::Kill, false, {}},
    {Status::Stopped, Verb::KillAll, true, Status::Stopped},
    {Status::Stopped, Verb::Delete, true, {}},
    {Status::Stopped, Verb::Checkpoint, false, {}},
};

INSTANTIATE_TEST_SUITE_P(All, EngineTransitions, ::testing::ValuesIn(kTransitions),
                         [](const ::testing::TestParamInfo<Transition>& p) {
                           std::string name = std::string(phi::statusName(p.param.from)) + "_" + verbName(p.param.verb);
                           for (char& ch : name) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return name;
                         });

TEST(TransitionRules, PredicatesMatchTheTable) {
  for (const Transition& t : kTransitions) {
    bool predicate = true;
    switch (t.verb) {
      case Verb::Start: predicate = phi::canStart(t.from); break;
      case Verb::Pause: predicate = phi::canPause(t.from); break;
      case Verb::Resume: predicate = phi::canResume(t.from); break;
      case Verb::Kill: predicate = phi::canKill(t.from); break;
      case Verb::KillAll: continue;  // --all makes a dead container a no-op
      case Verb::Delete: predicate = phi::canDelete(t.from, false); break;
      case Verb::ForceDelete: predicate = phi::canDelete(t.from, true); break;
      case Verb::Checkpoint: predicate = phi::canCheckpoint(t.from); break;
    }
    EXPECT_EQ(predicate, t.allowed) << phi::statusName(t.from) << " " << verbName(t.verb);
  }
}

TEST(TransitionRules, RecordMovesOnlyWhereTheLifecycleGoes) {
  const Status all[] = {Status::Creating, Status::Created, Status::Running, Status::Paused, Status::Stopped};
  // from -> the statuses it may move to
  const std::map<Status, std::set<Status>> allowed = {
      {Status::Creating, {Status::Created, Status::Running, Status::Stopped}},
      {Status::Created, {Status::Created, Status::Running, Status::Stopped}},
      {Status::Running, {Status::Running, Status::Paused, Status::Stopped}},
      {Status::Paused, {Status::Running, Status::Paused, Status::Stopped}},
      {Status::Stopped, {Status::Stopped}},
  };
  for (Status from : all) {
    for (Status to : all) {
      phi::ContainerRecord r;
      r.status = from;
      bool moved = phi::transition(r, to);
      bool expected = allowed.at(from).count(to) > 0;
      EXPECT_EQ(moved, expected) << phi::statusName(from) << " -> " << phi::statusName(to);
      EXPECT_EQ(r.status, moved ? to : from);
    }
  }
}

// --- a failure at each driver call ---

struct CreateFailure {
  const char* op;
};

class EngineCreateFailure : public EngineTest, public ::testing::WithParamInterface<CreateFailure> {};

TEST_P(EngineCreateFailure, RollsEverythingBack) {
  hv_->failOn(GetParam().op);
  phi::Error e = capturePhiError([&] { create("c1"); });
  EXPECT_EQ(e.code(), ErrorCode::ChildFailed) << e.what();
  EXPECT_NE(std::string(e.what()).find(GetParam().op), std::string::npos) << e.what();
  expectGone("c1");
  // The same id works once the hypervisor behaves.
  hv_->heal();
  create("c1").remove(phi::RemoveOptions().setForce(true));
  expectGone("c1");
}

INSTANTIATE_TEST_SUITE_P(EachDriverCall, EngineCreateFailure,
                         ::testing::Values(CreateFailure{"busyCpus"}, CreateFailure{"generateConfig"},
                                           CreateFailure{"create"}, CreateFailure{"watch"}),
                         [](const ::testing::TestParamInfo<CreateFailure>& p) { return p.param.op; });

TEST_F(EngineTest, RestoreFailureRollsBack) {
  phi::Error e = capturePhiError(
      [&] { runtime_->restore(phi::CreateRequest("c1", bundle("c1")), phi::RestoreOptions(tmp_ / "no-image")); });
  EXPECT_EQ(e.code(), ErrorCode::ChildFailed);
  expectGone("c1");
}

TEST_F(EngineTest, StartFailureLeavesTheContainerCreated) {
  phi::Container c = create("c1");
  hv_->failOn("start");
  EXPECT_EQ(capturePhiError([&] { c.start(); }).code(), ErrorCode::ChildFailed);
  hv_->heal();
  EXPECT_EQ(c.state().status(), Status::Created);
  c.start();
  EXPECT_EQ(c.state().status(), Status::Running);
}

TEST_F(EngineTest, ShutdownFailureLeavesItRunning) {
  phi::Container c = running("c1");
  hv_->failOn("shutdown");
  EXPECT_EQ(capturePhiError([&] { c.kill(phi::Signal(SIGTERM)); }).code(), ErrorCode::ChildFailed);
  hv_->heal();
  EXPECT_EQ(c.state().status(), Status::Running);
}

TEST_F(EngineTest, DestroyFailureKeepsTheContainerAndWhatItHolds) {
  phi::Container c = running("c1");
  hv_->failOn("destroy");
  EXPECT_EQ(capturePhiError([&] { c.kill(phi::Signal(SIGKILL)); }).code(), ErrorCode::ChildFailed);
  EXPECT_EQ(capturePhiError([&] { c.remove(phi::RemoveOptions().setForce(true)); }).code(), ErrorCode::ChildFailed);
  EXPECT_TRUE(runtime_->holds("c1"));
  EXPECT_TRUE(runtime_->resources().allocationOf("c1").has_value()) << "resources given back for a live partition";
  hv_->heal();
  c.remove(phi::RemoveOptions().setForce(true));
  expectGone("c1");
}

TEST_F(EngineTest, QueryFailureFailsStateButNotAForcedDelete) {
  phi::Container c = running("c1");
  hv_->failOn("queryState");
  EXPECT_EQ(capturePhiError([&] { c.state(); }).code(), ErrorCode::ChildFailed);
  EXPECT_EQ(c.recordedState().status(), Status::Running);
  EXPECT_EQ(capturePhiError([&] { c.remove(); }).code(), ErrorCode::ChildFailed);
  c.remove(phi::RemoveOptions().setForce(true));
  expectGone("c1");
}

TEST_F(EngineTest, PauseAndResumeFailuresKeepTheStatus) {
  phi::Container c = running("c1");
  hv_->failOn("pause");
  EXPECT_EQ(capturePhiError([&] { c.pause(); }).code(), ErrorCode::ChildFailed);
  EXPECT_EQ(c.state().status(), Status::Running);
  hv_->heal();
  c.pause();
  hv_->failOn("resume");
  EXPECT_EQ(capturePhiError([&] { c.resume(); }).code(), ErrorCode::ChildFailed);
  EXPECT_EQ(c.state().status(), Status::Paused);
}

TEST_F(EngineTest, CheckpointFailureKeepsItRunning) {
  phi::Container c = running("c1");
  hv_->failOn("checkpoint");
  EXPECT_EQ(capturePhiError([&] { c.checkpoint(phi::CheckpointOptions(tmp_ / "img")); }).code(),
            ErrorCode::ChildFailed);
  EXPECT_EQ(c.state().status(), Status::Running);
}

// --- resources ---

TEST_F(EngineTest, PoolsRunOutAndComeBack) {
  const phi::ResourceView initial = runtime_->resources();
  std::vector<phi::Container> held;
  for (const char* id : {"a", "b", "c"}) held.push_back(create(id));  // the board has 3 CPUs to give
  EXPECT_TRUE(runtime_->resources().freeCpus().empty());
  phi::Error e = capturePhiError([&] { create("d"); });
  EXPECT_EQ(e.code(), ErrorCode::NotFound);
  EXPECT_NE(std::string(e.what()).find("not enough CPUs"), std::string::npos) << e.what();
  EXPECT_FALSE(runtime_->holds("d"));
  for (phi::Container& c : held) c.remove();
  phi::ResourceView after = runtime_->resources();
  EXPECT_TRUE(after.idle());
  EXPECT_EQ(after.freeCpus(), initial.freeCpus());
  EXPECT_EQ(after.freeMemory(), initial.freeMemory());
}

TEST_F(EngineTest, CpusHeldOutsideRunphiAreNotOffered) {
  const std::string twoCpus = R"(,"linux":{"resources":{"cpu":{"quota":200000,"period":100000}}})";
  // CPU 1, the first the pool would give, is held by a partition made
  // outside runphi; the fake hypervisor refuses it as Jailhouse does.
  hv_->holdOutside({1});
  phi::Container c1 = create("c1", twoCpus);
  ASSERT_TRUE(runtime_->resources().allocationOf("c1").has_value());
  EXPECT_EQ(runtime_->resources().allocationOf("c1")->cpus(), (std::vector<int>{2, 3}));
  EXPECT_NE(log_.find("the hypervisor reports CPUs 1 in use"), std::string::npos) << log_;
  // Skipped, not recorded as anyone's.
  EXPECT_EQ(runtime_->resources().freeCpus(), (std::vector<int>{1}));
  // Nothing else is free: the next create says why and leaves nothing.
  phi::Error e = capturePhiError([&] { create("c2"); });
  EXPECT_EQ(e.code(), ErrorCode::NotFound);
  EXPECT_STREQ(e.what(), "not enough CPUs: asked 1, free 0 (1 held by a partition runphi did not create)");
  EXPECT_FALSE(runtime_->holds("c2"));
  // Once the outsider is gone, CPU 1 is offered again.
  hv_->holdOutside({});
  phi::Container c2 = create("c2");
  EXPECT_EQ(runtime_->resources().allocationOf("c2")->cpus(), (std::vector<int>{1}));
  c1.remove(phi::RemoveOptions().setForce(true));
  c2.remove(phi::RemoveOptions().setForce(true));
  expectGone("c1");
}

TEST_F(EngineTest, ListShowsTheRecordedStates) {
  create("b");
  running("a");
  std::vector<phi::ContainerState> all = runtime_->list();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id(), "a");
  EXPECT_EQ(all[0].status(), Status::Running);
  EXPECT_EQ(all[1].id(), "b");
  EXPECT_EQ(all[1].status(), Status::Created);
}

}  // namespace
