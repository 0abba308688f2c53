// Unit tests of one-sided windows: target range checks before the host
// MPI, guest-memory windows (create, allocate, dynamic), attributes and
// handle checks, on a fake transport.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/fake_guest_memory.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mpi-bridge/bridge.h"
#include "mpi-bridge/bridge_test_support.h"
#include "mpi-bridge/fake_transport.h"
#include "mpi-bridge/release.h"

namespace wasmhpc::mpi {
namespace {

using ::testing::HasSubstr;

constexpr uint32_t kMemory = 65536;
constexpr uint32_t kHeap = 0x8000;  // the fake malloc's arena
constexpr uint32_t kErrorsReturn = abi::kErrorsReturn, kWorld = abi::kCommWorld,
                   kSelf = abi::kCommSelf, kInfoNull = abi::kInfoNull;
constexpr uint32_t kInt = abi::kInt, kSum = abi::kSum,
                   kProcNull = static_cast<uint32_t>(abi::kProcNull);
constexpr int32_t kErrRmaRange = abi::kErrRmaRange, kErrWin = abi::kErrWin,
                  kErrRmaFlavor = abi::kErrRmaFlavor;

// Every rank's window looks like this one (Allgather copies); records the
// last Put and the window the host was asked to create.
class WinTransport : public FakeTransport {
 public:
  void* created_base = nullptr;
  MPI_Aint created_size = -1;
  int puts = 0, frees = 0, last_fence_mode = -1;
  MPI_Aint last_disp = -1;
  const void* last_origin = nullptr;
  int model = MPI_WIN_UNIFIED;
  bool can_stop = false;

  bool stoppable() const override { return can_stop; }

  int Allgather(const void* sb, int sn, MPI_Datatype, void* rb, int,
                MPI_Datatype, MPI_Comm c) override {
    int ranks = 0;
    Comm_size(c, &ranks);
    for (int r = 0; r < ranks; ++r) {
      std::memcpy(static_cast<char*>(rb) + r * sn * 8, sb, sn * 8);
    }
    return MPI_SUCCESS;
  }
  int Win_create(void* base, MPI_Aint n, int, MPI_Info, MPI_Comm,
                 MPI_Win* w) override {
    created_base = base;
    created_size = n;
    *w = reinterpret_cast<MPI_Win>(0x5000);
    return MPI_SUCCESS;
  }
  int Win_create_dynamic(MPI_Info, MPI_Comm, MPI_Win* w) override {
    *w = reinterpret_cast<MPI_Win>(0x6000);
    return MPI_SUCCESS;
  }
  int Win_set_errhandler(MPI_Win, MPI_Errhandler) override {
    return MPI_SUCCESS;
  }
  int Win_get_attr(MPI_Win, int, void* value, int* flag) override {
    *static_cast<int**>(value) = &model;
    *flag = 1;
    return MPI_SUCCESS;
  }
  int Win_free(MPI_Win* w) override {
    ++frees;
    *w = MPI_WIN_NULL;
    return MPI_SUCCESS;
  }
  int Win_fence(int mode, MPI_Win) override {
    last_fence_mode = mode;
    return MPI_SUCCESS;
  }
  int Put(const void* b, int, MPI_Datatype, int, MPI_Aint disp, int,
          MPI_Datatype, MPI_Win) override {
    ++puts;
    last_origin = b;
    last_disp = disp;
    return MPI_SUCCESS;
  }
  int Accumulate(const void* b, int n, MPI_Datatype t, int r, MPI_Aint disp,
                 int tn, MPI_Datatype tt, MPI_Op, MPI_Win w) override {
    return Put(b, n, t, r, disp, tn, tt, w);
  }
};

class WinTest : public BridgeFixture {
 protected:
  WinTest() : bridge_({.transport = &mpi_}) {
    Bind(bridge_, guest_);
    ExportBumpMalloc(guest_, kHeap, freed_);
  }

  void Init() { InitMpi(/*errors_return=*/true); }
  // A window of `size` bytes at guest 0x1000, errors returned.
  uint32_t Create(uint32_t size, int32_t disp_unit) {
    EXPECT_EQ(
        Code("MPI_Win_create", {0x1000, size, static_cast<uint32_t>(disp_unit),
                                kInfoNull, kWorld, 0x100}),
        0);
    uint32_t win = U32(0x100);
    EXPECT_EQ(Code("MPI_Win_set_errhandler", {win, kErrorsReturn}), 0);
    return win;
  }
  uint8_t* Host(uint32_t p) { return guest_.fake_memory().bytes().data() + p; }
  uint32_t U32(uint32_t p) { return guest_.fake_memory().Load<uint32_t>(p); }
  int32_t I32(uint32_t p) { return guest_.fake_memory().Load<int32_t>(p); }

