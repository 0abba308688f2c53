#include "mpi-bridge/bridge.h"

#include "absl/strings/str_join.h"
#include "engine/fake_guest_memory.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mpi-bridge/bridge_test_support.h"
#include "mpi-bridge/fake_transport.h"

namespace wasmhpc::mpi {
namespace {

using ::testing::HasSubstr;

constexpr uint32_t kMemory = 65536;

class BridgeTest : public BridgeFixture {
 protected:
  BridgeTest() : bridge_({.transport = &mpi_}), guest_(kMemory) {
    Bind(bridge_, guest_);
  }

  void Init() { InitMpi(/*errors_return=*/false); }
  uint8_t* Host(uint32_t offset) {
    return guest_.fake_memory().bytes().data() + offset;
  }

  // As the engine calls a fast import: the fast entry, then the callback
  // with the same arguments if the fast entry did not finish the call.
  absl::StatusOr<uint64_t> CallFast(const std::string& name,
                                    std::vector<uint64_t> args,
                                    bool* finished_fast) {
    const engine::HostFunc& f = imports().at(name);
    EXPECT_TRUE(f.fast) << name;
    const int64_t fast = f.fast(guest_, args.data());
    *finished_fast = fast != engine::kHandToCallback;
    if (*finished_fast) return static_cast<uint64_t>(fast);
    return f.callback(guest_, args.data());
  }

