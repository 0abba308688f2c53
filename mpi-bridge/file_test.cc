// The MPI-IO imports against a fake gate and a recording transport: what
// reaches the host MPI, and what never does.
#include <string>

#include "engine/fake_guest_memory.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mpi-bridge/bridge.h"
#include "mpi-bridge/bridge_test_support.h"
#include "mpi-bridge/fake_file_gate.h"
#include "mpi-bridge/fake_transport.h"

namespace wasmhpc::mpi {
namespace {

constexpr uint32_t kMemory = 65536;
constexpr uint64_t kWorld = abi::kCommWorld, kInfoNull = abi::kInfoNull;
constexpr uint64_t kInt = abi::kInt,
                   kRdwrCreate = abi::kModeRdwr | abi::kModeCreate,
                   kRdonly = abi::kModeRdonly;

// Records the file calls; Allreduce as on one rank.
class FileTransport : public FakeTransport {
 public:
  std::vector<std::string> opened;
  int amode = 0;
  int writes = 0;
  MPI_Offset last_offset = -1;
  const void* last_buffer = nullptr;

  int Allreduce(const void* sb, void* rb, int n, MPI_Datatype, MPI_Op,
                MPI_Comm) override {
    std::memcpy(rb, sb, 4 * n);
    return MPI_SUCCESS;
  }
  int File_open(MPI_Comm, const char* name, int a, MPI_Info,
                MPI_File* f) override {
    opened.push_back(name);
    amode = a;
    *f = reinterpret_cast<MPI_File>(0x1234);
    return MPI_SUCCESS;
  }
  int File_set_errhandler(MPI_File, MPI_Errhandler) override {
    return MPI_SUCCESS;
  }
  int File_close(MPI_File* f) override {
    *f = MPI_FILE_NULL;
    return MPI_SUCCESS;
  }
  int File_write_at(MPI_File, MPI_Offset o, const void* b, int n, MPI_Datatype,
                    MPI_Status* s) override {
    ++writes;
    last_offset = o;
    last_buffer = b;
    s->_ucount = 4 * n;
    return MPI_SUCCESS;
  }
  int File_set_view(MPI_File, MPI_Offset, MPI_Datatype, MPI_Datatype,
                    const char*, MPI_Info) override {
    return MPI_SUCCESS;
  }
};

class FileTest : public BridgeFixture {
 protected:
  FileTest() : bridge_({.transport = &mpi_, .files = &gate_}), guest_(kMemory) {
    Bind(bridge_, guest_);
    InitMpi(/*errors_return=*/false);
    gate_.allowed = {"ok.dat"};
  }

  engine::FakeGuestMemory& memory() { return guest_.fake_memory(); }

  // Opens `name` (written at 0x100) into the handle at 0x200.
  uint64_t Open(const std::string& name, uint64_t amode) {
    memory().StoreString(0x100, name + '\0');
    return *Call("MPI_File_open", {kWorld, 0x100, amode, kInfoNull, 0x200});
  }

  FileTransport mpi_;
  FakeFileGate gate_;
  Bridge bridge_;
  engine::FakeHostContext guest_;
};

TEST_F(FileTest, OpenHandsTheHostTheGatedPath) {
  ASSERT_EQ(Open("ok.dat", kRdwrCreate), 0u);
  ASSERT_EQ(mpi_.opened.size(), 1u);
  EXPECT_EQ(mpi_.opened[0], "/host/ok.dat");
  EXPECT_EQ(mpi_.amode, MPI_MODE_RDWR | MPI_MODE_CREATE);
  EXPECT_EQ(gate_.calls[0].second, FileAccess::kCreate);
  uint32_t fh = memory().Load<uint32_t>(0x200);
  EXPECT_GE(fh, abi::kUserBase);
  ASSERT_EQ(*Call("MPI_File_close", {0x200}), 0u);
  EXPECT_EQ(memory().Load<uint32_t>(0x200), abi::kFileNull);
}

TEST_F(FileTest, RefusedPathNeverReachesTheHostAndErrorsReturn) {
  // Files default to MPI_ERRORS_RETURN: a code, not a trap.
  EXPECT_EQ(Open("../outside", kRdonly), uint64_t{abi::kErrAccess});
  gate_.refusal = abi::kErrReadOnly;
  EXPECT_EQ(Open("ro.dat", kRdwrCreate), uint64_t{abi::kErrReadOnly});
  EXPECT_TRUE(mpi_.opened.empty());
  EXPECT_EQ(gate_.calls[0].second, FileAccess::kRead);
}

TEST_F(FileTest, NoGateMeansNoFiles) {
  Bridge bare({.transport = &mpi_});
  Bind(bare, guest_);
  InitMpi(/*errors_return=*/false);
  EXPECT_EQ(Open("ok.dat", kRdonly), uint64_t{abi::kErrAccess});
  EXPECT_TRUE(mpi_.opened.empty());
}

TEST_F(FileTest, BadAmodeIsRefusedBeforeTheGate) {
  EXPECT_EQ(Open("ok.dat", kRdonly | 2), uint64_t{abi::kErrAmode});
  EXPECT_EQ(Open("ok.dat", 32 | 256), uint64_t{abi::kErrAmode});
  EXPECT_TRUE(gate_.calls.empty());
}

TEST_F(FileTest, WriteChecksTheWholeExtentZeroCopy) {
  ASSERT_EQ(Open("ok.dat", kRdwrCreate), 0u);
  uint64_t fh = memory().Load<uint32_t>(0x200);
  ASSERT_EQ(*Call("MPI_File_write_at", {fh, 8, 0x1000, 4, kInt, 0x300}), 0u);
  EXPECT_EQ(mpi_.last_offset, 8);
  EXPECT_EQ(mpi_.last_buffer, memory().bytes().data() + 0x1000);
  EXPECT_EQ(memory().Load<uint32_t>(0x300 + 12), 16u);  // count in bytes
  EXPECT_EQ(*Call("MPI_File_write_at", {fh, 0, kMemory - 8, 4, kInt, 0}),
            uint64_t{abi::kErrBuffer});
  EXPECT_EQ(mpi_.writes, 1);
}

TEST_F(FileTest, SetViewRefusesUncommittedTypesAndOtherDatareps) {
  ASSERT_EQ(Open("ok.dat", kRdwrCreate), 0u);
  uint64_t fh = memory().Load<uint32_t>(0x200);
  // As MPI_Type_contiguous leaves a type before MPI_Type_commit.
  uint64_t type = *bridge_.datatypes().Insert({.host = MPI_INT,
                                               .size = 4,
                                               .extent = 4,
                                               .true_extent = 4,
                                               .committed = false});
  memory().StoreString(0x500, std::string("native\0", 7));
  EXPECT_EQ(*Call("MPI_File_set_view", {fh, 0, kInt, type, 0x500, kInfoNull}),
            uint64_t{abi::kErrType});
  memory().StoreString(0x500, std::string("external32\0", 11));
  EXPECT_EQ(*Call("MPI_File_set_view", {fh, 0, kInt, kInt, 0x500, kInfoNull}),
            uint64_t{abi::kErrUnsupportedDatarep});
}

TEST_F(FileTest, InvalidFileHandleIsErrFile) {
  EXPECT_EQ(*Call("MPI_File_sync", {abi::kFileNull}), uint64_t{abi::kErrFile});
  EXPECT_EQ(*Call("MPI_File_sync", {kWorld}), uint64_t{abi::kErrFile});
}

}  // namespace
}  // namespace wasmhpc::mpi
