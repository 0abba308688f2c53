// Unit tests of the preview1 calls through the import callbacks, on a fake
// guest memory: layout of args/environ, clocks, randomness, stdio, files,
// directories, polling, errors. Sandbox tests: wasi_sandbox_test.cc.
#include "worker/wasi/wasi.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "worker/wasi/host_errno.h"
#include "worker/wasi/wasi_test_fixture.h"

namespace wasmhpc::wasi {
namespace {

using engine::ValType;

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

// The preview1 signatures as the witx spec gives them: 'i' i32, 'I' i64.
struct Signature {
  const char* name;
  const char* params;
  bool has_result = true;
};
constexpr Signature kPreview1[] = {
    {"args_get", "ii"},
    {"args_sizes_get", "ii"},
    {"environ_get", "ii"},
    {"environ_sizes_get", "ii"},
    {"clock_res_get", "ii"},
    {"clock_time_get", "iIi"},
    {"fd_advise", "iIIi"},
    {"fd_allocate", "iII"},
    {"fd_close", "i"},
    {"fd_datasync", "i"},
    {"fd_fdstat_get", "ii"},
    {"fd_fdstat_set_flags", "ii"},
    {"fd_fdstat_set_rights", "iII"},
    {"fd_filestat_get", "ii"},
    {"fd_filestat_set_size", "iI"},
    {"fd_filestat_set_times", "iIIi"},
    {"fd_pread", "iiiIi"},
    {"fd_prestat_get", "ii"},
    {"fd_prestat_dir_name", "iii"},
    {"fd_pwrite", "iiiIi"},
    {"fd_read", "iiii"},
    {"fd_readdir", "iiiIi"},
    {"fd_renumber", "ii"},
    {"fd_seek", "iIii"},
    {"fd_sync", "i"},
    {"fd_tell", "ii"},
    {"fd_write", "iiii"},
    {"path_create_directory", "iii"},
    {"path_filestat_get", "iiiii"},
    {"path_filestat_set_times", "iiiiIIi"},
    {"path_link", "iiiiiii"},
    {"path_open", "iiiiiIIii"},
    {"path_readlink", "iiiiii"},
    {"path_remove_directory", "iii"},
    {"path_rename", "iiiiii"},
    {"path_symlink", "iiiii"},
    {"path_unlink_file", "iii"},
    {"poll_oneoff", "iiii"},
    {"proc_exit", "i", false},
    {"proc_raise", "i"},
    {"sched_yield", ""},
    {"random_get", "ii"},
    {"sock_accept", "iii"},
    {"sock_recv", "iiiiii"},
    {"sock_send", "iiiii"},
    {"sock_shutdown", "ii"},
};

TEST_F(WasiTest, ImportsAreExactlyPreview1WithSpecSignatures) {
  Make();
  ASSERT_EQ(funcs_.size(), std::size(kPreview1));
  for (const Signature& sig : kPreview1) {
    auto it = std::find_if(funcs_.begin(), funcs_.end(),
                           [&](const auto& f) { return f.name == sig.name; });
    ASSERT_NE(it, funcs_.end()) << sig.name;
    EXPECT_EQ(it->module, "wasi_snapshot_preview1");
    std::vector<ValType> params;
    for (const char* p = sig.params; *p; ++p) {
      params.push_back(*p == 'I' ? ValType::kI64 : ValType::kI32);
    }
    EXPECT_EQ(it->type.params, params) << sig.name;
    std::vector<ValType> results;
    if (sig.has_result) results.push_back(ValType::kI32);
    EXPECT_EQ(it->type.results, results) << sig.name;
  }
}

TEST(ParseDirFlag, AcceptsHostGuestAndReadOnly) {
  auto p = ParseDirFlag("/data");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->host_path, "/data");
  EXPECT_EQ(p->guest_path, "/data");
  EXPECT_FALSE(p->read_only);

  p = ParseDirFlag("/data:/in");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->host_path, "/data");
  EXPECT_EQ(p->guest_path, "/in");
  EXPECT_FALSE(p->read_only);

  p = ParseDirFlag("/data:ro");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->guest_path, "/data");
  EXPECT_TRUE(p->read_only);

  p = ParseDirFlag("/data:/in/:ro");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->host_path, "/data");
  EXPECT_EQ(p->guest_path, "/in");
  EXPECT_TRUE(p->read_only);
}

TEST(ParseDirFlag, RefusesMalformedValues) {
  for (const char* bad : {"", ":/in", "/data:", "/data:/in:rw", "a:b:ro:x",
                          ":ro"}) {
    auto p = ParseDirFlag(bad);
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(p.status().message().find("HOST[:GUEST][:ro]"),
              std::string_view::npos)
        << p.status();
  }
}

