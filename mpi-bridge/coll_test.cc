// Argument translation of the collectives: root-only significance,
// MPI_IN_PLACE, -v/-w blocks, datatype arrays, intercommunicator roots and
// what a nonblocking request keeps.
#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mpi-bridge/bridge.h"
#include "mpi-bridge/bridge_test_support.h"
#include "mpi-bridge/coll_fake_transport.h"

namespace wasmhpc::mpi {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr uint32_t kMemory = 65536;
constexpr uint32_t kInt = abi::kInt, kLong = abi::kLong, kDouble = abi::kDouble,
                   kInt64 = abi::kInt64T, kWorld = abi::kCommWorld,
                   kBad = 0xdead;
constexpr uint32_t kInPlace = abi::kInPlace;
constexpr uint32_t kRoot = static_cast<uint32_t>(abi::kRoot);
constexpr uint32_t kProcNull = static_cast<uint32_t>(abi::kProcNull);

class CollTest : public BridgeFixture {
 protected:
  CollTest() : bridge_({.transport = &mpi_}), guest_(kMemory, 0x8000) {
    Bind(bridge_, guest_);
    InitMpi(/*errors_return=*/false);
  }

  // The error class a call returns under MPI_ERRORS_RETURN.
  uint64_t Class(const std::string& name, std::vector<uint64_t> args) {
    EXPECT_EQ(*Call("MPI_Comm_set_errhandler", {kWorld, abi::kErrorsReturn}),
              0u);
    return *Call(name, std::move(args));
  }
  std::string Trap(const std::string& name, std::vector<uint64_t> args) {
    absl::StatusOr<uint64_t> r = Call(name, std::move(args));
    EXPECT_FALSE(r.ok()) << name;
    return std::string(r.status().message());
  }
  void BeRank(int rank) { bridge_.comms().Find(kWorld)->rank = rank; }
  // Makes the world an intercommunicator with a remote group of `remote`
  // ranks, for the host and in the bridge's cached entry.
  void BeInter(int remote) {
    mpi_.inter = true;
    mpi_.remote_size = remote;
    CommEntry* world = bridge_.comms().Find(kWorld);
    world->inter = true;
    world->remote_size = remote;
  }
  uint8_t* Host(uint32_t offset) {
    return guest_.fake_memory().bytes().data() + offset;
  }
  void StoreInts(uint32_t at, std::vector<int32_t> v) {
    for (size_t i = 0; i < v.size(); ++i) {
      guest_.fake_memory().Store<int32_t>(at + 4 * i, v[i]);
    }
  }
  const CollFakeTransport::Args& last() { return mpi_.last_coll; }

