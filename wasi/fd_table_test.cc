#include "wasi/fd_table.h"

#include <fcntl.h>
#include <unistd.h>

#include "gtest/gtest.h"

namespace wasmhpc::wasi {
namespace {

std::unique_ptr<FdEntry> Entry(int host_fd = -1) {
  auto e = std::make_unique<FdEntry>();
  e->host_fd = host_fd;
  e->owns_host_fd = host_fd >= 0;
  return e;
}

TEST(FdTable, InsertsInOrderAndReusesFreedSlots) {
  FdTable table;
  EXPECT_EQ(table.Insert(Entry()), 0u);
  EXPECT_EQ(table.Insert(Entry()), 1u);
  EXPECT_EQ(table.Insert(Entry()), 2u);
  EXPECT_NE(table.Remove(1), nullptr);
  EXPECT_EQ(table.Get(1), nullptr);
  EXPECT_EQ(table.Remove(1), nullptr);
  EXPECT_EQ(table.open_count(), 2u);
  EXPECT_EQ(table.Insert(Entry()), 1u);
  EXPECT_EQ(table.Insert(Entry()), 3u);
  EXPECT_EQ(table.Get(4), nullptr);
  EXPECT_EQ(table.Get(0xffffffff), nullptr);
}

TEST(FdTable, RenumberClosesTheTargetAndFreesTheSource) {
  int host = open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(host, 0);
  FdTable table;
  table.Insert(Entry());
  table.Insert(Entry(host));
  FdEntry* moved = table.Get(0);
  EXPECT_FALSE(table.Renumber(0, 5));
  EXPECT_FALSE(table.Renumber(5, 0));
  EXPECT_TRUE(table.Renumber(0, 1));
  EXPECT_EQ(table.Get(1), moved);
  EXPECT_EQ(table.Get(0), nullptr);
  EXPECT_EQ(fcntl(host, F_GETFD), -1);  // the owned host fd was closed
  EXPECT_TRUE(table.Renumber(1, 1));
  EXPECT_EQ(table.Insert(Entry()), 0u);
}

}  // namespace
}  // namespace wasmhpc::wasi
