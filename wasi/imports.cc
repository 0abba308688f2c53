#include "wasi/imports.h"

#include <cstddef>
#include <type_traits>
#include <utility>

namespace wasmhpc::wasi {
namespace {

using engine::FuncType;
using engine::HostContext;
using engine::HostFunc;
using engine::ValType;

template <typename T>
constexpr ValType WasmType() {
  static_assert(std::is_same_v<T, uint32_t> || std::is_same_v<T, uint64_t>,
                "WASI parameters are u32 (i32) or u64 (i64)");
  return std::is_same_v<T, uint32_t> ? ValType::kI32 : ValType::kI64;
}

// An i32 arrives zero-extended in its 64-bit slot; an i64 as is.
template <typename T>
T FromSlot(uint64_t slot) {
  return static_cast<T>(slot);
}

template <typename R, typename... Args, size_t... I>
R Invoke(Preview1& calls, R (Preview1::*method)(HostContext&, Args...),
         HostContext& ctx, const uint64_t* slots, std::index_sequence<I...>) {
  return (calls.*method)(ctx, FromSlot<Args>(slots[I])...);
}

// A HostFunc calling `method`: signature from its parameters; an Errno
// becomes the i32 result, void means no result.
template <typename R, typename... Args>
HostFunc Bind(Preview1& calls, const char* name,
              R (Preview1::*method)(HostContext&, Args...)) {
  FuncType type{{WasmType<Args>()...}, {}};
  if constexpr (!std::is_void_v<R>) type.results.push_back(ValType::kI32);
  auto callback = [&calls, method](
                      HostContext& ctx,
                      const uint64_t* slots) -> absl::StatusOr<uint64_t> {
    if constexpr (std::is_void_v<R>) {
      Invoke(calls, method, ctx, slots, std::index_sequence_for<Args...>());
      return 0;
    } else {
      return static_cast<uint64_t>(Invoke(calls, method, ctx, slots,
                                          std::index_sequence_for<Args...>()));
    }
  };
  return HostFunc{kPreview1Module, name, std::move(type), std::move(callback)};
}

}  // namespace

std::vector<HostFunc> Preview1Imports(Preview1& c) {
  using P = Preview1;
  return {
      Bind(c, "args_get", &P::ArgsGet),
      Bind(c, "args_sizes_get", &P::ArgsSizesGet),
      Bind(c, "environ_get", &P::EnvironGet),
      Bind(c, "environ_sizes_get", &P::EnvironSizesGet),
      Bind(c, "clock_res_get", &P::ClockResGet),
      Bind(c, "clock_time_get", &P::ClockTimeGet),
      Bind(c, "fd_advise", &P::FdAdvise),
      Bind(c, "fd_allocate", &P::FdAllocate),
      Bind(c, "fd_close", &P::FdClose),
      Bind(c, "fd_datasync", &P::FdDatasync),
      Bind(c, "fd_fdstat_get", &P::FdFdstatGet),
      Bind(c, "fd_fdstat_set_flags", &P::FdFdstatSetFlags),
      Bind(c, "fd_fdstat_set_rights", &P::FdFdstatSetRights),
      Bind(c, "fd_filestat_get", &P::FdFilestatGet),
      Bind(c, "fd_filestat_set_size", &P::FdFilestatSetSize),
      Bind(c, "fd_filestat_set_times", &P::FdFilestatSetTimes),
      Bind(c, "fd_pread", &P::FdPread),
      Bind(c, "fd_prestat_get", &P::FdPrestatGet),
      Bind(c, "fd_prestat_dir_name", &P::FdPrestatDirName),
      Bind(c, "fd_pwrite", &P::FdPwrite),
      Bind(c, "fd_read", &P::FdRead),
      Bind(c, "fd_readdir", &P::FdReaddir),
      Bind(c, "fd_renumber", &P::FdRenumber),
      Bind(c, "fd_seek", &P::FdSeek),
      Bind(c, "fd_sync", &P::FdSync),
      Bind(c, "fd_tell", &P::FdTell),
      Bind(c, "fd_write", &P::FdWrite),
      Bind(c, "path_create_directory", &P::PathCreateDirectory),
      Bind(c, "path_filestat_get", &P::PathFilestatGet),
      Bind(c, "path_filestat_set_times", &P::PathFilestatSetTimes),
      Bind(c, "path_link", &P::PathLink),
      Bind(c, "path_open", &P::PathOpen),
      Bind(c, "path_readlink", &P::PathReadlink),
      Bind(c, "path_remove_directory", &P::PathRemoveDirectory),
      Bind(c, "path_rename", &P::PathRename),
      Bind(c, "path_symlink", &P::PathSymlink),
      Bind(c, "path_unlink_file", &P::PathUnlinkFile),
      Bind(c, "poll_oneoff", &P::PollOneoff),
      Bind(c, "proc_exit", &P::ProcExit),
      Bind(c, "proc_raise", &P::ProcRaise),
      Bind(c, "sched_yield", &P::SchedYield),
      Bind(c, "random_get", &P::RandomGet),
      Bind(c, "sock_accept", &P::SockAccept),
      Bind(c, "sock_recv", &P::SockRecv),
      Bind(c, "sock_send", &P::SockSend),
      Bind(c, "sock_shutdown", &P::SockShutdown),
  };
}

}  // namespace wasmhpc::wasi
