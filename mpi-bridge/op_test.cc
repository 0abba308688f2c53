// User-defined ops: the op table, the trampoline pool, zero-copy and
// scratch-copied calls of the guest function, and its failures.
#include "mpi-bridge/op.h"

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mpi-bridge/bridge_test_support.h"
#include "mpi-bridge/coll_fake_transport.h"

namespace wasmhpc::mpi {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr uint32_t kMemory = 65536;
constexpr uint32_t kHeap = 0x8000;  // the fake guest malloc's arena
constexpr uint32_t kInt = abi::kInt, kLong = abi::kLong,
                   kWorld = abi::kCommWorld;
constexpr uint32_t kSumFn = 5, kOpOut = 0x700;

class OpTest : public BridgeFixture {
 protected:
  OpTest() : bridge_({.transport = &mpi_}), guest_(kMemory, kHeap) {
    Bind(bridge_, guest_);
    InitMpi(/*errors_return=*/false);
    // The guest's int sum: inout[i] += in[i]; records its arguments.
    guest_.table[kSumFn] = {
        UserOp::FunctionType(), [this](const std::vector<uint64_t>& a) {
          calls_.push_back(a);
          auto& m = guest_.fake_memory();
          int32_t len = m.Load<int32_t>(a[2]);
          seen_type_ = m.Load<uint32_t>(a[3]);
          for (int32_t i = 0; i < len; ++i) {
            uint32_t in = a[0] + 4 * i, io = a[1] + 4 * i;
            m.Store<int32_t>(io, m.Load<int32_t>(io) + m.Load<int32_t>(in));
          }
          return 0;
        }};
  }

  void ReturnErrors() {
    ASSERT_EQ(*Call("MPI_Comm_set_errhandler", {kWorld, abi::kErrorsReturn}),
              0u);
  }
  uint32_t CreateOp(uint32_t function, int commute = 1) {
    EXPECT_EQ(*Call("MPI_Op_create", {function, uint32_t(commute), kOpOut}),
              0u);
    return guest_.fake_memory().Load<uint32_t>(kOpOut);
  }
  void StoreInts(uint32_t at, std::vector<int32_t> v) {
    for (size_t i = 0; i < v.size(); ++i) {
      guest_.fake_memory().Store<int32_t>(at + 4 * i, v[i]);
    }
  }
  std::vector<int32_t> LoadInts(uint32_t at, int n) {
    std::vector<int32_t> v;
    for (int i = 0; i < n; ++i) {
      v.push_back(guest_.fake_memory().Load<int32_t>(at + 4 * i));
    }
    return v;
  }