TEST_F(WasiTest, CreateNamesAMissingHostDirectory) {
  WasiOptions options;
  options.preopens.push_back({root_ + "/missing", "/m"});
  auto wasi = Wasi::Create(options);
  EXPECT_EQ(wasi.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(wasi.status().message(),
            "--dir " + root_ + "/missing: No such file or directory");

  options.preopens = {{root_ + "/outside.txt", "/f"}};
  EXPECT_EQ(Wasi::Create(options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(WasiTest, CreateRefusesNulBytes) {
  WasiOptions options;
  options.args = {"app", std::string("a\0b", 3)};
  EXPECT_EQ(Wasi::Create(options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(WasiTest, ArgsAndEnvironHaveTheSpecLayout) {
  WasiOptions options;
  options.args = {"app.wasm", "-n", "42"};
  options.env = {"A=1", "WASMHPC_TEST_VAR=hello"};
  Make(options);

  ASSERT_EQ(Call("args_sizes_get", {100, 104}), 0u);
  EXPECT_EQ(mem().Load<uint32_t>(100), 3u);
  EXPECT_EQ(mem().Load<uint32_t>(104), 9u + 3u + 3u);
  ASSERT_EQ(Call("args_get", {200, 300}), 0u);
  EXPECT_EQ(mem().Load<uint32_t>(200), 300u);
  EXPECT_EQ(mem().Load<uint32_t>(204), 309u);
  EXPECT_EQ(mem().Load<uint32_t>(208), 312u);
  EXPECT_EQ(Get(300, 15), std::string("app.wasm\0-n\0" "42\0", 15));

  ASSERT_EQ(Call("environ_sizes_get", {100, 104}), 0u);
  EXPECT_EQ(mem().Load<uint32_t>(100), 2u);
  EXPECT_EQ(mem().Load<uint32_t>(104), 4u + 23u);
  ASSERT_EQ(Call("environ_get", {200, 300}), 0u);
  EXPECT_EQ(mem().Load<uint32_t>(204), 304u);
  EXPECT_EQ(Get(304, 23), std::string("WASMHPC_TEST_VAR=hello\0", 23));
}

TEST_F(WasiTest, ClocksComeFromTheInjectedClock) {
  auto clock = std::make_shared<FakeClock>();
  clock->slept_ = 5;
  WasiOptions options;
  options.clock = clock;
  Make(options);
  ASSERT_EQ(Call("clock_time_get", {abi::kClockRealtime, 1, kResult}), 0u);
  EXPECT_EQ(mem().Load<uint64_t>(kResult), FakeClock::kEpoch + 5);
  ASSERT_EQ(Call("clock_time_get", {abi::kClockMonotonic, 1, kResult}), 0u);
  EXPECT_EQ(mem().Load<uint64_t>(kResult), 5u);
  ASSERT_EQ(Call("clock_res_get", {abi::kClockMonotonic, kResult}), 0u);
  EXPECT_EQ(mem().Load<uint64_t>(kResult), 1000u);
  EXPECT_EQ(Call("clock_time_get", {7, 1, kResult}), E(Errno::kInval));
  EXPECT_EQ(Call("clock_res_get", {7, kResult}), E(Errno::kInval));
}

TEST_F(WasiTest, SystemClockIsMonotonicAndRealtimeIsPlausible) {
  Make();
  ASSERT_EQ(Call("clock_time_get", {abi::kClockMonotonic, 1, kResult}), 0u);
  uint64_t t1 = mem().Load<uint64_t>(kResult);
  ASSERT_EQ(Call("clock_time_get", {abi::kClockMonotonic, 1, kResult}), 0u);
  EXPECT_GE(mem().Load<uint64_t>(kResult), t1);
  ASSERT_EQ(Call("clock_time_get", {abi::kClockRealtime, 1, kResult}), 0u);
  EXPECT_GT(mem().Load<uint64_t>(kResult), 1'577'836'800ull * 1'000'000'000);
  for (uint32_t id : {abi::kClockProcessCputime, abi::kClockThreadCputime}) {
    EXPECT_EQ(Call("clock_res_get", {id, kResult}), 0u);
    EXPECT_GT(mem().Load<uint64_t>(kResult), 0u);
  }
}

TEST_F(WasiTest, RandomGetFillsTheBuffer) {
  Make();
  ASSERT_EQ(Call("random_get", {kBuffer, 64}), 0u);
  std::string bytes = Get(kBuffer, 64);
  EXPECT_NE(bytes, std::string(64, '\0'));
  EXPECT_EQ(Call("random_get", {kMemory - 8, 64}), E(Errno::kFault));
}

TEST_F(WasiTest, RandomGetUsesTheInjectedSource) {
  WasiOptions options;
  options.random = [](absl::Span<uint8_t> buf) {
    if (buf.size() > 16) return absl::InternalError("too much");
    std::fill(buf.begin(), buf.end(), 0xab);
    return absl::OkStatus();
  };
  Make(options);
  ASSERT_EQ(Call("random_get", {kBuffer, 4}), 0u);
  EXPECT_EQ(mem().Load<uint32_t>(kBuffer), 0xababababu);
  EXPECT_EQ(Call("random_get", {kBuffer, 32}), E(Errno::kIo));
}

TEST_F(WasiTest, StdoutAndStderrGoToTheOutputSink) {
  Make();
  Put(kBuffer, "hello, ");
  Put(kBuffer + 100, "world\n");
  mem().Store<uint32_t>(kIovs, kBuffer);
  mem().Store<uint32_t>(kIovs + 4, 7);
  mem().Store<uint32_t>(kIovs + 8, kBuffer + 100);
  mem().Store<uint32_t>(kIovs + 12, 6);
  ASSERT_EQ(Call("fd_write", {1, kIovs, 2, kResult}), 0u);
  EXPECT_EQ(mem().Load<uint32_t>(kResult), 13u);
  EXPECT_EQ(stdout_, "hello, world\n");
  ASSERT_EQ(Write(2, "oops\n"), 0u);
  EXPECT_EQ(stderr_, "oops\n");
  // Stdio is a stream.
  EXPECT_EQ(Call("fd_seek", {1, 0, abi::kWhenceCur, kResult}),
            E(Errno::kSpipe));
  EXPECT_EQ(Call("fd_tell", {1, kResult}), E(Errno::kSpipe));
  // Stdout is not readable, stdin not writable.
  std::string data;
  EXPECT_EQ(Read(1, 4, &data), E(Errno::kBadf));
  EXPECT_EQ(Write(0, "x"), E(Errno::kBadf));
}

TEST_F(WasiTest, StdinReadsTheHostFdOrEndOfFile) {
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  ASSERT_EQ(write(pipe_fds[1], "input", 5), 5);
  close(pipe_fds[1]);
  WasiOptions options;
  options.stdin_fd = pipe_fds[0];
  Make(options);
  std::string data;
  ASSERT_EQ(Read(0, 16, &data), 0u);
  EXPECT_EQ(data, "input");
  ASSERT_EQ(Read(0, 16, &data), 0u);
  EXPECT_EQ(data, "");
  wasi_.reset();  // borrowed: the Wasi must not close it
  EXPECT_NE(fcntl(pipe_fds[0], F_GETFD), -1);
  close(pipe_fds[0]);

  WasiOptions none;
  none.stdin_fd = -1;
  Make(none);
  ASSERT_EQ(Read(0, 16, &data), 0u);
  EXPECT_EQ(data, "");
}

TEST_F(WasiTest, FileWriteSeekReadRoundTrip) {
  Make();
  uint32_t fd;
  ASSERT_EQ(Open("data.txt", abi::kOflagCreat | abi::kOflagTrunc,
                 kReadWriteRights, &fd),
            0u);
  EXPECT_EQ(fd, 4u);
  uint32_t n;
  ASSERT_EQ(Write(fd, "hello world", &n), 0u);
  EXPECT_EQ(n, 11u);
  ASSERT_EQ(Call("fd_tell", {fd, kResult}), 0u);
  EXPECT_EQ(mem().Load<uint64_t>(kResult), 11u);
  ASSERT_EQ(Call("fd_seek", {fd, 6, abi::kWhenceSet, kResult}), 0u);
  EXPECT_EQ(mem().Load<uint64_t>(kResult), 6u);
  std::string data;
  ASSERT_EQ(Read(fd, 100, &data), 0u);
  EXPECT_EQ(data, "world");
  ASSERT_EQ(Call("fd_seek", {fd, static_cast<uint64_t>(-5), abi::kWhenceEnd,
                             kResult}),
            0u);
  EXPECT_EQ(mem().Load<uint64_t>(kResult), 6u);
  EXPECT_EQ(Call("fd_seek", {fd, 0, 9, kResult}), E(Errno::kInval));

  // pwrite/pread leave the position alone.
  Put(kBuffer, "HELLO");
  mem().Store<uint32_t>(kIovs, kBuffer);
  mem().Store<uint32_t>(kIovs + 4, 5);
  ASSERT_EQ(Call("fd_pwrite", {fd, kIovs, 1, 0, kResult}), 0u);
  EXPECT_EQ(mem().Load<uint32_t>(kResult), 5u);
  mem().Store<uint32_t>(kIovs + 4, 8);
  ASSERT_EQ(Call("fd_pread", {fd, kIovs, 1, 3, kResult}), 0u);
  EXPECT_EQ(Get(kBuffer, mem().Load<uint32_t>(kResult)), "LO world");
  ASSERT_EQ(Call("fd_tell", {fd, kResult}), 0u);
  EXPECT_EQ(mem().Load<uint64_t>(kResult), 6u);

  ASSERT_EQ(Call("fd_filestat_get", {fd, kBuffer}), 0u);
  EXPECT_EQ(mem().Load<uint8_t>(kBuffer + abi::kFilestatFiletype),
            static_cast<uint8_t>(abi::Filetype::kRegularFile));
  EXPECT_EQ(mem().Load<uint64_t>(kBuffer + abi::kFilestatSizeField), 11u);
  EXPECT_EQ(mem().Load<uint64_t>(kBuffer + abi::kFilestatNlink), 1u);
  ASSERT_EQ(Call("fd_filestat_set_size", {fd, 5}), 0u);
  ASSERT_EQ(Call("fd_allocate", {fd, 0, 64}), 0u);
  ASSERT_EQ(Call("fd_advise", {fd, 0, 0, abi::kAdviceSequential}), 0u);
  EXPECT_EQ(Call("fd_advise", {fd, 0, 0, 17}), E(Errno::kInval));
  ASSERT_EQ(Call("fd_sync", {fd}), 0u);
  ASSERT_EQ(Call("fd_datasync", {fd}), 0u);
  ASSERT_EQ(Call("fd_close", {fd}), 0u);
  EXPECT_EQ(Call("fd_close", {fd}), E(Errno::kBadf));
  EXPECT_EQ(ReadHostFile(box_ + "/data.txt"), std::string("HELLO") +
                                                  std::string(59, '\0'));
}

TEST_F(WasiTest, AppendFlagAndFdstat) {
  WriteHostFile(box_ + "/log", "a");
  Make();
  uint32_t fd;
  ASSERT_EQ(Open("log", 0, kReadWriteRights, &fd, kPreopenFd,
                 abi::kLookupSymlinkFollow, abi::kFdflagAppend),
            0u);
  ASSERT_EQ(Write(fd, "b"), 0u);
  ASSERT_EQ(Call("fd_fdstat_get", {fd, kBuffer}), 0u);
  EXPECT_EQ(mem().Load<uint8_t>(kBuffer + abi::kFdstatFiletype),
            static_cast<uint8_t>(abi::Filetype::kRegularFile));
  EXPECT_EQ(mem().Load<uint16_t>(kBuffer + abi::kFdstatFlags),
            abi::kFdflagAppend);
  EXPECT_EQ(mem().Load<uint64_t>(kBuffer + abi::kFdstatRightsBase),
            kReadWriteRights & abi::kFileRights);
  ASSERT_EQ(Call("fd_fdstat_set_flags", {fd, 0}), 0u);
  ASSERT_EQ(Call("fd_seek", {fd, 0, abi::kWhenceSet, kResult}), 0u);
  ASSERT_EQ(Write(fd, "c"), 0u);
  EXPECT_EQ(ReadHostFile(box_ + "/log"), "cb");
  EXPECT_EQ(Call("fd_fdstat_set_flags", {fd, abi::kFdflagSync}),
            E(Errno::kNotsup));
  EXPECT_EQ(Call("fd_fdstat_set_flags", {fd, 1 << 9}), E(Errno::kInval));
}

TEST_F(WasiTest, FdstatSetRightsOnlyDropsRights) {
  Make();
  uint32_t fd;
  ASSERT_EQ(Open("f", abi::kOflagCreat, kReadWriteRights, &fd), 0u);
  ASSERT_EQ(Call("fd_fdstat_set_rights", {fd, abi::kRightFdRead, 0}), 0u);
  EXPECT_EQ(Write(fd, "x"), E(Errno::kBadf));
  EXPECT_EQ(Call("fd_tell", {fd, kResult}), E(Errno::kNotcapable));
  EXPECT_EQ(Call("fd_fdstat_set_rights",
                 {fd, abi::kRightFdRead | abi::kRightFdWrite, 0}),
            E(Errno::kNotcapable));
}

TEST_F(WasiTest, ReaddirWalksCookiesThroughSmallBuffers) {
  for (const char* name : {"b", "a", "a_rather_long_file_name.dat"}) {
    WriteHostFile(box_ + "/" + name, "x");
  }
  ASSERT_EQ(mkdir((box_ + "/sub").c_str(), 0755), 0);
  Make();
  std::set<std::pair<std::string, uint8_t>> seen;
  uint64_t cookie = 0;
  constexpr uint32_t kBufLen = 40;  // header + a short name: forces cuts
  for (int round = 0; round < 100; ++round) {
    uint32_t bufsize = kBufLen;
    std::string name;
    uint64_t next = 0;
    // Grow the buffer until the entry at `cookie` fits, as libc does.
    for (;; bufsize *= 2) {
      ASSERT_EQ(Call("fd_readdir", {kPreopenFd, kBuffer, bufsize, cookie,
                                    kResult}),
                0u);
      uint32_t used = mem().Load<uint32_t>(kResult);
      if (used == 0) break;
      uint32_t namlen = mem().Load<uint32_t>(kBuffer + abi::kDirentNamlen);
      if (used < abi::kDirentSize + namlen && used == bufsize) continue;
      next = mem().Load<uint64_t>(kBuffer + abi::kDirentNext);
      name = Get(kBuffer + abi::kDirentSize, namlen);
      seen.emplace(name, mem().Load<uint8_t>(kBuffer + abi::kDirentType));
      break;
    }
    if (name.empty()) break;
    cookie = next;
  }
  constexpr uint8_t kFile = static_cast<uint8_t>(abi::Filetype::kRegularFile);
  constexpr uint8_t kDir = static_cast<uint8_t>(abi::Filetype::kDirectory);
  std::set<std::pair<std::string, uint8_t>> want = {
      {".", kDir}, {"..", kDir}, {"a", kFile}, {"b", kFile},
      {"a_rather_long_file_name.dat", kFile}, {"sub", kDir}};
  EXPECT_EQ(seen, want);
  // A regular file cannot be listed; a directory cannot be read.
  uint32_t fd;
  ASSERT_EQ(Open("a", 0, kReadRights, &fd), 0u);
  EXPECT_EQ(Call("fd_readdir", {fd, kBuffer, 100, 0, kResult}),
            E(Errno::kNotcapable));
  std::string data;
  EXPECT_EQ(Read(kPreopenFd, 10, &data), E(Errno::kIsdir));
}

TEST_F(WasiTest, PathCallsCreateRenameLinkAndRemove) {
  Make();
  ASSERT_EQ(PathCall("path_create_directory", "d"), 0u);
  EXPECT_EQ(PathCall("path_create_directory", "d"), E(Errno::kExist));
  uint32_t len = Put(kPath, "d");
  ASSERT_EQ(Call("path_filestat_get", {kPreopenFd, 0, kPath, len, kBuffer}),
            0u);
  EXPECT_EQ(mem().Load<uint8_t>(kBuffer + abi::kFilestatFiletype),
            static_cast<uint8_t>(abi::Filetype::kDirectory));

  uint32_t fd;
  ASSERT_EQ(Open("d/f", abi::kOflagCreat, kReadWriteRights, &fd), 0u);
  ASSERT_EQ(Write(fd, "12345"), 0u);
  uint32_t from = Put(kPath, "d/f");
  uint32_t to = Put(kPath2, "g");
  ASSERT_EQ(Call("path_rename", {kPreopenFd, kPath, from, kPreopenFd, kPath2,
                                 to}),
            0u);
  EXPECT_TRUE(Exists(box_ + "/g"));
  EXPECT_FALSE(Exists(box_ + "/d/f"));

  from = Put(kPath, "g");
  to = Put(kPath2, "d/hard");
  ASSERT_EQ(Call("path_link", {kPreopenFd, 0, kPath, from, kPreopenFd, kPath2,
                               to}),
            0u);
  len = Put(kPath, "g");
  ASSERT_EQ(Call("path_filestat_get", {kPreopenFd, 0, kPath, len, kBuffer}),
            0u);
  EXPECT_EQ(mem().Load<uint64_t>(kBuffer + abi::kFilestatNlink), 2u);
  EXPECT_EQ(mem().Load<uint64_t>(kBuffer + abi::kFilestatSizeField), 5u);

  from = Put(kPath, "g");
  to = Put(kPath2, "sym");
  ASSERT_EQ(Call("path_symlink", {kPath, from, kPreopenFd, kPath2, to}), 0u);
  len = Put(kPath, "sym");
  ASSERT_EQ(Call("path_readlink", {kPreopenFd, kPath, len, kBuffer, 64,
                                   kResult}),
            0u);
  EXPECT_EQ(Get(kBuffer, mem().Load<uint32_t>(kResult)), "g");
  ASSERT_EQ(Call("path_filestat_get", {kPreopenFd, 0, kPath, len, kBuffer}),
            0u);
  EXPECT_EQ(mem().Load<uint8_t>(kBuffer + abi::kFilestatFiletype),
            static_cast<uint8_t>(abi::Filetype::kSymbolicLink));
  ASSERT_EQ(Call("path_filestat_get", {kPreopenFd, abi::kLookupSymlinkFollow,
                                       kPath, len, kBuffer}),
            0u);
  EXPECT_EQ(mem().Load<uint8_t>(kBuffer + abi::kFilestatFiletype),
            static_cast<uint8_t>(abi::Filetype::kRegularFile));

  len = Put(kPath, "g");
  constexpr uint64_t kMtime = 1'600'000'000ull * 1'000'000'000 + 123;
  ASSERT_EQ(Call("path_filestat_set_times",
                 {kPreopenFd, abi::kLookupSymlinkFollow, kPath, len, 0,
                  kMtime, abi::kFstflagMtim}),
            0u);
  ASSERT_EQ(Call("path_filestat_get", {kPreopenFd, 0, kPath, len, kBuffer}),
            0u);
  EXPECT_EQ(mem().Load<uint64_t>(kBuffer + abi::kFilestatMtim), kMtime);
  EXPECT_EQ(Call("path_filestat_set_times",
                 {kPreopenFd, 0, kPath, len, 0, 0,
                  abi::kFstflagMtim | abi::kFstflagMtimNow}),
            E(Errno::kInval));
  ASSERT_EQ(Call("fd_filestat_set_times",
                 {fd, 0, 0, abi::kFstflagAtimNow | abi::kFstflagMtimNow}),
            0u);

  EXPECT_EQ(PathCall("path_remove_directory", "d"), E(Errno::kNotempty));
  EXPECT_EQ(PathCall("path_unlink_file", "d"), E(Errno::kIsdir));
  EXPECT_EQ(PathCall("path_unlink_file", "g/"), E(Errno::kNotdir));
  ASSERT_EQ(PathCall("path_unlink_file", "d/hard"), 0u);
  ASSERT_EQ(PathCall("path_remove_directory", "d/"), 0u);
  ASSERT_EQ(PathCall("path_unlink_file", "sym"), 0u);
  EXPECT_TRUE(Exists(box_ + "/g"));
  EXPECT_EQ(PathCall("path_unlink_file", "nope"), E(Errno::kNoent));
  EXPECT_EQ(PathCall("path_unlink_file", ""), E(Errno::kNoent));
}

TEST_F(WasiTest, PreopensAreListedAsPrestats) {
  Make();
  ASSERT_EQ(Call("fd_prestat_get", {kPreopenFd, kResult}), 0u);
  EXPECT_EQ(mem().Load<uint8_t>(kResult), abi::kPreopenDir);
  EXPECT_EQ(mem().Load<uint32_t>(kResult + 4), 4u);
  ASSERT_EQ(Call("fd_prestat_dir_name", {kPreopenFd, kBuffer, 4}), 0u);
  EXPECT_EQ(Get(kBuffer, 4), "/box");
  EXPECT_EQ(Call("fd_prestat_dir_name", {kPreopenFd, kBuffer, 3}),
            E(Errno::kNametoolong));
  // libc scans fds from 3 until EBADF.
  EXPECT_EQ(Call("fd_prestat_get", {4, kResult}), E(Errno::kBadf));
  EXPECT_EQ(Call("fd_prestat_get", {1, kResult}), E(Errno::kBadf));

  ASSERT_EQ(Call("fd_fdstat_get", {kPreopenFd, kBuffer}), 0u);
  EXPECT_EQ(mem().Load<uint8_t>(kBuffer + abi::kFdstatFiletype),
            static_cast<uint8_t>(abi::Filetype::kDirectory));
  EXPECT_EQ(mem().Load<uint64_t>(kBuffer + abi::kFdstatRightsBase),
            abi::kDirRights);
  EXPECT_EQ(mem().Load<uint64_t>(kBuffer + abi::kFdstatRightsInheriting),
            abi::kDirRights | abi::kFileRights);
}

TEST_F(WasiTest, RenumberAndClosingAPreopen) {
  Make();
  uint32_t fd;
  ASSERT_EQ(Open("f", abi::kOflagCreat, kReadWriteRights, &fd), 0u);
  ASSERT_EQ(Call("fd_renumber", {fd, 1}), 0u);  // stdout now goes to "f"
  ASSERT_EQ(Write(1, "redirected"), 0u);
  EXPECT_EQ(stdout_, "");
  EXPECT_EQ(ReadHostFile(box_ + "/f"), "redirected");
  EXPECT_EQ(Call("fd_close", {fd}), E(Errno::kBadf));
  EXPECT_EQ(Call("fd_renumber", {1, 99}), E(Errno::kBadf));
  EXPECT_EQ(Call("fd_renumber", {99, 1}), E(Errno::kBadf));
  ASSERT_EQ(Call("fd_close", {kPreopenFd}), 0u);
  EXPECT_EQ(Call("fd_prestat_get", {kPreopenFd, kResult}), E(Errno::kBadf));
  EXPECT_EQ(Open("f", 0, kReadRights, &fd), E(Errno::kBadf));
}

TEST_F(WasiTest, BadFdsAreEbadf) {
  Make();
  for (uint32_t fd : {7u, 1000u, 0xffffffffu}) {
    EXPECT_EQ(Write(fd, "x"), E(Errno::kBadf));
    std::string data;
    EXPECT_EQ(Read(fd, 1, &data), E(Errno::kBadf));
    EXPECT_EQ(Call("fd_close", {fd}), E(Errno::kBadf));
    EXPECT_EQ(Call("fd_seek", {fd, 0, 0, kResult}), E(Errno::kBadf));
    EXPECT_EQ(Call("fd_tell", {fd, kResult}), E(Errno::kBadf));
    EXPECT_EQ(Call("fd_fdstat_get", {fd, kResult}), E(Errno::kBadf));
    EXPECT_EQ(Call("fd_filestat_get", {fd, kBuffer}), E(Errno::kBadf));
    EXPECT_EQ(Call("fd_sync", {fd}), E(Errno::kBadf));
    EXPECT_EQ(Call("fd_readdir", {fd, kBuffer, 64, 0, kResult}),
              E(Errno::kBadf));
    EXPECT_EQ(PathCall("path_create_directory", "x", fd), E(Errno::kBadf));
    EXPECT_EQ(Call("sock_shutdown", {fd, 1}), E(Errno::kBadf));
  }
}

TEST_F(WasiTest, BadGuestPointersAreEfaultAndDoNothing) {
  WasiOptions options;
  options.args = {"app"};
  Make(options);
  // The iovec array, an iovec's buffer and the result lie outside memory.
  EXPECT_EQ(Call("fd_write", {1, kMemory - 4, 1, kResult}), E(Errno::kFault));
  mem().Store<uint32_t>(kIovs, kMemory - 2);
  mem().Store<uint32_t>(kIovs + 4, 8);
  EXPECT_EQ(Call("fd_write", {1, kIovs, 1, kResult}), E(Errno::kFault));
  mem().Store<uint32_t>(kIovs, kBuffer);
  EXPECT_EQ(Call("fd_write", {1, kIovs, 1, kMemory}), E(Errno::kFault));
  EXPECT_EQ(Call("fd_write", {1, kIovs, 1, 0xfffffffe}), E(Errno::kFault));
  EXPECT_EQ(stdout_, "");

  EXPECT_EQ(Call("args_get", {kMemory, kBuffer}), E(Errno::kFault));
  EXPECT_EQ(Call("args_get", {kResult, kMemory - 2}), E(Errno::kFault));
  EXPECT_EQ(Call("args_sizes_get", {kResult, kMemory}), E(Errno::kFault));
  EXPECT_EQ(Call("clock_time_get", {1, 0, kMemory - 4}), E(Errno::kFault));
  EXPECT_EQ(Call("fd_fdstat_get", {1, kMemory - 8}), E(Errno::kFault));
  EXPECT_EQ(Call("path_open", {kPreopenFd, 0, kMemory - 2, 10,
                               abi::kOflagCreat, kReadWriteRights, 0, 0,
                               kResult}),
            E(Errno::kFault));
  // A failed result pointer must not leave a file or an fd behind.
  uint32_t len = Put(kPath, "created");
  EXPECT_EQ(Call("path_open", {kPreopenFd, 0, kPath, len, abi::kOflagCreat,
                               kReadWriteRights, 0, 0, kMemory}),
            E(Errno::kFault));
  EXPECT_FALSE(Exists(box_ + "/created"));
  EXPECT_EQ(Call("poll_oneoff", {kMemory - 8, kBuffer, 1, kResult}),
            E(Errno::kFault));
  // Too many iovecs for the host.
  EXPECT_EQ(Call("fd_write", {1, kIovs, 5000, kResult}), E(Errno::kInval));
}

TEST_F(WasiTest, ProcExitIsRecorded) {
  Make();
  EXPECT_FALSE(ctx_.exit_requested());
  Call("proc_exit", {3});
  EXPECT_TRUE(ctx_.exit_requested());
  EXPECT_EQ(ctx_.exit_code(), 3);
  Call("proc_exit", {0xffffffff});
  EXPECT_EQ(ctx_.exit_code(), -1);
}

TEST_F(WasiTest, UnsupportedCallsReturnErrnos) {
  Make();
  EXPECT_EQ(Call("proc_raise", {6}), E(Errno::kNosys));
  EXPECT_EQ(Call("sched_yield", {}), 0u);
  EXPECT_EQ(Call("sock_accept", {kPreopenFd, 0, kResult}),
            E(Errno::kNotsock));
  EXPECT_EQ(Call("sock_recv", {1, kIovs, 1, 0, kResult, kResult + 4}),
            E(Errno::kNotsock));
  EXPECT_EQ(Call("sock_send", {1, kIovs, 1, 0, kResult}), E(Errno::kNotsock));
  EXPECT_EQ(Call("sock_shutdown", {1, 3}), E(Errno::kNotsock));
}

// Writes a subscription at `at`.
void PutSubscription(engine::FakeGuestMemory& m, uint32_t at,
                     uint64_t userdata, uint8_t type, uint32_t clock_or_fd,
                     uint64_t timeout = 0, uint16_t flags = 0) {
  std::fill_n(m.bytes().begin() + at, abi::kSubscriptionSize, 0);
  m.Store<uint64_t>(at + abi::kSubUserdata, userdata);
  m.Store<uint8_t>(at + abi::kSubTag, type);
  m.Store<uint32_t>(at + abi::kSubClockId, clock_or_fd);
  m.Store<uint64_t>(at + abi::kSubClockTimeout, timeout);
  m.Store<uint16_t>(at + abi::kSubClockFlags, flags);
}

TEST_F(WasiTest, PollOneoffClockReallySleeps) {
  Make();
  PutSubscription(mem(), kBuffer, 42, abi::kEventClock, abi::kClockMonotonic,
                  20'000'000);
  auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(Call("poll_oneoff", {kBuffer, kBuffer + 1024, 1, kResult}), 0u);
  EXPECT_GE(std::chrono::steady_clock::now() - start,
            std::chrono::milliseconds(20));
  ASSERT_EQ(mem().Load<uint32_t>(kResult), 1u);
  EXPECT_EQ(mem().Load<uint64_t>(kBuffer + 1024 + abi::kEventUserdata), 42u);
  EXPECT_EQ(mem().Load<uint16_t>(kBuffer + 1024 + abi::kEventError), 0u);
  EXPECT_EQ(mem().Load<uint8_t>(kBuffer + 1024 + abi::kEventType),
            abi::kEventClock);
}

TEST_F(WasiTest, PollOneoffWaitsForTheEarliestClock) {
  auto clock = std::make_shared<FakeClock>();
  WasiOptions options;
  options.clock = clock;
  Make(options);
  PutSubscription(mem(), kBuffer, 1, abi::kEventClock, abi::kClockMonotonic,
                  5'000);
  PutSubscription(mem(), kBuffer + 48, 2, abi::kEventClock,
                  abi::kClockRealtime, FakeClock::kEpoch + 2'000,
                  abi::kSubclockAbstime);
  ASSERT_EQ(Call("poll_oneoff", {kBuffer, kBuffer + 1024, 2, kResult}), 0u);
  EXPECT_EQ(clock->slept_, 2'000u);
  ASSERT_EQ(mem().Load<uint32_t>(kResult), 1u);
  EXPECT_EQ(mem().Load<uint64_t>(kBuffer + 1024), 2u);
}

TEST_F(WasiTest, PollOneoffReportsReadyFdsWithoutSleeping) {
  auto clock = std::make_shared<FakeClock>();
  WasiOptions options;
  options.clock = clock;
  Make(options);
  WriteHostFile(box_ + "/f", "0123456789");
  uint32_t fd;
  ASSERT_EQ(Open("f", 0, kReadRights, &fd), 0u);
  PutSubscription(mem(), kBuffer, 1, abi::kEventClock, abi::kClockMonotonic,
                  10'000'000'000);
  PutSubscription(mem(), kBuffer + 48, 2, abi::kEventFdWrite, 1);
  PutSubscription(mem(), kBuffer + 96, 3, abi::kEventFdRead, fd);
  PutSubscription(mem(), kBuffer + 144, 4, abi::kEventFdRead, 77);
  ASSERT_EQ(Call("poll_oneoff", {kBuffer, kBuffer + 1024, 4, kResult}), 0u);
  EXPECT_EQ(clock->slept_, 0u);
  ASSERT_EQ(mem().Load<uint32_t>(kResult), 3u);
  const uint32_t ev = kBuffer + 1024;
  EXPECT_EQ(mem().Load<uint64_t>(ev), 2u);
  EXPECT_EQ(mem().Load<uint8_t>(ev + abi::kEventType), abi::kEventFdWrite);
  EXPECT_EQ(mem().Load<uint64_t>(ev + 32), 3u);
  EXPECT_EQ(mem().Load<uint64_t>(ev + 32 + abi::kEventNbytes), 10u);
  EXPECT_EQ(mem().Load<uint64_t>(ev + 64), 4u);
  EXPECT_EQ(mem().Load<uint16_t>(ev + 64 + abi::kEventError),
            E(Errno::kBadf));
  EXPECT_EQ(Call("poll_oneoff", {kBuffer, kBuffer + 1024, 0, kResult}),
            E(Errno::kInval));
}

TEST_F(WasiTest, PollOneoffWaitsOnAPipe) {
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  WasiOptions options;
  options.stdin_fd = pipe_fds[0];
  Make(options);
  PutSubscription(mem(), kBuffer, 1, abi::kEventClock, abi::kClockMonotonic,
                  5'000'000);
  PutSubscription(mem(), kBuffer + 48, 2, abi::kEventFdRead, 0);
  ASSERT_EQ(Call("poll_oneoff", {kBuffer, kBuffer + 1024, 2, kResult}), 0u);
  ASSERT_EQ(mem().Load<uint32_t>(kResult), 1u);
  EXPECT_EQ(mem().Load<uint64_t>(kBuffer + 1024), 1u);  // the timeout

  ASSERT_EQ(write(pipe_fds[1], "abc", 3), 3);
  ASSERT_EQ(Call("poll_oneoff", {kBuffer, kBuffer + 1024, 2, kResult}), 0u);
  ASSERT_EQ(mem().Load<uint32_t>(kResult), 1u);
  EXPECT_EQ(mem().Load<uint64_t>(kBuffer + 1024), 2u);
  EXPECT_EQ(mem().Load<uint64_t>(kBuffer + 1024 + abi::kEventNbytes), 3u);
  close(pipe_fds[0]);
  close(pipe_fds[1]);
}

TEST_F(WasiTest, PollOneoffStopsWhenInterrupted) {
  WasiOptions options;
  int polls = 0;
  options.interrupted = [&polls] { return ++polls >= 2; };
  Make(options);
  PutSubscription(mem(), kBuffer, 1, abi::kEventClock, abi::kClockMonotonic,
                  3600ull * 1'000'000'000);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Call("poll_oneoff", {kBuffer, kBuffer + 1024, 1, kResult}),
            E(Errno::kIntr));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(HostErrno, MapsLinuxValuesToWasi) {
  EXPECT_EQ(FromHostErrno(0), Errno::kSuccess);
  EXPECT_EQ(FromHostErrno(ENOENT), Errno::kNoent);
  EXPECT_EQ(FromHostErrno(EROFS), Errno::kRofs);
  EXPECT_EQ(FromHostErrno(EWOULDBLOCK), Errno::kAgain);
  EXPECT_EQ(FromHostErrno(EOPNOTSUPP), Errno::kNotsup);
  EXPECT_EQ(FromHostErrno(EXDEV), Errno::kXdev);
  EXPECT_EQ(FromHostErrno(EHOSTDOWN), Errno::kIo);  // no WASI counterpart
}

}  // namespace
}  // namespace wasmhpc::wasi