  CollFakeTransport mpi_;  // rank 0 of 4
  Bridge bridge_;
  ExportingHostContext guest_;
};

// wasm32's long double is binary128: the bridge reduces it with a host op
// computing in __float128, never with the host's x87 MPI_SUM.
TEST_F(CollTest, LongDoubleReducesInBinary128) {
  const __float128 a = 1 + __float128{1} / (__float128{1} * (1LL << 50) *
                                            (1LL << 50));  // 1 + 2^-100
  std::memcpy(Host(0x100), &a, 16);
  std::memcpy(Host(0x200), &a, 16);
  ASSERT_EQ(
      *Call("MPI_Reduce_local", {0x100, 0x200, 1, abi::kLongDouble, abi::kSum}),
      0u);
  EXPECT_NE(last().op, MPI_SUM);
  ASSERT_EQ(mpi_.user_ops.size(), 1u);
  EXPECT_EQ(mpi_.user_ops[0].second, 1);  // commutative
  __float128 sum;
  std::memcpy(&sum, Host(0x200), 16);
  EXPECT_TRUE(sum == a + a);
  // The same op again: made once.
  ASSERT_EQ(
      *Call("MPI_Reduce_local", {0x100, 0x200, 1, abi::kLongDouble, abi::kSum}),
      0u);
  EXPECT_EQ(mpi_.user_ops.size(), 1u);
}

// MINLOC on {long double, int}: 20 bytes of data a 32-byte element; the
// padding after the last one is not the op's to write.
TEST_F(CollTest, LongDoubleIntMinlocKeepsTheSmallerIndexAndThePadding) {
  const __float128 one = 1, two = 2;
  std::memcpy(Host(0x100), &one, 16);
  StoreInts(0x110, {7});
  std::memcpy(Host(0x200), &one, 16);
  StoreInts(0x210, {3});
  std::memcpy(Host(0x120), &one, 16);
  StoreInts(0x130, {9});
  std::memcpy(Host(0x220), &two, 16);
  StoreInts(0x230, {1, 0x5a5a5a5a});
  ASSERT_EQ(*Call("MPI_Reduce_local",
                  {0x100, 0x200, 2, abi::kLongDoubleInt, abi::kMinloc}),
            0u);
  EXPECT_EQ(guest_.fake_memory().Load<int32_t>(0x210), 3);  // tie: smaller
  __float128 v;
  std::memcpy(&v, Host(0x220), 16);
  EXPECT_TRUE(v == one);
  EXPECT_EQ(guest_.fake_memory().Load<int32_t>(0x230), 9);
  EXPECT_EQ(guest_.fake_memory().Load<int32_t>(0x234), 0x5a5a5a5a);
}

TEST_F(CollTest, LongDoubleOpsTheStandardDoesNotDefineAreMpiErrOp) {
  EXPECT_THAT(
      Trap("MPI_Reduce_local", {0x100, 0x200, 1, abi::kLongDouble, abi::kBand}),
      HasSubstr("MPI_SUM, MPI_PROD, MPI_MIN and MPI_MAX"));
  EXPECT_EQ(Class("MPI_Reduce_local",
                  {0x100, 0x200, 1, abi::kLongDoubleInt, abi::kSum}),
            static_cast<uint64_t>(abi::kErrOp));
  EXPECT_EQ(Class("MPI_Reduce_local",
                  {0x100, 0x200, 1, abi::kCLongDoubleComplex, abi::kMax}),
            static_cast<uint64_t>(abi::kErrOp));
}

TEST_F(CollTest, GatherReceiveArgumentsMatterOnlyAtTheRoot) {
  BeRank(1);
  ASSERT_EQ(*Call("MPI_Gather",
                  {0x100, 2, kInt, kMemory + 64, 1000, kBad, 0, kWorld}),
            0u);
  EXPECT_EQ(last().sbuf, Host(0x100));
  EXPECT_EQ(last().stype, MPI_INT);
  EXPECT_EQ(last().rbuf, nullptr);
  EXPECT_EQ(last().rtype, MPI_DATATYPE_NULL);
  EXPECT_EQ(last().root, 0);
  // A valid handle still goes to the host, as a native call would pass it.
  ASSERT_EQ(*Call("MPI_Gather", {0x100, 2, kInt, 0, 2, kDouble, 0, kWorld}),
            0u);
  EXPECT_EQ(last().rtype, MPI_DOUBLE);
}

TEST_F(CollTest, GatherRootChecksTheWholeReceiveBuffer) {
  EXPECT_EQ(
      Trap("MPI_Gather", {0x100, 2, kInt, kMemory - 16, 2, kInt, 0, kWorld}),
      "MPI_Gather: recvbuf [0xfff0,+32) exceeds linear memory of 65536 "
      "bytes");
  EXPECT_EQ(last().name, "");  // the host never saw it
}

TEST_F(CollTest, InPlaceGatherAtTheRootIgnoresTheSendArguments) {
  ASSERT_EQ(*Call("MPI_Gather",
                  {kInPlace, uint32_t(-5), kBad, 0x100, 2, kInt, 0, kWorld}),
            0u);
  EXPECT_EQ(last().sbuf, MPI_IN_PLACE);
  EXPECT_EQ(last().rbuf, Host(0x100));
  BeRank(2);
  EXPECT_EQ(Trap("MPI_Gather", {kInPlace, 2, kInt, 0x100, 2, kInt, 0, kWorld}),
            "MPI_Gather: MPI_IN_PLACE is not valid as sendbuf here");
}

TEST_F(CollTest, InPlaceScatterAtTheRootIgnoresTheReceiveArguments) {
  ASSERT_EQ(
      *Call("MPI_Scatter", {0x100, 2, kInt, kInPlace, 0, kBad, 0, kWorld}), 0u);
  EXPECT_EQ(last().rbuf, MPI_IN_PLACE);
  EXPECT_EQ(last().sbuf, Host(0x100));
  BeRank(3);  // the send side is the root's only
  ASSERT_EQ(*Call("MPI_Scatter", {kMemory, 9, kBad, 0x100, 2, kInt, 0, kWorld}),
            0u);
  EXPECT_EQ(last().sbuf, nullptr);
}

TEST_F(CollTest, GathervChecksEveryBlockAndPassesCopiesOfTheArrays) {
  StoreInts(0x200, {1, 2, 0, 3});
  StoreInts(0x220, {0, 1, 100000, 3});  // block 2 is empty: never touched
  ASSERT_EQ(*Call("MPI_Gatherv",
                  {0x100, 1, kInt, 0x400, 0x200, 0x220, kInt, 0, kWorld}),
            0u);
  EXPECT_EQ(last().rbuf, Host(0x400));
  EXPECT_NE(last().rcounts, reinterpret_cast<int*>(Host(0x200)));
  EXPECT_THAT(last().rcounts_v, ElementsAre(1, 2, 0, 3));
  EXPECT_THAT(last().rdispls_v, ElementsAre(0, 1, 100000, 3));
  StoreInts(0x22c, {16380});
  EXPECT_EQ(Trap("MPI_Gatherv",
                 {0x100, 1, kInt, 0x400, 0x200, 0x220, kInt, 0, kWorld}),
            "MPI_Gatherv: recvbuf block 3 [0x103f0,+12) exceeds linear "
            "memory of 65536 bytes");
}

TEST_F(CollTest, NegativeBlockCountIsAnMpiErrCount) {
  StoreInts(0x200, {1, -1, 0, 3});
  StoreInts(0x220, {0, 1, 2, 3});
  EXPECT_EQ(Class("MPI_Gatherv",
                  {0x100, 1, kInt, 0x400, 0x200, 0x220, kInt, 0, kWorld}),
            uint64_t{abi::kErrCount});
}

TEST_F(CollTest, GathervArraysMatterOnlyAtTheRoot) {
  BeRank(1);
  ASSERT_EQ(*Call("MPI_Gatherv",
                  {0x100, 1, kInt, 0, kMemory + 4, 0, kInt, 0, kWorld}),
            0u);
  EXPECT_EQ(last().rcounts, nullptr);
  EXPECT_EQ(last().rtype, MPI_INT);
}

TEST_F(CollTest, AlltoallwTranslatesEveryDatatypeHandle) {
  StoreInts(0x200, {1, 1, 1, 1});                    // counts
  StoreInts(0x220, {0, 8, 16, 24});                  // byte displacements
  StoreInts(0x240, {kInt, kDouble, kLong, kInt64});  // types
  ASSERT_EQ(*Call("MPI_Alltoallw", {0x400, 0x200, 0x220, 0x240, 0x800, 0x200,
                                    0x220, 0x240, kWorld}),
            0u);
  EXPECT_THAT(last().stypes_v,
              ElementsAre(MPI_INT, MPI_DOUBLE, MPI_INT, MPI_INT64_T));
  EXPECT_EQ(last().rtypes_v[1], MPI_DOUBLE);
  EXPECT_THAT(last().sdispls_v, ElementsAre(0, 8, 16, 24));
  StoreInts(0x248, {kBad});
  EXPECT_EQ(Trap("MPI_Alltoallw", {0x400, 0x200, 0x220, 0x240, 0x800, 0x200,
                                   0x220, 0x240, kWorld}),
            "MPI_Alltoallw: invalid datatype 0xdead (null, freed or never "
            "created)");
  // In place, the send arrays are not read at all.
  StoreInts(0x280, {kInt, kInt, kInt, kInt});
  ASSERT_EQ(*Call("MPI_Alltoallw", {kInPlace, kMemory, kMemory, kMemory, 0x800,
                                    0x200, 0x220, 0x280, kWorld}),
            0u);
  EXPECT_EQ(last().sbuf, MPI_IN_PLACE);
}

TEST_F(CollTest, AlltoallwChecksBlocksWithTheirOwnTypes) {
  StoreInts(0x200, {1, 1, 1, 2});
  StoreInts(0x220, {0, 8, 16, kMemory - 0x800 - 8});
  StoreInts(0x240, {kInt, kInt, kInt, kDouble});  // block 3: 16 bytes
  EXPECT_EQ(Trap("MPI_Alltoallw",
                 {kInPlace, 0, 0, 0, 0x800, 0x200, 0x220, 0x240, kWorld}),
            "MPI_Alltoallw: recvbuf block 3 [0xfff8,+16) exceeds linear "
            "memory of 65536 bytes");
}

TEST_F(CollTest, AllreduceInPlaceOnIntracommunicatorsOnly) {
  ASSERT_EQ(
      *Call("MPI_Allreduce", {kInPlace, 0x100, 4, kInt, abi::kSum, kWorld}),
      0u);
  EXPECT_EQ(last().sbuf, MPI_IN_PLACE);
  EXPECT_EQ(last().rbuf, Host(0x100));
  BeInter(3);
  EXPECT_EQ(
      Trap("MPI_Allreduce", {kInPlace, 0x100, 4, kInt, abi::kSum, kWorld}),
      "MPI_Allreduce: MPI_IN_PLACE is not valid on an "
      "intercommunicator");
}

TEST_F(CollTest, ReduceInPlaceOnlyAtTheRoot) {
  ASSERT_EQ(
      *Call("MPI_Reduce", {kInPlace, 0x100, 4, kInt, abi::kMax, 0, kWorld}),
      0u);
  EXPECT_EQ(last().sbuf, MPI_IN_PLACE);
  EXPECT_EQ(last().op, MPI_MAX);
  BeRank(1);
  ASSERT_EQ(
      *Call("MPI_Reduce", {0x100, kMemory + 4, 4, kInt, abi::kMax, 0, kWorld}),
      0u);
  EXPECT_EQ(last().rbuf, nullptr);  // recvbuf is the root's only
  EXPECT_EQ(
      Class("MPI_Reduce", {kInPlace, 0x100, 4, kInt, abi::kMax, 0, kWorld}),
      uint64_t{abi::kErrBuffer});
}

TEST_F(CollTest, InPlaceReduceScatterNeedsTheWholeVectorInRecvbuf) {
  StoreInts(0x200, {2, 2, 2, 2});
  ASSERT_EQ(*Call("MPI_Reduce_scatter",
                  {0x100, kMemory - 8, 0x200, kInt, abi::kSum, kWorld}),
            0u);
  EXPECT_THAT(last().rcounts_v, ElementsAre(2, 2, 2, 2));
  EXPECT_EQ(Trap("MPI_Reduce_scatter",
                 {kInPlace, kMemory - 8, 0x200, kInt, abi::kSum, kWorld}),
            "MPI_Reduce_scatter: recvbuf [0xfff8,+32) exceeds linear memory "
            "of 65536 bytes");
  EXPECT_EQ(Trap("MPI_Reduce_scatter_block",
                 {kInPlace, kMemory - 8, 2, kInt, abi::kSum, kWorld}),
            "MPI_Reduce_scatter_block: recvbuf [0xfff8,+32) exceeds linear "
            "memory of 65536 bytes");
}

TEST_F(CollTest, InvalidRootIsAnMpiErrRoot) {
  EXPECT_EQ(Trap("MPI_Gather", {0x100, 1, kInt, 0x200, 1, kInt, 4, kWorld}),
            "MPI_Gather: invalid root 4 (communicator of size 4)");
  EXPECT_EQ(
      Class("MPI_Scatterv", {0, 0, 0, kInt, 0x200, 1, kInt, kRoot, kWorld}),
      uint64_t{abi::kErrRoot});
}

TEST_F(CollTest, IntercommunicatorRootsFollowMpiRootAndProcNull) {
  BeInter(3);
  // The root (MPI_ROOT) receives a block from each of the 3 remote ranks.
  ASSERT_EQ(*Call("MPI_Gather",
                  {kBad, 1, kBad, kMemory - 12, 1, kInt, kRoot, kWorld}),
            0u);
  EXPECT_EQ(last().root, MPI_ROOT);
  EXPECT_EQ(last().sbuf, nullptr);
  EXPECT_EQ(last().rbuf, Host(kMemory - 12));
  // The root's group's others (MPI_PROC_NULL) take no part.
  ASSERT_EQ(
      *Call("MPI_Gather", {kBad, 1, kBad, kBad, 1, kBad, kProcNull, kWorld}),
      0u);
  EXPECT_EQ(last().root, MPI_PROC_NULL);
  EXPECT_EQ(last().rbuf, nullptr);
  // The other group sends.
  ASSERT_EQ(*Call("MPI_Gather", {0x100, 1, kInt, kBad, 1, kBad, 2, kWorld}),
            0u);
  EXPECT_EQ(last().sbuf, Host(0x100));
  EXPECT_EQ(Class("MPI_Gather", {0x100, 1, kInt, 0, 1, kInt, 3, kWorld}),
            uint64_t{abi::kErrRoot});
}

TEST_F(CollTest, BcastFromProcNullTouchesNoBuffer) {
  ASSERT_EQ(*Call("MPI_Bcast", {kMemory + 8, 4, kInt, kProcNull, kWorld}), 0u);
  EXPECT_EQ(last().rbuf, nullptr);
  EXPECT_EQ(last().root, MPI_PROC_NULL);
}

TEST_F(CollTest, NonblockingGathervKeepsItsArraysUntilCompletion) {
  StoreInts(0x200, {1, 1, 1, 1});
  StoreInts(0x220, {0, 1, 2, 3});
  const uint32_t request = 0x600;
  ASSERT_EQ(*Call("MPI_Igatherv", {0x100, 1, kInt, 0x400, 0x200, 0x220, kInt, 0,
                                   kWorld, request}),
            0u);
  EXPECT_EQ(last().name, "Igatherv");
  abi::Handle h = guest_.fake_memory().Load<uint32_t>(request);
  RequestEntry* r = bridge_.requests().Find(h);
  ASSERT_NE(r, nullptr);
  std::weak_ptr<void> kept = r->keep_alive;
  ASSERT_FALSE(kept.expired());
  StoreInts(0x200, {1000, 1000, 1000, 1000});  // erroneous, and harmless
  EXPECT_THAT(std::vector<int>(last().rcounts, last().rcounts + 4),
              ElementsAre(1, 1, 1, 1));
  ASSERT_EQ(*Call("MPI_Wait", {request, 0}), 0u);
  EXPECT_EQ(guest_.fake_memory().Load<uint32_t>(request), abi::kRequestNull);
  EXPECT_TRUE(kept.expired());
}

TEST_F(CollTest, NonblockingFormsTakeTheRequestLast) {
  EXPECT_EQ(engine::ToString(imports().at("MPI_Ibarrier").type),
            "(i32, i32) -> i32");
  EXPECT_EQ(imports().at("MPI_Ialltoallw").type.params.size(), 10u);
  EXPECT_EQ(imports().at("MPI_Ireduce").type.params.size(), 8u);
  EXPECT_EQ(Trap("MPI_Ibarrier", {kWorld, kMemory}),
            "MPI_Ibarrier: request [0x10000,+4) exceeds linear memory of "
            "65536 bytes");
}

TEST(CollFunctions, EveryCollectiveIsProvided) {
  const auto& names = Bridge::ProvidedFunctions();
  for (const char* base :
       {"barrier", "bcast", "gather", "gatherv", "scatter", "scatterv",
        "allgather", "allgatherv", "alltoall", "alltoallv", "alltoallw",
        "reduce", "allreduce", "reduce_scatter", "reduce_scatter_block", "scan",
        "exscan"}) {
    std::string blocking = std::string("MPI_") + base;
    blocking[4] = static_cast<char>(blocking[4] - 'a' + 'A');
    std::string nonblocking = std::string("MPI_I") + base;
    for (const std::string& name : {blocking, nonblocking}) {
      EXPECT_TRUE(std::binary_search(names.begin(), names.end(), name)) << name;
    }
  }
  EXPECT_TRUE(
      std::binary_search(names.begin(), names.end(), "MPI_Reduce_local"));
}

}  // namespace
}  // namespace wasmhpc::mpi