  CollFakeTransport mpi_;
  Bridge bridge_;
  ExportingHostContext guest_;
  std::vector<std::vector<uint64_t>> calls_;
  uint32_t seen_type_ = 0;
};

TEST_F(OpTest, ReduceLocalRunsTheGuestFunctionOnGuestBuffersWithoutCopy) {
  uint32_t op = CreateOp(kSumFn);
  StoreInts(0x100, {1, 2, 3});
  StoreInts(0x200, {10, 20, 30});
  ASSERT_EQ(*Call("MPI_Reduce_local", {0x100, 0x200, 3, kLong, op}), 0u);
  EXPECT_THAT(LoadInts(0x200, 3), ElementsAre(11, 22, 33));
  ASSERT_EQ(calls_.size(), 1u);
  EXPECT_EQ(calls_[0][0], 0x100u);
  EXPECT_EQ(calls_[0][1], 0x200u);
  EXPECT_GE(calls_[0][2], kHeap);  // len and datatype live in scratch
  EXPECT_EQ(seen_type_, kLong);    // the guest's handle, not MPI_INT's
  EXPECT_EQ(mpi_.last_coll.stype, MPI_INT);
}

TEST_F(OpTest, HostTemporariesAreCopiedThroughGuestScratch) {
  uint32_t op = CreateOp(kSumFn);
  StoreInts(0x100, {1, 2, 3});
  StoreInts(0x200, {10, 20, 30});
  ASSERT_EQ(*Call("MPI_Allreduce", {0x100, 0x200, 3, kInt, op, kWorld}), 0u);
  EXPECT_THAT(LoadInts(0x200, 3), ElementsAre(11, 22, 33));
  ASSERT_EQ(calls_.size(), 1u);
  EXPECT_GE(calls_[0][0], kHeap);
  EXPECT_GE(calls_[0][1], kHeap);
  EXPECT_EQ(calls_[0][0] % 16, 0u);
  EXPECT_EQ(calls_[0][1] % 16, 0u);
  EXPECT_EQ(seen_type_, kInt);
  // The scratch area is reused.
  ASSERT_EQ(*Call("MPI_Allreduce", {0x100, 0x200, 3, kInt, op, kWorld}), 0u);
  EXPECT_THAT(LoadInts(0x200, 3), ElementsAre(12, 24, 36));
  EXPECT_EQ(guest_.mallocs, 1);
}

TEST_F(OpTest, OpFreeGivesScratchAndHostOpBack) {
  uint32_t op = CreateOp(kSumFn);
  ASSERT_EQ(*Call("MPI_Allreduce", {0x100, 0x200, 3, kInt, op, kWorld}), 0u);
  uint32_t scratch = calls_[0][2];
  ASSERT_EQ(*Call("MPI_Op_free", {kOpOut}), 0u);
  EXPECT_THAT(guest_.freed, ElementsAre(scratch));
  EXPECT_EQ(mpi_.op_frees, 1);
  EXPECT_EQ(guest_.fake_memory().Load<uint32_t>(kOpOut), abi::kOpNull);
  auto r = Call("MPI_Allreduce", {0x100, 0x200, 3, kInt, op, kWorld});
  EXPECT_THAT(r.status().message(), HasSubstr("invalid op"));
}

TEST_F(OpTest, CommutativeFlagComesFromTheHost) {
  uint32_t op = CreateOp(kSumFn, 0);
  ASSERT_EQ(*Call("MPI_Op_commutative", {op, 0x300}), 0u);
  EXPECT_EQ(guest_.fake_memory().Load<int32_t>(0x300), 0);
  EXPECT_EQ(mpi_.user_ops[0].second, 0);
  ASSERT_EQ(*Call("MPI_Op_commutative", {abi::kSum, 0x300}), 0u);
  EXPECT_EQ(guest_.fake_memory().Load<int32_t>(0x300), 1);
}

TEST_F(OpTest, PredefinedOpsCannotBeFreed) {
  guest_.fake_memory().Store<uint32_t>(0x300, abi::kSum);
  EXPECT_EQ(Call("MPI_Op_free", {0x300}).status().message(),
            "MPI_Op_free: op 0x21 is predefined and cannot be freed");
}

TEST_F(OpTest, NullFunctionIsRejected) {
  ReturnErrors();
  EXPECT_EQ(*Call("MPI_Op_create", {0, 1, kOpOut}), uint64_t{abi::kErrArg});
}

TEST_F(OpTest, FunctionOfTheWrongTypeIsAnMpiErrOpOfTheReduction) {
  guest_.table[6] = {engine::FuncType{{engine::ValType::kI32}, {}},
                     [](const std::vector<uint64_t>&) { return 0; }};
  uint32_t op = CreateOp(6);
  EXPECT_EQ(
      Call("MPI_Reduce_local", {0x100, 0x200, 3, kInt, op}).status().message(),
      "MPI_Reduce_local: user op function 0x6 is not a function of type "
      "(i32, i32, i32, i32) -> ()");
  ReturnErrors();
  EXPECT_EQ(*Call("MPI_Allreduce", {0x100, 0x200, 3, kInt, op, kWorld}),
            uint64_t{abi::kErrOp});
}

TEST_F(OpTest, TrapInTheUserFunctionTrapsTheCallEvenUnderErrorsReturn) {
  ReturnErrors();
  guest_.trapping.insert(kSumFn);
  uint32_t op = CreateOp(kSumFn);
  mpi_.temporary_calls = 3;  // the later calls are skipped
  auto r = Call("MPI_Allreduce", {0x100, 0x200, 3, kInt, op, kWorld});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(r.status().message(),
            "MPI_Allreduce: user op function 0x5 trapped: RuntimeError: "
            "unreachable");
  EXPECT_EQ(guest_.indirect_calls, 1);
  // The scratch area is free again for the next call.
  guest_.trapping.clear();
  ASSERT_EQ(*Call("MPI_Allreduce", {0x100, 0x200, 3, kInt, op, kWorld}), 0u);
  EXPECT_EQ(guest_.mallocs, 1);
}

TEST_F(OpTest, TrampolinePoolRunsOutAfterKTrampolinesOps) {
  std::set<MPI_User_function*> trampolines;
  for (int i = 0; i < UserOp::kTrampolines; ++i) CreateOp(kSumFn);
  for (auto& [fn, commute] : mpi_.user_ops) trampolines.insert(fn);
  EXPECT_EQ(trampolines.size(), size_t{UserOp::kTrampolines});
  EXPECT_EQ(Call("MPI_Op_create", {kSumFn, 1, kOpOut}).status().message(),
            "MPI_Op_create: all 128 user op trampolines are in use "
            "(MPI_Op_free gives them back)");
  ASSERT_EQ(*Call("MPI_Op_free", {kOpOut}), 0u);
  CreateOp(kSumFn);
}

TEST_F(OpTest, NonblockingReductionKeepsTheOpUntilItCompletes) {
  uint32_t op = CreateOp(kSumFn);
  std::weak_ptr<UserOp> user = bridge_.ops().Find(op)->user;
  StoreInts(0x100, {1, 2, 3});
  StoreInts(0x200, {10, 20, 30});
  ASSERT_EQ(*Call("MPI_Iallreduce", {0x100, 0x200, 3, kInt, op, kWorld, 0x600}),
            0u);
  ASSERT_EQ(*Call("MPI_Op_free", {kOpOut}), 0u);
  EXPECT_FALSE(user.expired());
  // The host progresses the reduction inside MPI_Wait.
  mpi_.on_wait = [&] {
    mpi_.Reduce_local(guest_.fake_memory().bytes().data() + 0x100,
                      guest_.fake_memory().bytes().data() + 0x200, 3, MPI_INT,
                      mpi_.FakeOp(0));
  };
  ASSERT_EQ(*Call("MPI_Wait", {0x600, 0}), 0u);
  EXPECT_THAT(LoadInts(0x200, 3), ElementsAre(11, 22, 33));
  EXPECT_TRUE(user.expired());
}

// MPI_Wait (and every completion call) runs in a UserOpScope: a user op of
// a nonblocking reduction that traps while MPI_Wait progresses it makes
// MPI_Wait trap.
TEST_F(OpTest, TrapWhileWaitCompletesAReductionIsATrapOfWait) {
  guest_.trapping.insert(kSumFn);
  uint32_t op = CreateOp(kSumFn);
  ASSERT_EQ(*Call("MPI_Iallreduce", {0x100, 0x200, 3, kInt, op, kWorld, 0x600}),
            0u);
  mpi_.on_wait = [&] {
    mpi_.Reduce_local(guest_.fake_memory().bytes().data() + 0x100,
                      guest_.fake_memory().bytes().data() + 0x200, 3, MPI_INT,
                      mpi_.FakeOp(0));
  };
  absl::StatusOr<uint64_t> r = Call("MPI_Wait", {0x600, 0});
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(),
              HasSubstr("MPI_Wait: user op function 0x5 trapped"));
  EXPECT_FALSE(bridge_.aborted());
}

