// Groups: handle and rank translation, array bounds, MPI_GROUP_EMPTY/NULL.
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
using ::testing::HasSubstr;

constexpr uint32_t kMemory = 65536;

// A host group the fake hands out: any distinct non-null pointer value.
MPI_Group FakeGroup(uintptr_t n) { return reinterpret_cast<MPI_Group>(n); }

class GroupTransport : public FakeTransport {
 public:
  std::vector<int> translate_in;
  std::vector<int> translate_out;  // answered by Group_translate_ranks
  std::vector<std::vector<int>> ranges;
  int compare_result = MPI_SIMILAR;
  MPI_Group next_group = FakeGroup(0x1000);
  std::vector<MPI_Group> freed;

  int Group_translate_ranks(MPI_Group, int n, const int* r1, MPI_Group,
                            int* r2) override {
    translate_in.assign(r1, r1 + n);
    for (int i = 0; i < n; ++i) r2[i] = translate_out[i];
    return MPI_SUCCESS;
  }
  int Group_compare(MPI_Group, MPI_Group, int* result) override {
    *result = compare_result;
    return MPI_SUCCESS;
  }
  int Group_rank(MPI_Group, int* rank) override {
    *rank = MPI_UNDEFINED;
    return MPI_SUCCESS;
  }
  int Group_range_incl(MPI_Group, int n, int (*r)[3], MPI_Group* out) override {
    ranges.clear();
    for (int i = 0; i < n; ++i) ranges.push_back({r[i][0], r[i][1], r[i][2]});
    *out = next_group;
    return MPI_SUCCESS;
  }
  int Group_intersection(MPI_Group, MPI_Group, MPI_Group* out) override {
    *out = MPI_GROUP_EMPTY;
    return MPI_SUCCESS;
  }
  int Group_union(MPI_Group, MPI_Group, MPI_Group* out) override {
    *out = next_group;
    return MPI_SUCCESS;
  }
  int Group_free(MPI_Group* g) override {
    freed.push_back(*g);
    *g = MPI_GROUP_NULL;
    return MPI_SUCCESS;
  }
};

class GroupTest : public BridgeFixture {
 protected:
  GroupTest() : bridge_({.transport = &mpi_}), guest_(kMemory) {
    Bind(bridge_, guest_);
    InitMpi(/*errors_return=*/true);
    group_ = *bridge_.groups().Insert({FakeGroup(0x500)});
  }

  engine::FakeGuestMemory& mem() { return guest_.fake_memory(); }

  GroupTransport mpi_;
  Bridge bridge_;
  engine::FakeHostContext guest_;
  abi::Handle group_;
};

TEST_F(GroupTest, TranslateRanksMapsProcNullInAndUndefinedOut) {
  const uint32_t in = 0x100, out = 0x200;
  mem().Store<int32_t>(in, 0);
  mem().Store<int32_t>(in + 4, abi::kProcNull);
  mem().Store<int32_t>(in + 8, 2);
  mpi_.translate_out = {3, MPI_PROC_NULL, MPI_UNDEFINED};
  ASSERT_EQ(*Call("MPI_Group_translate_ranks", {group_, 3, in, group_, out}),
            0u);
  EXPECT_THAT(mpi_.translate_in, ElementsAre(0, MPI_PROC_NULL, 2));
  EXPECT_EQ(mem().Load<int32_t>(out), 3);
  EXPECT_EQ(mem().Load<int32_t>(out + 4), abi::kProcNull);
  EXPECT_EQ(mem().Load<int32_t>(out + 8), abi::kUndefined);
}

TEST_F(GroupTest, TranslateRanksChecksBothArrays) {
  EXPECT_EQ(*Call("MPI_Group_translate_ranks",
                  {group_, 4, kMemory - 8, group_, 0x200}),
            uint64_t{abi::kErrBuffer});
  EXPECT_EQ(*Call("MPI_Group_translate_ranks",
                  {group_, 4, 0x100, group_, kMemory - 12}),
            uint64_t{abi::kErrBuffer});
  EXPECT_EQ(*Call("MPI_Group_translate_ranks",
                  {group_, uint32_t(-1), 0x100, group_, 0x200}),
            uint64_t{abi::kErrCount});
}

TEST_F(GroupTest, RankOfNonMemberIsGuestUndefined) {
  ASSERT_EQ(*Call("MPI_Group_rank", {group_, 0x100}), 0u);
  EXPECT_EQ(mem().Load<int32_t>(0x100), abi::kUndefined);
}

