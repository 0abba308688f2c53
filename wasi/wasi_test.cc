// Unit tests of the preview1 calls through the import callbacks, on a fake
// guest memory: the import table, --dir parsing, Create, args/environ
// layout, clocks, randomness, stdio and error handling. Files and
// directories: wasi_fs_test.cc; polling: wasi_poll_test.cc; the sandbox:
// wasi_sandbox_test.cc.
#include "wasi/wasi.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "wasi/host_errno.h"
#include "wasi/wasi_test_fixture.h"

namespace wasmhpc::wasi {
namespace {

using engine::ValType;

// The preview1 signatures as the witx spec gives them: 'i' i32, 'I' i64.
struct Signature {
  const char* name = nullptr;
  const char* params = nullptr;
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
  for (const char* bad :
       {"", ":/in", "/data:", "/data:/in:rw", "a:b:ro:x", ":ro"}) {
    auto p = ParseDirFlag(bad);
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(p.status().message().find("HOST[:GUEST][:ro]"),
              std::string_view::npos)
        << p.status();
  }
}

TEST_F(WasiTest, CreateNamesAMissingHostDirectory) {
  WasiOptions options;
  options.preopens.push_back(
      {.host_path = root_ + "/missing", .guest_path = "/m"});
  auto wasi = Wasi::Create(options);
  EXPECT_EQ(wasi.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(wasi.status().message(),
            "--dir " + root_ + "/missing: No such file or directory");

  options.preopens = {
      {.host_path = root_ + "/outside.txt", .guest_path = "/f"}};
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
  EXPECT_EQ(Get(300, 15), std::string("app.wasm\0-n\0"
                                      "42\0",
                                      15));

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
  EXPECT_EQ(Call("path_open", {kPreopenFd, 0, kMemory - 2, 10, abi::kOflagCreat,
                               kReadWriteRights, 0, 0, kResult}),
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
  EXPECT_EQ(Call("sock_accept", {kPreopenFd, 0, kResult}), E(Errno::kNotsock));
  EXPECT_EQ(Call("sock_recv", {1, kIovs, 1, 0, kResult, kResult + 4}),
            E(Errno::kNotsock));
  EXPECT_EQ(Call("sock_send", {1, kIovs, 1, 0, kResult}), E(Errno::kNotsock));
  EXPECT_EQ(Call("sock_shutdown", {1, 3}), E(Errno::kNotsock));
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
