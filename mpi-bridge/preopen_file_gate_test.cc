#include "mpi-bridge/preopen_file_gate.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/test_files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wasmhpc::mpi {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// <tmp>/root is preopened; <tmp>/outside lies beside it.
class PreopenFileGateTest : public ::testing::Test {
 protected:
  PreopenFileGateTest() {
    fs::create_directories(root_ / "sub");
    fs::create_directories(outside_);
    Write(root_ / "in.dat", "inside");
    Write(outside_ / "secret", "outside");
  }

  static void Write(const fs::path& p, const std::string& text) {
    std::ofstream(p) << text;
  }
  static std::string Read(const std::string& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  std::unique_ptr<PreopenFileGate> Gate(std::string guest,
                                        bool read_only = false) {
    auto gate = PreopenFileGate::Create(
        {{.host_path = root_, .guest_path = guest, .read_only = read_only}});
    EXPECT_TRUE(gate.ok()) << gate.status();
    return *std::move(gate);
  }

  TempDir tmp_{"preopen_gate_"};
  fs::path root_ = tmp_.Path("root"), outside_ = tmp_.Path("outside");
};

TEST_F(PreopenFileGateTest, RelativePathResolvesBeneathTheDotPreopen) {
  GateResult r = Gate(".")->Resolve("in.dat", FileAccess::kRead);
  ASSERT_TRUE(r.path) << r.message;
  EXPECT_THAT(r.path->host_path(), StartsWith("/proc/self/fd/"));
  EXPECT_EQ(Read(r.path->host_path()), "inside");
  EXPECT_TRUE(Gate(".")->Resolve("./sub/../in.dat", FileAccess::kRead).path);
}

TEST_F(PreopenFileGateTest, AbsoluteGuestNameMatchesWholeComponents) {
  auto gate = Gate("/data");
  GateResult r = gate->Resolve("/data/in.dat", FileAccess::kRead);
  ASSERT_TRUE(r.path) << r.message;
  EXPECT_EQ(Read(r.path->host_path()), "inside");
  GateResult other = gate->Resolve("/database/in.dat", FileAccess::kRead);
  EXPECT_EQ(other.error_class, abi::kErrAccess);
  EXPECT_THAT(other.message, HasSubstr("outside every preopened directory"));
}

TEST_F(PreopenFileGateTest, DotDotOutsideIsAccessAndCreatesNothing) {
  GateResult r = Gate(".")->Resolve("../outside/new", FileAccess::kCreate);
  EXPECT_EQ(r.error_class, abi::kErrAccess);
  EXPECT_THAT(r.message, HasSubstr("leaves the preopened directory"));
  EXPECT_FALSE(fs::exists(outside_ / "new"));
  EXPECT_EQ(Gate("/data")
                ->Resolve("/data/../outside/secret", FileAccess::kRead)
                .error_class,
            abi::kErrAccess);
}

TEST_F(PreopenFileGateTest, AbsoluteHostPathIsAccess) {
  EXPECT_EQ(Gate(".")
                ->Resolve((outside_ / "secret").string(), FileAccess::kRead)
                .error_class,
            abi::kErrAccess);
  EXPECT_EQ(Gate("/data")
                ->Resolve((root_ / "in.dat").string(), FileAccess::kRead)
                .error_class,
            abi::kErrAccess);
}

TEST_F(PreopenFileGateTest, SymlinksLeadingOutAreAccess) {
  fs::create_directory_symlink(outside_, root_ / "dirlink");
  fs::create_symlink(outside_ / "secret", root_ / "filelink");
  fs::create_symlink("../outside/secret", root_ / "rellink");
  auto gate = Gate(".");
  EXPECT_EQ(gate->Resolve("dirlink/secret", FileAccess::kRead).error_class,
            abi::kErrAccess);
  EXPECT_EQ(gate->Resolve("dirlink/new", FileAccess::kCreate).error_class,
            abi::kErrAccess);
  EXPECT_EQ(gate->Resolve("filelink", FileAccess::kRead).error_class,
            abi::kErrAccess);
  EXPECT_EQ(gate->Resolve("rellink", FileAccess::kWrite).error_class,
            abi::kErrAccess);
  EXPECT_FALSE(fs::exists(outside_ / "new"));
  // Deleting a link removes the link, not its target: allowed.
  EXPECT_TRUE(gate->Resolve("filelink", FileAccess::kDelete).path);
}

TEST_F(PreopenFileGateTest, ReadOnlyPreopenRefusesEverythingButReading) {
  auto gate = Gate(".", /*read_only=*/true);
  EXPECT_TRUE(gate->Resolve("in.dat", FileAccess::kRead).path);
  for (FileAccess a :
       {FileAccess::kWrite, FileAccess::kCreate, FileAccess::kDelete}) {
    GateResult r = gate->Resolve("in.dat", a);
    EXPECT_EQ(r.error_class, abi::kErrReadOnly);
    EXPECT_THAT(r.message, HasSubstr("read-only"));
  }
  EXPECT_EQ(gate->Resolve("new", FileAccess::kCreate).error_class,
            abi::kErrReadOnly);
  EXPECT_FALSE(fs::exists(root_ / "new"));
}

TEST_F(PreopenFileGateTest, MissingFilesAndDirectories) {
  auto gate = Gate(".");
  EXPECT_EQ(gate->Resolve("nope", FileAccess::kRead).error_class,
            abi::kErrNoSuchFile);
  EXPECT_EQ(gate->Resolve("nodir/x", FileAccess::kCreate).error_class,
            abi::kErrNoSuchFile);
  GateResult created = gate->Resolve("sub/new", FileAccess::kCreate);
  ASSERT_TRUE(created.path) << created.message;
  EXPECT_FALSE(fs::exists(root_ / "sub" / "new"));  // the gate creates nothing
  EXPECT_EQ(gate->Resolve("sub", FileAccess::kRead).error_class,
            abi::kErrBadFile);
  EXPECT_EQ(gate->Resolve("", FileAccess::kRead).error_class,
            abi::kErrNoSuchFile);
}

TEST_F(PreopenFileGateTest, WithoutPreopensEveryPathIsAccess) {
  auto gate = PreopenFileGate::Create({});
  ASSERT_TRUE(gate.ok());
  EXPECT_EQ((*gate)->Resolve("x", FileAccess::kRead).error_class,
            abi::kErrAccess);
}

TEST_F(PreopenFileGateTest, PathStaysBoundToTheDirectoryItResolved) {
  GateResult r = Gate(".")->Resolve("sub/new", FileAccess::kCreate);
  ASSERT_TRUE(r.path);
  // Swapping the directory for a link out after the check changes nothing.
  fs::rename(root_ / "sub", root_ / "old");
  fs::create_directory_symlink(outside_, root_ / "sub");
  std::ofstream(r.path->host_path()) << "x";
  EXPECT_TRUE(fs::exists(root_ / "old" / "new"));
  EXPECT_FALSE(fs::exists(outside_ / "new"));
}

}  // namespace
}  // namespace wasmhpc::mpi