// Progress outside every import's scope (another MPI call's): nothing can
// report the failure, so the job is aborted.
TEST_F(OpTest, FailureOutsideItsReductionAbortsTheJob) {
  guest_.trapping.insert(kSumFn);
  uint32_t op = CreateOp(kSumFn);
  ASSERT_EQ(*Call("MPI_Iallreduce", {0x100, 0x200, 3, kInt, op, kWorld, 0x600}),
            0u);
  int n = 3;
  MPI_Datatype type = MPI_INT;
  mpi_.user_ops[0].first(guest_.fake_memory().bytes().data() + 0x100,
                         guest_.fake_memory().bytes().data() + 0x200, &n,
                         &type);
  EXPECT_TRUE(bridge_.aborted());
  EXPECT_TRUE(guest_.exit_requested());
}

TEST_F(OpTest, HostOpIsFreedWithTheBridgeUnlessMpiIsFinalized) {
  for (int finalized : {0, 1}) {
    CollFakeTransport mpi;
    mpi.finalized = finalized;
    {
      Bridge bridge({.transport = &mpi});
      engine::HostFunc create;
      for (engine::HostFunc& f : bridge.Imports()) {
        if (f.name == "MPI_Op_create") create = std::move(f);
      }
      bridge.set_state(Bridge::State::kInitialized);
      std::vector<uint64_t> args = {kSumFn, 1, kOpOut};
      ASSERT_EQ(*create.callback(guest_, args.data()), 0u);
    }
    EXPECT_EQ(mpi.op_frees, finalized ? 0 : 1);
  }
}

TEST_F(OpTest, UserOpsNeedTheSdkAllocator) {
  engine::FakeHostContext plain(kMemory);
  auto run = [&](const std::string& name, std::vector<uint64_t> args) {
    return imports().at(name).callback(plain, args.data());
  };
  ASSERT_EQ(*run("MPI_Op_create", {kSumFn, 1, kOpOut}), 0u);
  uint32_t op = plain.fake_memory().Load<uint32_t>(kOpOut);
  auto r = run("MPI_Reduce_local", {0x100, 0x200, 3, kInt, op});
  EXPECT_THAT(r.status().message(),
              HasSubstr("no guest scratch memory: the module exports no "
                        "wasmhpc_allocator: it was not linked by the current "
                        "wasmhpc SDK; rebuild it with sdk/bin/wasmhpc-cc"));
}

}  // namespace
}  // namespace wasmhpc::mpi
