// Test fixture for the WASI unit tests: a temporary directory tree, a Wasi
// over it and helpers that call the import callbacks on a fake guest
// memory, as the engine would.
#ifndef WASMHPC_WASI_WASI_TEST_FIXTURE_H_
#define WASMHPC_WASI_WASI_TEST_FIXTURE_H_

#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "engine/fake_guest_memory.h"
#include "gtest/gtest.h"
#include "wasi/wasi.h"
#include "wasi/wasi_abi.h"

namespace wasmhpc::wasi {

constexpr uint64_t E(Errno e) { return static_cast<uint64_t>(e); }

// Rights a libc asks for when opening for reading / reading and writing.
constexpr uint64_t kReadRights =
    abi::kRightFdRead | abi::kRightFdSeek | abi::kRightFdTell |
    abi::kRightFdFilestatGet | abi::kRightFdReaddir |
    abi::kRightFdFdstatSetFlags | abi::kRightFdAdvise |
    abi::kRightPollFdReadwrite;
constexpr uint64_t kReadWriteRights =
    kReadRights | abi::kRightFdWrite | abi::kRightFdDatasync |
    abi::kRightFdSync | abi::kRightFdAllocate | abi::kRightFdFilestatSetSize |
    abi::kRightFdFilestatSetTimes;

// Guest memory layout used by the helpers.
constexpr uint32_t kResult = 64;    // scalar results
constexpr uint32_t kIovs = 256;     // iovec arrays
constexpr uint32_t kPath = 1024;    // first path argument
constexpr uint32_t kPath2 = 2048;   // second path argument
constexpr uint32_t kBuffer = 4096;  // data buffers
constexpr uint32_t kMemory = 1 << 16;
constexpr uint32_t kPreopenFd = 3;

// A clock that starts at fixed times and advances only when slept on.
class FakeClock : public Clock {
 public:
  absl::StatusOr<uint64_t> Now(uint32_t id) override {
    if (id > abi::kClockThreadCputime) return absl::InvalidArgumentError("id");
    return (id == abi::kClockRealtime ? kEpoch : 0) + slept_;
  }
  absl::StatusOr<uint64_t> Resolution(uint32_t id) override {
    if (id > abi::kClockThreadCputime) return absl::InvalidArgumentError("id");
    return 1000;
  }
  void SleepFor(uint64_t ns) override { slept_ += ns; }

  static constexpr uint64_t kEpoch = 1'700'000'000'000'000'000;
  uint64_t slept_ = 0;
};

class WasiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "wasi_test.XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    box_ = root_ + "/box";
    ASSERT_EQ(mkdir(box_.c_str(), 0755), 0);
    WriteHostFile(root_ + "/outside.txt", "outside\n");
  }

  void TearDown() override { std::filesystem::remove_all(root_); }

  // Creates the Wasi; the box directory is preopened as fd 3 unless
  // `options` already names preopens.
  void Make(WasiOptions options = {}, bool read_only = false) {
    if (options.preopens.empty()) {
      options.preopens.push_back(
          {.host_path = box_, .guest_path = "/box", .read_only = read_only});
    }
    if (!options.output) {
      options.output = [this](int fd, std::string_view bytes) {
        (fd == 1 ? stdout_ : stderr_).append(bytes);
      };
    }
    absl::StatusOr<std::unique_ptr<Wasi>> wasi = Wasi::Create(options);
    ASSERT_TRUE(wasi.ok()) << wasi.status();
    wasi_ = *std::move(wasi);
    funcs_ = wasi_->Imports();
  }

  // Calls import `name` with `args` (i32 values zero-extended) and returns
  // the result slot. A non-OK status fails the test.
  uint64_t Call(std::string_view name, std::initializer_list<uint64_t> args) {
    for (const engine::HostFunc& f : funcs_) {
      if (f.name != name) continue;
      EXPECT_EQ(f.type.params.size(), args.size()) << name;
      std::vector<uint64_t> slots(args);
      slots.resize(16);
      absl::StatusOr<uint64_t> r = f.callback(ctx_, slots.data());
      EXPECT_TRUE(r.ok()) << name << ": " << r.status();
      return r.ok() ? *r : ~0ull;
    }
    ADD_FAILURE() << "no import " << name;
    return ~0ull;
  }

  engine::FakeGuestMemory& mem() { return ctx_.fake_memory(); }

  uint32_t Put(uint32_t at, std::string_view s) {
    mem().StoreString(at, s);
    return static_cast<uint32_t>(s.size());
  }

  std::string Get(uint32_t at, uint32_t len) {
    return std::string(reinterpret_cast<const char*>(mem().bytes().data()) + at,
                       len);
  }

  // path_open beneath `dir`; returns the errno, the fd in *fd.
  uint64_t Open(std::string_view path, uint32_t oflags, uint64_t rights,
                uint32_t* fd, uint32_t dir = kPreopenFd,
                uint32_t lookup = abi::kLookupSymlinkFollow,
                uint32_t fdflags = 0) {
    uint32_t len = Put(kPath, path);
    uint64_t r = Call("path_open", {dir, lookup, kPath, len, oflags, rights,
                                    rights, fdflags, kResult});
    if (r == 0) *fd = mem().Load<uint32_t>(kResult);
    return r;
  }

  // fd_write of `data` (one iovec); returns the errno, bytes in *n.
  uint64_t Write(uint32_t fd, std::string_view data, uint32_t* n = nullptr) {
    Put(kBuffer, data);
    mem().Store<uint32_t>(kIovs, kBuffer);
    mem().Store<uint32_t>(kIovs + 4, static_cast<uint32_t>(data.size()));
    uint64_t r = Call("fd_write", {fd, kIovs, 1, kResult});
    if (n != nullptr) *n = mem().Load<uint32_t>(kResult);
    return r;
  }

  // fd_read of up to `max` bytes; returns the errno, data in *out.
  uint64_t Read(uint32_t fd, uint32_t max, std::string* out) {
    mem().Store<uint32_t>(kIovs, kBuffer);
    mem().Store<uint32_t>(kIovs + 4, max);
    uint64_t r = Call("fd_read", {fd, kIovs, 1, kResult});
    if (r == 0) *out = Get(kBuffer, mem().Load<uint32_t>(kResult));
    return r;
  }

  // A call taking (fd, path, path_len).
  uint64_t PathCall(std::string_view name, std::string_view path,
                    uint32_t dir = kPreopenFd) {
    uint32_t len = Put(kPath, path);
    return Call(name, {dir, kPath, len});
  }

  static void WriteHostFile(const std::string& path, std::string_view data) {
    std::ofstream(path, std::ios::binary) << data;
  }
  static std::string ReadHostFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  static bool Exists(const std::string& path) {
    struct stat st;
    return lstat(path.c_str(), &st) == 0;
  }

  std::string root_;  // temp dir: outside.txt, box/
  std::string box_;   // preopened as /box, guest fd 3
  std::string stdout_, stderr_;
  std::unique_ptr<Wasi> wasi_;
  std::vector<engine::HostFunc> funcs_;
  engine::FakeHostContext ctx_{kMemory};
};

}  // namespace wasmhpc::wasi

#endif  // WASMHPC_WASI_WASI_TEST_FIXTURE_H_
