// Topologies and neighbor collectives: rank and sentinel translation,
// array bounds, new communicators, buffer extents from the degrees.
#include <memory>
#include <string>
#include <vector>

#include "engine/fake_guest_memory.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mpi-bridge/bridge.h"
#include "mpi-bridge/bridge_test_support.h"
#include "mpi-bridge/fake_transport.h"

namespace wasmhpc::mpi {
namespace {

using ::testing::ElementsAre;

constexpr uint32_t kMemory = 65536;
constexpr uint32_t kInt = abi::kInt, kDouble = abi::kDouble;

MPI_Comm FakeComm(uintptr_t n) { return reinterpret_cast<MPI_Comm>(n); }

class TopoTransport : public FakeTransport {
 public:
  int topo = MPI_CART;
  int ndims = 2;
  int indegree = 2, outdegree = 1;
  MPI_Comm next_comm = FakeComm(0x7000);
  int shift_source = MPI_PROC_NULL, shift_dest = 1;
  const int* sweights = nullptr;
  const int* dweights = nullptr;
  std::vector<MPI_Aint> sdispls, rdispls;
  std::vector<MPI_Datatype> stypes;
  const MPI_Aint* sdispls_ptr = nullptr;
  int collectives = 0;
  int creates = 0;

  int Topo_test(MPI_Comm, int* status) override {
    *status = topo;
    return MPI_SUCCESS;
  }
  int Cartdim_get(MPI_Comm, int* n) override {
    *n = ndims;
    return MPI_SUCCESS;
  }
  int Cart_create(MPI_Comm, int, const int*, const int*, int,
                  MPI_Comm* out) override {
    *out = next_comm;
    return MPI_SUCCESS;
  }
  int Cart_shift(MPI_Comm, int, int, int* src, int* dst) override {
    *src = shift_source;
    *dst = shift_dest;
    return MPI_SUCCESS;
  }
  int Cart_map(MPI_Comm, int, const int*, const int*, int* rank) override {
    *rank = MPI_UNDEFINED;
    return MPI_SUCCESS;
  }
  int Cart_rank(MPI_Comm, const int* coords, int* rank) override {
    *rank = coords[0] * 10 + coords[1];
    return MPI_SUCCESS;
  }
  int Dist_graph_create_adjacent(MPI_Comm, int, const int*, const int* sw, int,
                                 const int*, const int* dw, MPI_Info, int,
                                 MPI_Comm* out) override {
    sweights = sw;
    dweights = dw;
    *out = next_comm;
    return MPI_SUCCESS;
  }
  int Graph_create(MPI_Comm, int, const int*, const int*, int,
                   MPI_Comm* out) override {
    *out = next_comm;
    ++creates;
    return MPI_SUCCESS;
  }
  int Dist_graph_create(MPI_Comm, int, const int*, const int*, const int*,
                        const int* w, MPI_Info, int, MPI_Comm* out) override {
    dweights = w;
    *out = next_comm;
    ++creates;
    return MPI_SUCCESS;
  }
  int Dist_graph_neighbors_count(MPI_Comm, int* in, int* out,
                                 int* weighted) override {
    *in = indegree;
    *out = outdegree;
    *weighted = 0;
    return MPI_SUCCESS;
  }
  int Neighbor_allgather(const void*, int, MPI_Datatype, void*, int,
                         MPI_Datatype, MPI_Comm) override {
    ++collectives;
    return MPI_SUCCESS;
  }
  int Ineighbor_alltoallw(const void*, const int*, const MPI_Aint* sd,
                          const MPI_Datatype* st, void*, const int*,
                          const MPI_Aint* rd, const MPI_Datatype*, MPI_Comm,
                          MPI_Request* r) override {
    sdispls.assign(sd, sd + outdegree);
    rdispls.assign(rd, rd + indegree);
    stypes.assign(st, st + outdegree);
    sdispls_ptr = sd;
    *r = reinterpret_cast<MPI_Request>(uintptr_t{0x9000});
    ++collectives;
    return MPI_SUCCESS;
  }
};

class TopoTest : public BridgeFixture {
 protected:
  TopoTest() : bridge_({.transport = &mpi_}), guest_(kMemory) {
    Bind(bridge_, guest_);
    InitMpi(/*errors_return=*/true);
  }

  engine::FakeGuestMemory& mem() { return guest_.fake_memory(); }
  void StoreInts(uint32_t at, std::vector<int32_t> v) {
    for (size_t i = 0; i < v.size(); ++i)
      mem().Store<int32_t>(at + 4 * i, v[i]);
  }

