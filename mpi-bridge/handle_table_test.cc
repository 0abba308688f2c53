#include "mpi-bridge/handle_table.h"

#include <set>

#include "gtest/gtest.h"

namespace wasmhpc::mpi {
namespace {

TEST(HandleTable, PredefinedHandlesIndexDirectly) {
  HandleTable<int> table(Kind::kComm);
  table.Define(abi::kCommWorld, 42);
  ASSERT_NE(table.Find(abi::kCommWorld), nullptr);
  EXPECT_EQ(*table.Find(abi::kCommWorld), 42);
  EXPECT_EQ(table.Find(abi::kCommSelf), nullptr);
  EXPECT_FALSE(table.Erase(abi::kCommWorld));  // predefined stay
}

TEST(HandleTable, UserHandlesStartAbovePredefinedAndRoundTrip) {
  HandleTable<int> table(Kind::kDatatype);
  std::set<abi::Handle> seen;
  for (int i = 0; i < 1000; ++i) {
    std::optional<abi::Handle> h = table.Insert(i);
    ASSERT_TRUE(h.has_value());
    EXPECT_GE(*h, abi::kUserBase);
    EXPECT_TRUE(seen.insert(*h).second);
    EXPECT_EQ(*table.Find(*h), i);
    EXPECT_EQ(KindOfHandle(*h), Kind::kDatatype);
  }
  EXPECT_EQ(table.live(), 1000u);
}

TEST(HandleTable, FreedHandleIsRejectedEvenAfterSlotReuse) {
  HandleTable<int> table(Kind::kRequest);
  abi::Handle first = *table.Insert(1);
  EXPECT_TRUE(table.Erase(first));
  EXPECT_EQ(table.Find(first), nullptr);
  EXPECT_FALSE(table.Erase(first));
  abi::Handle second = *table.Insert(2);  // same slot, next generation
  EXPECT_NE(first, second);
  EXPECT_EQ(table.Find(first), nullptr);
  EXPECT_EQ(*table.Find(second), 2);
}

TEST(HandleTable, HandleOfAnotherKindIsNotFound) {
  HandleTable<int> comms(Kind::kComm);
  HandleTable<int> types(Kind::kDatatype);
  abi::Handle type = *types.Insert(7);
  EXPECT_EQ(comms.Find(type), nullptr);
  EXPECT_EQ(comms.Find(abi::kDouble), nullptr);
  EXPECT_EQ(KindOfHandle(abi::kDouble), Kind::kDatatype);
  EXPECT_EQ(KindOfHandle(abi::kCommWorld), Kind::kComm);
  EXPECT_EQ(KindOfHandle(0x5), std::nullopt);
}

TEST(HandleTable, NeverCreatedHandlesAreRejected) {
  HandleTable<int> table(Kind::kOp);
  EXPECT_EQ(table.Find(0), nullptr);
  EXPECT_EQ(table.Find(abi::kUserBase + 3), nullptr);
  EXPECT_EQ(table.Find(0xffffffffu), nullptr);
}

}  // namespace
}  // namespace wasmhpc::mpi