  WinTransport mpi_;
  Bridge bridge_;
  engine::FakeHostContext guest_{kMemory};
  std::vector<uint64_t> freed_;
};

TEST_F(WinTest, WindowIsGuestMemoryAtItsHostAddress) {
  Init();
  Create(64, 4);
  EXPECT_EQ(mpi_.created_base, Host(0x1000));
  EXPECT_EQ(mpi_.created_size, 64);
}

TEST_F(WinTest, PutInsideTheTargetWindowReachesTheHost) {
  Init();
  uint32_t win = Create(64, 4);
  // Ints 14 and 15 of 16: the last 8 bytes.
  EXPECT_EQ(Code("MPI_Put", {0x200, 2, kInt, 2, 14, 2, kInt, win}), 0);
  EXPECT_EQ(mpi_.puts, 1);
  EXPECT_EQ(mpi_.last_origin, Host(0x200));
  EXPECT_EQ(mpi_.last_disp, 14);
}

TEST_F(WinTest, PutPastTheTargetWindowIsRefusedBeforeTheHost) {
  Init();
  uint32_t win = Create(64, 4);
  EXPECT_EQ(Code("MPI_Put", {0x200, 2, kInt, 2, 15, 2, kInt, win}),
            kErrRmaRange);
  EXPECT_EQ(
      Code("MPI_Accumulate",
           {0x200, 1, kInt, 1, static_cast<uint32_t>(-1), 1, kInt, kSum, win}),
      kErrRmaRange);
  EXPECT_EQ(mpi_.puts, 0);
}

TEST_F(WinTest, DisplacementUnitProductIsNotTruncated) {
  Init();
  uint32_t win = Create(64, 1 << 30);
  EXPECT_EQ(Code("MPI_Put", {0x200, 1, kInt, 0, 4, 1, kInt, win}),
            kErrRmaRange);
  EXPECT_EQ(Code("MPI_Put", {0x200, 1, kInt, 0, 0, 1, kInt, win}), 0);
  EXPECT_EQ(mpi_.puts, 1);
}

TEST_F(WinTest, FatalErrorTrapsNamingTheRange) {
  Init();
  ASSERT_EQ(Code("MPI_Win_create", {0x1000, 16, 4, kInfoNull, kWorld, 0x100}),
            0);
  absl::StatusOr<uint64_t> r =
      Call("MPI_Put", {0x200, 1, kInt, 0, 4, 1, kInt, U32(0x100)});
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(),
              HasSubstr("MPI_Put: target bytes [16, 20) (displacement 4 x "
                        "unit 4) exceed the 16-byte window of rank 0"));
}

TEST_F(WinTest, ProcNullTargetIsNotChecked) {
  Init();
  uint32_t win = Create(16, 4);
  EXPECT_EQ(Code("MPI_Put", {0x200, 1, kInt, kProcNull, 99, 1, kInt, win}), 0);
}

TEST_F(WinTest, WindowPastLinearMemoryIsRefused) {
  Init();
  EXPECT_EQ(
      Code("MPI_Win_create", {kMemory - 8, 16, 1, kInfoNull, kWorld, 0x100}),
      1);  // MPI_ERR_BUFFER
  EXPECT_EQ(mpi_.created_size, -1);
}

TEST_F(WinTest, HandleOfAnotherKindIsNotAWindow) {
  Init();
  absl::StatusOr<uint64_t> r = Call("MPI_Win_fence", {0, kWorld});
  ASSERT_TRUE(r.ok());  // MPI_ERRORS_RETURN on the world
  EXPECT_EQ(static_cast<int32_t>(*r), kErrWin);
}

TEST_F(WinTest, FenceAssertionsAreTranslated) {
  Init();
  uint32_t win = Create(16, 4);
  EXPECT_EQ(Code("MPI_Win_fence", {2048 | 16384, win}), 0);
  EXPECT_EQ(mpi_.last_fence_mode, MPI_MODE_NOPRECEDE | MPI_MODE_NOSUCCEED);
  EXPECT_EQ(Code("MPI_Win_fence", {3, win}), 13);  // MPI_ERR_ARG
}

TEST_F(WinTest, AllocateUsesTheGuestsMallocAndFree) {
  Init();
  ASSERT_EQ(Code("MPI_Win_allocate", {40, 4, kInfoNull, kWorld, 0x100, 0x104}),
            0);
  EXPECT_EQ(U32(0x100), kHeap);
  EXPECT_EQ(mpi_.created_base, Host(kHeap));
  uint32_t win = U32(0x104);
  ASSERT_EQ(Code("MPI_Win_get_attr", {win, 601, 0x108, 0x10c}), 0);
  EXPECT_EQ(U32(0x108), kHeap);  // MPI_WIN_BASE: the guest address
  ASSERT_EQ(Code("MPI_Win_get_attr", {win, 603, 0x108, 0x10c}), 0);
  EXPECT_EQ(I32(U32(0x108)), 40);  // MPI_WIN_SIZE
  ASSERT_EQ(Code("MPI_Win_get_attr", {win, 604, 0x108, 0x10c}), 0);
  EXPECT_EQ(I32(U32(0x108)), 312);  // MPI_WIN_FLAVOR_ALLOCATE
  ASSERT_EQ(Code("MPI_Win_free", {0x104}), 0);
  EXPECT_EQ(U32(0x104), abi::kWinNull);
  EXPECT_EQ(mpi_.frees, 1);
  EXPECT_THAT(freed_, ::testing::Contains(kHeap));
  EXPECT_EQ(Code("MPI_Win_fence", {0, win}), kErrWin);  // freed handle
}

TEST_F(WinTest, DynamicDisplacementsAreTargetAddresses) {
  Init();
  ASSERT_EQ(Code("MPI_Win_create_dynamic", {kInfoNull, kWorld, 0x100}), 0);
  uint32_t win = U32(0x100);
  EXPECT_EQ(Code("MPI_Put", {0x200, 1, kInt, 1, 0x3000, 1, kInt, win}), 0);
  EXPECT_EQ(mpi_.last_disp, reinterpret_cast<MPI_Aint>(Host(0x3000)));
  EXPECT_EQ(Code("MPI_Win_attach", {Create(16, 4), 0x2000, 16}), kErrRmaFlavor);
}

TEST_F(WinTest, FenceIsPrecededByABarrierOnlyWhereAStopCanEndIt) {
  Init();
  uint32_t win = Create(16, 4);
  EXPECT_EQ(mpi_.dups, 1);  // the window's own communicator
  ASSERT_EQ(Code("MPI_Win_fence", {0, win}), 0);
  EXPECT_EQ(mpi_.barriers, 0);
  mpi_.can_stop = true;
  ASSERT_EQ(Code("MPI_Win_fence", {0, win}), 0);
  EXPECT_EQ(mpi_.barriers, 1);
  ASSERT_EQ(Code("MPI_Win_free", {0x100}), 0);
  EXPECT_EQ(mpi_.comm_frees, 1);
}

TEST_F(WinTest, FinalizeFreesTheWindowsLeftOpenEachAfterABarrier) {
  Init();
  Create(16, 4);
  ASSERT_EQ(Code("MPI_Win_allocate", {40, 4, kInfoNull, kWorld, 0x200, 0x204}),
            0);
  ASSERT_EQ(Code("MPI_Finalize", {}), 0);
  EXPECT_EQ(mpi_.barriers, 2);
  EXPECT_EQ(mpi_.frees, 2);
  EXPECT_EQ(mpi_.comm_frees, 2);
  EXPECT_THAT(freed_, ::testing::Contains(kHeap));  // the allocated memory
  Leftovers left = ReleaseLeftovers(bridge_);
  EXPECT_EQ(left.finalize_windows, 2);
  EXPECT_EQ(left.Describe(), "released 2 windows");
}

TEST_F(WinTest, WindowsSharedWithOtherRanksOutliveAJobThatEndedEarly) {
  Init();
  Create(16, 4);
  Leftovers left = ReleaseLeftovers(bridge_);
  EXPECT_EQ(left.kept_windows, 1);
  EXPECT_EQ(mpi_.frees, 0);  // alone, the host's free could wait forever
  EXPECT_THAT(left.Describe(), HasSubstr("left to the host MPI: 1 window"));
  EXPECT_EQ(bridge_.wins().live(), 0u);
}

TEST_F(WinTest, WindowOfOneRankIsFreedWhenTheJobEndsEarly) {
  Init();
  ASSERT_EQ(Code("MPI_Win_create", {0x1000, 16, 4, kInfoNull, kSelf, 0x100}),
            0);
  EXPECT_EQ(mpi_.dups, 0);
  Leftovers left = ReleaseLeftovers(bridge_);
  EXPECT_EQ(left.windows, 1);
  EXPECT_EQ(mpi_.frees, 1);
}

}  // namespace
}  // namespace wasmhpc::mpi