  TopoTransport mpi_;
  Bridge bridge_;
  engine::FakeHostContext guest_;
};

TEST_F(TopoTest, CartShiftGivesTheGuestsProcNull) {
  ASSERT_EQ(*Call("MPI_Cart_shift", {abi::kCommWorld, 0, 1, 0x100, 0x104}), 0u);
  EXPECT_EQ(mem().Load<int32_t>(0x100), abi::kProcNull);
  EXPECT_EQ(mem().Load<int32_t>(0x104), 1);
}

TEST_F(TopoTest, CartMapUndefinedIsTheGuestsUndefined) {
  StoreInts(0x100, {2, 2, 0, 0});
  ASSERT_EQ(*Call("MPI_Cart_map", {abi::kCommWorld, 2, 0x100, 0x108, 0x200}),
            0u);
  EXPECT_EQ(mem().Load<int32_t>(0x200), abi::kUndefined);
}

TEST_F(TopoTest, CartCreateStoresTheCommWithTheParentsHandler) {
  StoreInts(0x100, {2, 2, 1, 0});
  ASSERT_EQ(
      *Call("MPI_Cart_create", {abi::kCommWorld, 2, 0x100, 0x108, 0, 0x200}),
      0u);
  abi::Handle h = mem().Load<uint32_t>(0x200);
  CommEntry* cart = bridge_.comms().Find(h);
  ASSERT_NE(cart, nullptr);
  EXPECT_EQ(cart->host, mpi_.next_comm);
  EXPECT_EQ(cart->errhandler, abi::kErrorsReturn);
  EXPECT_EQ(cart->size, 4);

  mpi_.next_comm = MPI_COMM_NULL;  // a rank outside the grid
  ASSERT_EQ(
      *Call("MPI_Cart_create", {abi::kCommWorld, 2, 0x100, 0x108, 0, 0x200}),
      0u);
  EXPECT_EQ(mem().Load<uint32_t>(0x200), abi::kCommNull);
}

TEST_F(TopoTest, CartCreateChecksDimsAndPeriods) {
  EXPECT_EQ(*Call("MPI_Cart_create",
                  {abi::kCommWorld, 3, kMemory - 8, 0x108, 0, 0x200}),
            uint64_t{abi::kErrBuffer});
  EXPECT_EQ(*Call("MPI_Cart_create",
                  {abi::kCommWorld, uint32_t(-2), 0x100, 0x108, 0, 0x200}),
            uint64_t{abi::kErrCount});
}

TEST_F(TopoTest, CartRankReadsAsManyCoordsAsTheGridHasDims) {
  StoreInts(0x100, {3, 4});
  ASSERT_EQ(*Call("MPI_Cart_rank", {abi::kCommWorld, 0x100, 0x200}), 0u);
  EXPECT_EQ(mem().Load<int32_t>(0x200), 34);
  mpi_.ndims = 3;  // 12 bytes, 8 left
  EXPECT_EQ(*Call("MPI_Cart_rank", {abi::kCommWorld, kMemory - 8, 0x200}),
            uint64_t{abi::kErrBuffer});
}

TEST_F(TopoTest, WeightSentinelsBecomeTheHostsBeforeAnyBoundsCheck) {
  StoreInts(0x100, {1, 2, 3});
  ASSERT_EQ(*Call("MPI_Dist_graph_create_adjacent",
                  {abi::kCommWorld, 3, 0x100, abi::kUnweighted, 3, 0x100,
                   abi::kWeightsEmpty, abi::kInfoNull, 0, 0x200}),
            0u);
  EXPECT_EQ(mpi_.sweights, MPI_UNWEIGHTED);
  EXPECT_EQ(mpi_.dweights, MPI_WEIGHTS_EMPTY);
  EXPECT_NE(bridge_.comms().Find(mem().Load<uint32_t>(0x200)), nullptr);
}

TEST_F(TopoTest, WeightArraysAreInPlaceAndBoundsChecked) {
  StoreInts(0x100, {1, 2, 3});
  ASSERT_EQ(*Call("MPI_Dist_graph_create_adjacent",
                  {abi::kCommWorld, 3, 0x100, 0x100, 0, 0, abi::kUnweighted,
                   abi::kInfoNull, 0, 0x200}),
            0u);
  EXPECT_EQ(mpi_.sweights, reinterpret_cast<int*>(
                               guest_.fake_memory().bytes().data() + 0x100));
  EXPECT_EQ(*Call("MPI_Dist_graph_create_adjacent",
                  {abi::kCommWorld, 3, 0x100, kMemory - 8, 0, 0,
                   abi::kUnweighted, abi::kInfoNull, 0, 0x200}),
            uint64_t{abi::kErrBuffer});
}

TEST_F(TopoTest, GraphEdgesAreSizedByTheLastIndex) {
  StoreInts(0x100, {2, 3, 5});  // 5 edges: 20 bytes
  ASSERT_EQ(
      *Call("MPI_Graph_create", {abi::kCommWorld, 3, 0x100, 0x200, 0, 0x300}),
      0u);
  EXPECT_EQ(*Call("MPI_Graph_create",
                  {abi::kCommWorld, 3, 0x100, kMemory - 16, 0, 0x300}),
            uint64_t{abi::kErrBuffer});
  StoreInts(0x100, {2, 3, -1});
  EXPECT_EQ(
      *Call("MPI_Graph_create", {abi::kCommWorld, 3, 0x100, 0x200, 0, 0x300}),
      uint64_t{abi::kErrCount});
  EXPECT_EQ(mpi_.creates, 1);
}

TEST_F(TopoTest, DistGraphEdgesAreTheSumOfTheDegrees) {
  StoreInts(0x100, {0, 1});  // sources
  StoreInts(0x108, {2, 3});  // degrees: 5 edges
  ASSERT_EQ(*Call("MPI_Dist_graph_create",
                  {abi::kCommWorld, 2, 0x100, 0x108, 0x200, abi::kUnweighted,
                   abi::kInfoNull, 0, 0x300}),
            0u);
  EXPECT_EQ(mpi_.dweights, MPI_UNWEIGHTED);
  EXPECT_EQ(
      *Call("MPI_Dist_graph_create", {abi::kCommWorld, 2, 0x100, 0x108, 0x200,
                                      kMemory - 16, abi::kInfoNull, 0, 0x300}),
      uint64_t{abi::kErrBuffer});
  EXPECT_EQ(*Call("MPI_Dist_graph_create",
                  {abi::kCommWorld, 2, 0x100, 0x108, kMemory - 16,
                   abi::kUnweighted, abi::kInfoNull, 0, 0x300}),
            uint64_t{abi::kErrBuffer});
  EXPECT_EQ(mpi_.creates, 1);
}

TEST_F(TopoTest, TopoTestGivesAbiValues) {
  const std::pair<int, int32_t> cases[] = {{MPI_CART, abi::kCart},
                                           {MPI_GRAPH, abi::kGraph},
                                           {MPI_DIST_GRAPH, abi::kDistGraph},
                                           {MPI_UNDEFINED, abi::kUndefined}};
  for (auto [host, guest] : cases) {
    mpi_.topo = host;
    ASSERT_EQ(*Call("MPI_Topo_test", {abi::kCommWorld, 0x100}), 0u);
    EXPECT_EQ(mem().Load<int32_t>(0x100), guest);
  }
}

TEST_F(TopoTest, NeighborBuffersAreSizedByTheCartesianDegree) {
  // 2 dims: 4 neighbors; 4 doubles from the end fit, 3 do not.
  ASSERT_EQ(*Call("MPI_Neighbor_allgather", {0x100, 1, kDouble, kMemory - 32, 1,
                                             kDouble, abi::kCommWorld}),
            0u);
  EXPECT_EQ(*Call("MPI_Neighbor_allgather", {0x100, 1, kDouble, kMemory - 24, 1,
                                             kDouble, abi::kCommWorld}),
            uint64_t{abi::kErrBuffer});
  EXPECT_EQ(mpi_.collectives, 1);
}

TEST_F(TopoTest, NeighborCollectiveWithoutTopologyIsATopologyError) {
  mpi_.topo = MPI_UNDEFINED;
  EXPECT_EQ(*Call("MPI_Neighbor_allgather",
                  {0x100, 1, kInt, 0x200, 1, kInt, abi::kCommWorld}),
            uint64_t{abi::kErrTopology});
  EXPECT_EQ(mpi_.collectives, 0);
}

TEST_F(TopoTest, IneighborAlltoallwWidensDisplacementsAndKeepsThemAlive) {
  mpi_.topo = MPI_DIST_GRAPH;  // in 2, out 1
  const uint32_t counts = 0x100, sdispls = 0x110, rdispls = 0x120,
                 stypes = 0x130, rtypes = 0x140, request = 0x150;
  StoreInts(counts, {1, 1});
  StoreInts(sdispls, {-8});
  StoreInts(rdispls, {0, 8});
  StoreInts(stypes, {kDouble});
  StoreInts(rtypes, {kDouble, kInt});
  ASSERT_EQ(*Call("MPI_Ineighbor_alltoallw",
                  {0x408, counts, sdispls, stypes, 0x500, counts, rdispls,
                   rtypes, abi::kCommWorld, request}),
            0u);
  EXPECT_THAT(mpi_.sdispls, ElementsAre(-8));
  EXPECT_THAT(mpi_.rdispls, ElementsAre(0, 8));
  EXPECT_THAT(mpi_.stypes, ElementsAre(MPI_DOUBLE));
  RequestEntry* r = bridge_.requests().Find(mem().Load<uint32_t>(request));
  ASSERT_NE(r, nullptr);
  EXPECT_NE(r->keep_alive, nullptr);
  // The host still reads the widened array the request owns.
  EXPECT_EQ(mpi_.sdispls_ptr[0], -8);
}

TEST_F(TopoTest, AlltoallwBlockPastMemoryIsRefused) {
  mpi_.topo = MPI_DIST_GRAPH;
  StoreInts(0x100, {1, 1});
  StoreInts(0x110, {0});
  StoreInts(0x120, {0, 70000});
  StoreInts(0x130, {kDouble, kDouble});
  EXPECT_EQ(*Call("MPI_Ineighbor_alltoallw",
                  {0x400, 0x100, 0x110, 0x130, 0x500, 0x100, 0x120, 0x130,
                   abi::kCommWorld, 0x150}),
            uint64_t{abi::kErrBuffer});
  EXPECT_EQ(mpi_.collectives, 0);
}

}  // namespace
}  // namespace wasmhpc::mpi