TEST_F(GroupTest, CompareResultIsTheAbiValue) {
  ASSERT_EQ(*Call("MPI_Group_compare", {group_, group_, 0x100}), 0u);
  EXPECT_EQ(mem().Load<int32_t>(0x100), abi::kSimilar);
  mpi_.compare_result = MPI_IDENT;
  ASSERT_EQ(*Call("MPI_Group_compare", {group_, group_, 0x100}), 0u);
  EXPECT_EQ(mem().Load<int32_t>(0x100), abi::kIdent);
  mpi_.compare_result = MPI_UNEQUAL;
  ASSERT_EQ(*Call("MPI_Group_compare", {group_, group_, 0x100}), 0u);
  EXPECT_EQ(mem().Load<int32_t>(0x100), abi::kUnequal);
}

TEST_F(GroupTest, RangesAreTriplesInPlace) {
  const uint32_t ranges = 0x100, out = 0x200;
  const int32_t triples[] = {0, 6, 2, 7, 3, -2};
  for (int i = 0; i < 6; ++i) mem().Store<int32_t>(ranges + 4 * i, triples[i]);
  ASSERT_EQ(*Call("MPI_Group_range_incl", {group_, 2, ranges, out}), 0u);
  EXPECT_EQ(mpi_.ranges,
            (std::vector<std::vector<int>>{{0, 6, 2}, {7, 3, -2}}));
  abi::Handle g = mem().Load<uint32_t>(out);
  EXPECT_NE(bridge_.groups().Find(g), nullptr);
  EXPECT_EQ(bridge_.groups().Find(g)->host, mpi_.next_group);
}

TEST_F(GroupTest, RangesPastMemoryAreRefusedBeforeTheHost) {
  // 2 triples = 24 bytes; only 20 remain.
  auto r = Call("MPI_Group_range_excl", {group_, 2, kMemory - 20, 0x200});
  EXPECT_EQ(*r, uint64_t{abi::kErrBuffer});
  EXPECT_TRUE(mpi_.ranges.empty());
  EXPECT_EQ(*Call("MPI_Group_range_incl", {group_, uint32_t(-1), 0x100, 0x200}),
            uint64_t{abi::kErrCount});
}

TEST_F(GroupTest, EmptyResultIsThePredefinedEmptyGroup) {
  ASSERT_EQ(*Call("MPI_Group_intersection", {group_, group_, 0x100}), 0u);
  EXPECT_EQ(mem().Load<uint32_t>(0x100), abi::kGroupEmpty);
  EXPECT_EQ(bridge_.groups().live(), 1u);  // only group_
}

TEST_F(GroupTest, FreeingEmptyNullsTheHandleAndKeepsThePredefinedGroup) {
  mem().Store<uint32_t>(0x100, abi::kGroupEmpty);
  ASSERT_EQ(*Call("MPI_Group_free", {0x100}), 0u);
  EXPECT_EQ(mem().Load<uint32_t>(0x100), abi::kGroupNull);
  EXPECT_TRUE(mpi_.freed.empty());
  EXPECT_NE(bridge_.groups().Find(abi::kGroupEmpty), nullptr);
}

TEST_F(GroupTest, FreeingNullOrTwiceIsAGroupError) {
  mem().Store<uint32_t>(0x100, abi::kGroupNull);
  EXPECT_EQ(*Call("MPI_Group_free", {0x100}), uint64_t{abi::kErrGroup});
  mem().Store<uint32_t>(0x100, group_);
  ASSERT_EQ(*Call("MPI_Group_free", {0x100}), 0u);
  EXPECT_EQ(mem().Load<uint32_t>(0x100), abi::kGroupNull);
  EXPECT_THAT(mpi_.freed, ElementsAre(FakeGroup(0x500)));
  mem().Store<uint32_t>(0x100, group_);
  EXPECT_EQ(*Call("MPI_Group_free", {0x100}), uint64_t{abi::kErrGroup});
}

TEST_F(GroupTest, CommunicatorHandleIsNotAGroup) {
  bridge_.comms().Find(abi::kCommWorld)->errhandler = abi::kErrorsAreFatal;
  auto r = Call("MPI_Group_union", {group_, abi::kCommWorld, 0x100});
  EXPECT_EQ(r.status().message(),
            "MPI_Group_union: invalid group 0x101 (it is a communicator "
            "handle)");
}

}  // namespace
}  // namespace wasmhpc::mpi