  FakeTransport mpi_;
  Bridge bridge_;
  engine::FakeHostContext guest_;
};

TEST_F(BridgeTest, FastEntryFinishesSuccessAndErrorsReturn) {
  Init();
  bool fast = false;
  ASSERT_EQ(*CallFast("MPI_Send",
                      {0x100, 4, abi::kDouble, 2, 7, abi::kCommWorld}, &fast),
            0u);
  EXPECT_TRUE(fast);
  EXPECT_EQ(mpi_.last.buffer, Host(0x100));
  ASSERT_EQ(
      *Call("MPI_Comm_set_errhandler", {abi::kCommWorld, abi::kErrorsReturn}),
      0u);
  EXPECT_EQ(
      *CallFast("MPI_Send",
                {kMemory - 8, 2, abi::kDouble, 1, 0, abi::kCommWorld}, &fast),
      uint64_t{abi::kErrBuffer});
  EXPECT_TRUE(fast);
}

TEST_F(BridgeTest, FastEntryLeavesTrapsToTheCallbackWithoutRedoingTheCall) {
  Init();
  bool fast = true;
  auto r = CallFast(
      "MPI_Send", {kMemory - 8, 2, abi::kDouble, 1, 0, abi::kCommWorld}, &fast);
  EXPECT_FALSE(fast);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(r.status().message(),
            "MPI_Send: buffer [0xfff8,+16) exceeds linear memory of 65536 "
            "bytes");
  EXPECT_EQ(mpi_.sends, 0);
  // The next call is a new one.
  ASSERT_EQ(*CallFast("MPI_Send",
                      {0x100, 4, abi::kDouble, 2, 7, abi::kCommWorld}, &fast),
            0u);
  EXPECT_EQ(mpi_.sends, 1);
}

TEST_F(BridgeTest, FastEntryBeforeInitLeavesTheCallToTheCallback) {
  bool fast = true;
  auto r = CallFast("MPI_Comm_rank", {abi::kCommWorld, 0x100}, &fast);
  EXPECT_FALSE(fast);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAborted);
}

TEST_F(BridgeTest, OnlyHotCallsWithoutGuestCallbacksHaveFastEntries) {
  EXPECT_TRUE(imports().at("MPI_Comm_rank").fast);
  EXPECT_TRUE(imports().at("MPI_Allreduce").fast);
  EXPECT_FALSE(imports().at("MPI_Comm_dup").fast);   // attribute copy fns
  EXPECT_FALSE(imports().at("MPI_Alloc_mem").fast);  // the guest's malloc
  EXPECT_FALSE(imports().at("MPI_Wtime").fast);      // f64 result
}

TEST_F(BridgeTest, SendPassesTheGuestBufferWithoutCopy) {
  Init();
  ASSERT_EQ(*Call("MPI_Send", {0x100, 4, abi::kDouble, 2, 7, abi::kCommWorld}),
            0u);
  EXPECT_EQ(mpi_.last.buffer, Host(0x100));
  EXPECT_EQ(mpi_.last.count, 4);
  EXPECT_EQ(mpi_.last.type, MPI_DOUBLE);
  EXPECT_EQ(mpi_.last.peer, 2);
  EXPECT_EQ(mpi_.last.tag, 7);
}

TEST_F(BridgeTest, ProcNullAndAnyTagAreTranslated) {
  Init();
  ASSERT_EQ(*Call("MPI_Send",
                  {0x100, 1, abi::kInt, uint32_t(-3), 1, abi::kCommWorld}),
            0u);
  EXPECT_EQ(mpi_.last.peer, MPI_PROC_NULL);
  ASSERT_EQ(*Call("MPI_Recv", {0x100, 1, abi::kInt, uint32_t(-1), uint32_t(-2),
                               abi::kCommWorld, 0}),
            0u);
  EXPECT_EQ(mpi_.last.peer, MPI_ANY_SOURCE);
  EXPECT_EQ(mpi_.last.tag, MPI_ANY_TAG);
  // The guest's MPI_STATUS_IGNORE reaches the host as the host's.
  EXPECT_EQ(mpi_.last_status, MPI_STATUS_IGNORE);
}

TEST_F(BridgeTest, BufferPastLinearMemoryTrapsNamingTheCall) {
  Init();
  auto r =
      Call("MPI_Send", {kMemory - 8, 2, abi::kDouble, 1, 0, abi::kCommWorld});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(r.status().message(),
            "MPI_Send: buffer [0xfff8,+16) exceeds linear memory of 65536 "
            "bytes");
  EXPECT_EQ(mpi_.sends, 0);  // the host never saw it
}

TEST_F(BridgeTest, ErrorsReturnGivesTheCodeInstead) {
  Init();
  ASSERT_EQ(
      *Call("MPI_Comm_set_errhandler", {abi::kCommWorld, abi::kErrorsReturn}),
      0u);
  EXPECT_EQ(
      *Call("MPI_Send", {kMemory - 8, 2, abi::kDouble, 1, 0, abi::kCommWorld}),
      uint64_t{abi::kErrBuffer});
  EXPECT_EQ(
      *Call("MPI_Send", {0, uint32_t(-1), abi::kDouble, 1, 0, abi::kCommWorld}),
      uint64_t{abi::kErrCount});
}

TEST_F(BridgeTest, HandleOfWrongKindIsNamed) {
  Init();
  auto r = Call("MPI_Send",
                {0x100, 1, abi::kInt, 1, 0, abi::kDouble /*a datatype*/});
  EXPECT_EQ(r.status().message(),
            "MPI_Send: invalid communicator 0x214 (it is a datatype handle)");
}

TEST_F(BridgeTest, FreedCommunicatorIsRejected) {
  Init();
  // MPI_Comm_dup is not faked: make a user handle directly.
  abi::Handle comm = *bridge_.comms().Insert({MPI_COMM_WORLD});
  bridge_.comms().Erase(comm);
  auto r = Call("MPI_Barrier", {comm});
  EXPECT_THAT(r.status().message(), HasSubstr("null, freed or never created"));
}

TEST_F(BridgeTest, CallsBeforeInitAndAfterFinalizeFail) {
  auto before = Call("MPI_Send", {0x100, 1, abi::kInt, 1, 0, abi::kCommWorld});
  EXPECT_EQ(before.status().message(), "MPI_Send: called before MPI_Init");
  Init();
  ASSERT_EQ(*Call("MPI_Finalize", {}), 0u);
  auto after = Call("MPI_Barrier", {abi::kCommWorld});
  EXPECT_EQ(after.status().message(), "MPI_Barrier: called after MPI_Finalize");
  uint32_t flag = 0x200;
  ASSERT_EQ(*Call("MPI_Finalized", {flag}), 0u);
  EXPECT_EQ(guest_.fake_memory().Load<int32_t>(flag), 1);
}

TEST_F(BridgeTest, StatusIsTranslatedToThe32ByteAbiLayout) {
  Init();
  mpi_.next_status.MPI_SOURCE = 3;
  mpi_.next_status.MPI_TAG = 9;
  mpi_.next_status._ucount = 24;
  const uint32_t status = 0x400, count = 0x500;
  ASSERT_EQ(*Call("MPI_Recv",
                  {0x100, 3, abi::kDouble, 3, 9, abi::kCommWorld, status}),
            0u);
  auto& m = guest_.fake_memory();
  EXPECT_EQ(m.Load<int32_t>(status + 0), 3);
  EXPECT_EQ(m.Load<int32_t>(status + 4), 9);
  EXPECT_EQ(m.Load<int32_t>(status + 8), 0);
  EXPECT_EQ(m.Load<int64_t>(status + 12), 24);
  ASSERT_EQ(*Call("MPI_Get_count", {status, abi::kDouble, count}), 0u);
  EXPECT_EQ(m.Load<int32_t>(count), 3);
  ASSERT_EQ(*Call("MPI_Get_count", {status, abi::kShortInt, count}), 0u);
  EXPECT_EQ(m.Load<int32_t>(count), 4);  // 24 / 6
  ASSERT_EQ(*Call("MPI_Get_count", {status, abi::kInt64T, count}), 0u);
  EXPECT_EQ(m.Load<int32_t>(count), 3);
}

TEST_F(BridgeTest, ProcNullStatusUsesGuestSentinels) {
  Init();
  mpi_.next_status.MPI_SOURCE = MPI_PROC_NULL;
  mpi_.next_status.MPI_TAG = MPI_ANY_TAG;
  ASSERT_EQ(*Call("MPI_Recv", {0x100, 0, abi::kInt, uint32_t(-3), 0,
                               abi::kCommWorld, 0x400}),
            0u);
  EXPECT_EQ(guest_.fake_memory().Load<int32_t>(0x400), abi::kProcNull);
  EXPECT_EQ(guest_.fake_memory().Load<int32_t>(0x404), abi::kAnyTag);
}

TEST_F(BridgeTest, PlatformSizedTypesAreTheGuests) {
  Init();
  const uint32_t out = 0x300;
  ASSERT_EQ(*Call("MPI_Type_size", {abi::kLong, out}), 0u);
  EXPECT_EQ(guest_.fake_memory().Load<int32_t>(out), 4);
  ASSERT_EQ(*Call("MPI_Type_size", {abi::kAint, out}), 0u);
  EXPECT_EQ(guest_.fake_memory().Load<int32_t>(out), 4);
  ASSERT_EQ(*Call("MPI_Send", {0x100, 1, abi::kLong, 1, 0, abi::kCommWorld}),
            0u);
  EXPECT_EQ(mpi_.last.type, MPI_INT);
}

TEST_F(BridgeTest, ImportSignaturesFollowTheAbi) {
  EXPECT_EQ(engine::ToString(imports().at("MPI_Send").type),
            "(i32, i32, i32, i32, i32, i32) -> i32");
  EXPECT_EQ(engine::ToString(imports().at("MPI_Wtime").type), "() -> f64");
  EXPECT_EQ(engine::ToString(imports().at("MPI_Type_size_x").type),
            "(i32, i32) -> i32");
}

TEST_F(BridgeTest, HandleIntConversionsAreIdentity) {
  EXPECT_EQ(*Call("MPI_Comm_toint", {abi::kCommWorld}), abi::kCommWorld);
  EXPECT_EQ(*Call("MPI_Type_fromint", {abi::kDouble}), abi::kDouble);
  EXPECT_EQ(*Call("MPI_Pcontrol", {1, 0}), 0u);
}

// One Wasm type letter per value, as the ABI table's signatures spell them.
std::string Letters(const std::vector<engine::ValType>& types) {
  std::string out;
  for (engine::ValType t : types) {
    out += t == engine::ValType::kI32   ? 'i'
           : t == engine::ValType::kI64 ? 'I'
           : t == engine::ValType::kF64 ? 'F'
                                        : '?';
  }
  return out;
}

// The bridge binds exactly the table's supported functions
// (sdk/abi/mpi_abi.txt), each with the Wasm signature of its C declaration,
// and gives a fast entry exactly to the table's fast calls.
TEST_F(BridgeTest, ImportsAreTheAbiTablesSupportedFunctions) {
  std::vector<std::string> not_bound;
  for (const abi::Function& f : abi::kFunctions) {
    auto it = imports().find(std::string(f.name));
    if (!f.supported) {
      EXPECT_EQ(it, imports().end())
          << f.name << " is bound, table: unsupported";
      continue;
    }
    if (it == imports().end()) {
      not_bound.emplace_back(f.name);
      continue;
    }
    EXPECT_EQ(Letters(it->second.type.params), f.params) << f.name;
    EXPECT_EQ(Letters(it->second.type.results), f.results) << f.name;
    EXPECT_EQ(static_cast<bool>(it->second.fast), f.fast) << f.name;
  }
  EXPECT_TRUE(not_bound.empty())
      << "not bound, table: supported: " << absl::StrJoin(not_bound, " ");
  // Every binding is in the table, once.
  const std::vector<std::string>& bound = Bridge::ProvidedFunctions();
  EXPECT_EQ(std::adjacent_find(bound.begin(), bound.end()), bound.end());
  for (const std::string& name : bound) {
    EXPECT_TRUE(std::any_of(
        std::begin(abi::kFunctions), std::end(abi::kFunctions),
        [&](const abi::Function& f) { return f.name == name && f.supported; }))
        << name << " is bound, not a supported function of the table";
  }
}

TEST(BridgeFunctions, ListIsSortedAndNamesTheHotCalls) {
  const auto& names = Bridge::ProvidedFunctions();
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_TRUE(std::binary_search(names.begin(), names.end(), "MPI_Send"));
  EXPECT_TRUE(std::binary_search(names.begin(), names.end(), "MPI_Allreduce"));
}

}  // namespace
}  // namespace wasmhpc::mpi
